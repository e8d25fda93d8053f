import { DynamoSeenSignatures } from '../../shared/adapters/aws/dynamodb-seen-signatures';
import { type SnapshotFetcher, systemClock } from '../../shared/ports';
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

/**
 * The snapshot fetcher (DNS, HTTP and HTTPS clients) loads with the first alert that carries a
 * snapshot URL: the registry's routes and alerts without one never need it.
 */
let fetcher: Promise<SnapshotFetcher> | undefined;
const snapshotFetcher: SnapshotFetcher = {
  fetch: async (request) => {
    fetcher ??= import('../../shared/adapters/http/snapshot-fetcher').then(
      ({ HttpSnapshotFetcher }) => new HttpSnapshotFetcher(),
    );
    return (await fetcher).fetch(request);
  },
};

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
  snapshots: snapshotFetcher,
});

export const handler = makeHandler(buildDeps());
