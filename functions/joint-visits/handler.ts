import { systemClock } from '../../shared/ports';
import { caseEffectsFromEnv } from '../../shared/runtime/composition/case-effects';
import { caseStoreFromEnv } from '../../shared/runtime/composition/cases';
import { districtIndexFromEnv } from '../../shared/runtime/composition/district';
import { jointVisitStoreFromEnv, premisesReaderFromEnv } from '../../shared/runtime/composition/joint-visits';
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
