import { DynamoSeenSignatures } from '../../shared/adapters/aws/dynamodb-seen-signatures';
import { systemClock } from '../../shared/ports';
import { dynamoDocumentClient } from '../../shared/runtime/clients';
import {
  cameraStoreFromEnv,
  caseStoreFromEnv,
  districtIndexFromEnv,
  integrationKeyStoreFromEnv,
  rateLimiterFromEnv,
  reportQueueFromEnv,
} from '../../shared/runtime/composition';
import { identityFrom, requireEnv } from '../../shared/runtime/config';
import { ENV } from '../../shared/runtime/env';
import { type CamerasDeps, makeHandler } from './app';

export const buildDeps = (): CamerasDeps => ({
  cameras: cameraStoreFromEnv(),
  store: caseStoreFromEnv(),
  queue: reportQueueFromEnv(),
  district: districtIndexFromEnv(),
  clock: systemClock,
  identity: identityFrom(),
  keys: integrationKeyStoreFromEnv(),
  seen: new DynamoSeenSignatures({ client: dynamoDocumentClient(), tableName: requireEnv(ENV.tableName) }),
  rateLimiter: rateLimiterFromEnv(),
});

export const handler = makeHandler(buildDeps());
