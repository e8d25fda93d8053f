import { S3ExportStore } from '../../adapters/aws/s3-export-store';
import type { ExportStore } from '../../ports';
import { s3 } from '../clients/s3';
import { optionalEnv } from '../config';
import { ENV } from '../env';

/**
 * The bucket big exports of the evaluation function go to (ENV.exportsBucket; optional), through the
 * process's one S3 client, built with the first big export (see `s3` in ../clients).
 */
export const exportStoreFromEnv = (): ExportStore | undefined => {
  const bucket = optionalEnv(ENV.exportsBucket);
  if (!bucket) return undefined;
  return new S3ExportStore({ client: s3, bucket });
};
