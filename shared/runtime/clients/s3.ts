import { optionalEnv } from '../config';
import { ENV } from '../env';
import { onFirstUse } from './on-first-use';

/**
 * The S3 client, loaded on first use: evaluating the S3 client module takes ~13 ms, a quarter of a
 * minimal handler's cold start, and several functions hold a bucket for one route or one kind of
 * message (camera snapshots, finished export links, big evaluation exports).
 */
export const s3 = onFirstUse(async () => {
  const { S3Client } = await import('../../adapters/aws/s3-sdk');
  // A local S3 (s3rver) answers on one host: path-style URLs, for the SDK and for presigned forms.
  const endpoint = optionalEnv(ENV.s3Endpoint);
  return new S3Client({ ...(endpoint && { endpoint, forcePathStyle: true }) });
});
