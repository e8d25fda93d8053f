import { systemClock } from '../../shared/ports';
import {
  caseEffectsFromEnv,
  caseStoreFromEnv,
  districtIndexFromEnv,
  jointVisitStoreFromEnv,
  premisesReaderFromEnv,
} from '../../shared/runtime/composition';
import { identityFrom } from '../../shared/runtime/config';
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
