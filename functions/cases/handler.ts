import { systemClock } from '../../shared/ports';
import { caseEffectsFromEnv } from '../../shared/runtime/composition/case-effects';
import { caseStoreFromEnv } from '../../shared/runtime/composition/cases';
import { districtIndexFromEnv } from '../../shared/runtime/composition/district';
import { rateLimiterFromEnv } from '../../shared/runtime/composition/integrations';
import { triageFeedbackStoreFromEnv } from '../../shared/runtime/composition/triage-feedback';
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
