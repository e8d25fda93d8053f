import { DynamoSeenSignatures } from '../../shared/adapters/aws/dynamodb-seen-signatures';
import { HttpSnapshotFetcher } from '../../shared/adapters/http/snapshot-fetcher';
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
import { evidenceBucketFromEnv } from '../../shared/runtime/evidence-composition';
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
  bucket: evidenceBucketFromEnv(),
  snapshots: new HttpSnapshotFetcher(),
});

export const handler = makeHandler(buildDeps());
