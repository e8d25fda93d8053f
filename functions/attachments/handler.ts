import { systemClock } from '../../shared/ports';
import { caseStoreFromEnv } from '../../shared/runtime/composition/cases';
import { districtIndexFromEnv } from '../../shared/runtime/composition/district';
import { attachmentStoreFromEnv, evidenceBucketFromEnv } from '../../shared/runtime/composition/evidence';
import { rateLimiterFromEnv } from '../../shared/runtime/composition/integrations';
import { citizenReportLimitsFrom, identityFrom } from '../../shared/runtime/config';
import { makeHandler } from './app';

// Every path of this function signs (upload forms, links to evidence) and none calls S3: the S3
// client is never loaded (see S3UrlSigner).
export const handler = makeHandler({
  store: caseStoreFromEnv(),
  attachments: attachmentStoreFromEnv(),
  bucket: evidenceBucketFromEnv(),
  district: districtIndexFromEnv(),
  clock: systemClock,
  identity: identityFrom(),
  rateLimiter: rateLimiterFromEnv(),
  citizenLimits: citizenReportLimitsFrom(),
});
