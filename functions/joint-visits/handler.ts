import { systemClock } from '../../shared/ports';
import { caseStoreFromEnv, districtIndexFromEnv } from '../../shared/runtime/composition';
import { identityFrom } from '../../shared/runtime/config';
import { caseEffectsFromEnv } from '../../shared/runtime/deadline-composition';
import { jointVisitStoreFromEnv, premisesReaderFromEnv } from '../../shared/runtime/joint-visit-composition';
import { type JointVisitsDeps, makeHandler } from './app';

export const buildDeps = (): JointVisitsDeps => {
  const district = districtIndexFromEnv();
  return {
    store: caseStoreFromEnv(),
    visits: jointVisitStoreFromEnv(),
    premises: premisesReaderFromEnv(),
    district,
    clock: systemClock,
    identity: identityFrom(),
    effects: caseEffectsFromEnv(district, systemClock),
  };
};

export const handler = makeHandler(buildDeps());
