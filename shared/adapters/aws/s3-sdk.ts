/**
 * What the S3 adapters use of the S3 client module, imported with `import()` where a call needs it
 * (see `S3ClientSource`). Named here so the bundle keeps only these of the module's exports; a bare
 * `import('@aws-sdk/client-s3')` would keep every S3 command.
 */
export {
  CopyObjectCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  NoSuchKey,
  NotFound,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
