import type { S3Client } from '@aws-sdk/client-s3';

/**
 * An S3 client as the S3 adapters take it: built, or a function that builds it (and loads the S3
 * client module) when first needed, for functions whose other paths never touch S3.
 */
export type S3ClientSource = S3Client | (() => Promise<S3Client>);

export const s3ClientOf = async (source: S3ClientSource): Promise<S3Client> =>
  typeof source === 'function' ? source() : source;
