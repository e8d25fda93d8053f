import { systemClock } from '../../shared/ports';
import {
  caseEffectsFromEnv,
  caseStoreFromEnv,
  districtIndexFromEnv,
  rateLimiterFromEnv,
  triageFeedbackStoreFromEnv,
} from '../../shared/runtime/composition';
import { identityFrom } from '../../shared/runtime/config';
import { type CasesDeps, makeHandler } from './app';

export const buildDeps = (): CasesDeps => {
  const district = districtIndexFromEnv();
  return {
    store: caseStoreFromEnv(),
    district,
    clock: systemClock,
    identity: identityFrom(),
    effects: caseEffectsFromEnv(district, systemClock),
    triageFeedback: triageFeedbackStoreFromEnv(),
    rateLimiter: rateLimiterFromEnv(),
  };
};

export const handler = makeHandler(buildDeps());
