import type { S3Client } from '@aws-sdk/client-s3';
import { S3ExportStore } from '../adapters/aws/s3-export-store';
import type { ExportStore } from '../ports';
import { extended } from './clients';
import { optionalEnv } from './config';
import { ENV } from './env';

/**
 * The bucket big exports go to (ENV.exportsBucket; optional). The SDK honours AWS_ENDPOINT_URL_S3
 * for a local S3.
 */
export const exportStoreFromEnv = (): ExportStore | undefined => {
  const bucket = optionalEnv(ENV.exportsBucket);
  if (!bucket) return undefined;
  let client: Promise<S3Client> | undefined;
  // Built with the first big export: see `s3` in ./clients.
  const exportsClient = () => {
    client ??= import('../adapters/aws/s3-sdk').then(({ S3Client }) =>
      extended(new S3Client({ forcePathStyle: true })),
    );
    return client;
  };
  return new S3ExportStore({ client: exportsClient, bucket });
};
