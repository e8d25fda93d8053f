import { systemClock } from '../../shared/ports';
import {
  caseEffectsFromEnv,
  caseStoreFromEnv,
  districtIndexFromEnv,
  integrationKeyStoreFromEnv,
  rateLimiterFromEnv,
  reportQueueFromEnv,
  seenSignaturesFromEnv,
  sqs,
} from '../../shared/runtime/composition';
import { type DepartmentEventsDeps, makeHandler } from './app';

// Nearly every event queues a report or notifies: the SQS client is built at cold start (see `sqs`).
// Step Functions loads with the first command that starts a timer.
await sqs();

export const buildDeps = (): DepartmentEventsDeps => {
  const district = districtIndexFromEnv();
  return {
    keys: integrationKeyStoreFromEnv(),
    seen: seenSignaturesFromEnv(),
    store: caseStoreFromEnv(),
    queue: reportQueueFromEnv(),
    district,
    clock: systemClock,
    rateLimiter: rateLimiterFromEnv(),
    effects: caseEffectsFromEnv(district, systemClock),
  };
};

export const handler = makeHandler(buildDeps());
