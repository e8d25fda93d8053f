import { systemClock } from '../../shared/ports';
import { cameraStoreFromEnv } from '../../shared/runtime/composition/cameras';
import { caseStoreFromEnv } from '../../shared/runtime/composition/cases';
import { districtIndexFromEnv } from '../../shared/runtime/composition/district';
import { evidenceBucketFromEnv } from '../../shared/runtime/composition/evidence';
import {
  integrationKeyStoreFromEnv,
  rateLimiterFromEnv,
  seenSignaturesFromEnv,
} from '../../shared/runtime/composition/integrations';
import { reportQueueFromEnv } from '../../shared/runtime/composition/routing';
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
