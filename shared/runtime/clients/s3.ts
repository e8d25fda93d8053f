import type { S3Client } from '@aws-sdk/client-s3';
import { optionalEnv } from '../config';
import { ENV } from '../env';
import { tracer } from '../observability';
import { extended } from './extensions';

let s3Client: Promise<S3Client> | undefined;

/**
 * The S3 client, its module loaded when first asked for: evaluating the S3 client module takes ~13 ms,
 * a quarter of a minimal handler's cold start, and several functions hold a bucket for one route or
 * one kind of message (camera snapshots, finished export links, big evaluation exports). Functions
 * that use S3 on every path ask for it at cold start (see their handler.ts).
 */
export const s3 = (): Promise<S3Client> => {
  s3Client ??= import('../../adapters/aws/s3-sdk').then(({ S3Client }) => {
    // A local S3 (s3rver) answers on one host: path-style URLs, for the SDK and for presigned forms.
    const endpoint = optionalEnv(ENV.s3Endpoint);
    return extended(
      tracer.captureAWSv3Client(new S3Client({ ...(endpoint && { endpoint, forcePathStyle: true }) })),
    );
  });
  return s3Client;
};
