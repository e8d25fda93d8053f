import { S3Client } from '@aws-sdk/client-s3';
import { S3ExportStore } from '../adapters/aws/s3-export-store';
import type { ExportStore } from '../usecases/exports';
import { optionalEnv } from './config';

/**
 * The bucket big exports go to. Optional: without it, an export larger than one reply is refused
 * with 413 (narrow the filters). The SDK honours AWS_ENDPOINT_URL_S3 for a local S3.
 */
export const EXPORTS_BUCKET_ENV = 'XT_EXPORTS_BUCKET';

export const exportStoreFromEnv = (): ExportStore | undefined => {
  const bucket = optionalEnv(EXPORTS_BUCKET_ENV);
  if (!bucket) return undefined;
  return new S3ExportStore({ client: new S3Client({ forcePathStyle: true }), bucket });
};
