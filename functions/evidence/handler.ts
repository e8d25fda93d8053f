import { systemClock } from '../../shared/ports';
import { s3 } from '../../shared/runtime/clients/s3';
import { caseStoreFromEnv } from '../../shared/runtime/composition/cases';
import { districtIndexFromEnv } from '../../shared/runtime/composition/district';
import { attachmentStoreFromEnv, evidenceBucketFromEnv } from '../../shared/runtime/composition/evidence';
import { photoToolsFromEnv } from '../../shared/runtime/composition/photos';
import { makeHandler } from './app';

// Every path of this function uses S3: its client is built at cold start, not left to the first
// request as in functions that use it on one path only (see `s3`).
await s3();

export const handler = makeHandler({
  store: caseStoreFromEnv(),
  attachments: attachmentStoreFromEnv(),
  bucket: evidenceBucketFromEnv(),
  district: districtIndexFromEnv(),
  clock: systemClock,
  photos: photoToolsFromEnv(),
});
