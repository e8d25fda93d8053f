import { sharpPhotoTools } from '../../shared/adapters/image/photo-reader';
import { systemClock } from '../../shared/ports';
import { caseStoreFromEnv, districtIndexFromEnv } from '../../shared/runtime/composition';
import { attachmentStoreFromEnv, evidenceBucketFromEnv } from '../../shared/runtime/evidence-composition';
import { makeHandler } from './app';

export const handler = makeHandler({
  store: caseStoreFromEnv(),
  attachments: attachmentStoreFromEnv(),
  bucket: evidenceBucketFromEnv(),
  district: districtIndexFromEnv(),
  clock: systemClock,
  photos: sharpPhotoTools,
});
