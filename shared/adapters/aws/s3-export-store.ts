import type { S3Client } from '@aws-sdk/client-s3';
import type { ExportStore } from '../../ports';
import { type ClientSource, clientOf } from './client-source';

export interface S3ExportStoreOptions {
  client: ClientSource<S3Client>;
  bucket: string;
  /** How long the download link works. */
  linkSeconds?: number;
}

/** Big exports as S3 objects, handed out as presigned GET links that expire. */
export class S3ExportStore implements ExportStore {
  constructor(private readonly options: S3ExportStoreOptions) {}

  async put(key: string, body: Buffer, contentType: string) {
    const { bucket } = this.options;
    const seconds = this.options.linkSeconds ?? 900;
    // The S3 module and client load with the first big export, not at the evaluation function's cold start.
    const { GetObjectCommand, PutObjectCommand } = await import('./s3-sdk');
    const client = await clientOf(this.options.client);
    await client.send(
      new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: contentType }),
    );
    // Loaded by the first big export, not at the evaluation function's cold start.
    const { getSignedUrl } = await import('@aws-sdk/s3-request-presigner');
    const url = await getSignedUrl(client, new GetObjectCommand({ Bucket: bucket, Key: key }), {
      expiresIn: seconds,
    });
    return { url, expiresAt: new Date(Date.now() + seconds * 1000).toISOString() };
  }
}
