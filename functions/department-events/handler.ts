import { DynamoSeenSignatures } from '../../shared/adapters/aws/dynamodb-seen-signatures';
import { systemClock } from '../../shared/ports';
import { dynamoDocumentClient, sqs } from '../../shared/runtime/clients';
import {
  caseStoreFromEnv,
  districtIndexFromEnv,
  integrationKeyStoreFromEnv,
  rateLimiterFromEnv,
  reportQueueFromEnv,
} from '../../shared/runtime/composition';
import { requireEnv } from '../../shared/runtime/config';
import { caseEffectsFromEnv } from '../../shared/runtime/deadline-composition';
import { ENV } from '../../shared/runtime/env';
import { type DepartmentEventsDeps, makeHandler } from './app';

// Nearly every event queues a report or notifies: the SQS client is built at cold start (see `sqs`).
// Step Functions loads with the first command that starts a timer.
await sqs();

export const buildDeps = (): DepartmentEventsDeps => {
  const district = districtIndexFromEnv();
  return {
    keys: integrationKeyStoreFromEnv(),
    seen: new DynamoSeenSignatures({ client: dynamoDocumentClient(), tableName: requireEnv(ENV.tableName) }),
    store: caseStoreFromEnv(),
    queue: reportQueueFromEnv(),
    district,
    clock: systemClock,
    rateLimiter: rateLimiterFromEnv(),
    effects: caseEffectsFromEnv(district, systemClock),
  };
};

export const handler = makeHandler(buildDeps());
