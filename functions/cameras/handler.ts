import { systemClock } from '../../shared/ports';
import {
  cameraStoreFromEnv,
  caseStoreFromEnv,
  districtIndexFromEnv,
  evidenceBucketFromEnv,
  integrationKeyStoreFromEnv,
  rateLimiterFromEnv,
  reportQueueFromEnv,
  seenSignaturesFromEnv,
} from '../../shared/runtime/composition';
import { snapshotFetcherFromEnv } from '../../shared/runtime/composition/snapshots';
import { identityFrom } from '../../shared/runtime/config';
import { type CamerasDeps, makeHandler } from './app';

export const buildDeps = (): CamerasDeps => ({
  cameras: cameraStoreFromEnv(),
  store: caseStoreFromEnv(),
  queue: reportQueueFromEnv(),
  district: districtIndexFromEnv(),
  clock: systemClock,
  identity: identityFrom(),
  keys: integrationKeyStoreFromEnv(),
  seen: seenSignaturesFromEnv(),
  rateLimiter: rateLimiterFromEnv(),
  bucket: evidenceBucketFromEnv(),
  snapshots: snapshotFetcherFromEnv(),
});

export const handler = makeHandler(buildDeps());
