import { systemClock } from '../../shared/ports';
import { sqs } from '../../shared/runtime/clients/sqs';
import { caseEffectsFromEnv } from '../../shared/runtime/composition/case-effects';
import { caseStoreFromEnv } from '../../shared/runtime/composition/cases';
import { districtIndexFromEnv } from '../../shared/runtime/composition/district';
import {
  integrationKeyStoreFromEnv,
  rateLimiterFromEnv,
  seenSignaturesFromEnv,
} from '../../shared/runtime/composition/integrations';
import { reportQueueFromEnv } from '../../shared/runtime/composition/routing';
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
