import type { S3Client } from '@aws-sdk/client-s3';
import type { ExportFiles } from '../../ports';
import { type ClientSource, clientOf } from './client-source';
import type { S3UrlSigner } from './s3-url-signer';

export interface S3ExportFilesOptions {
  client: ClientSource<S3Client>;
  /** Signs the links without the S3 client: the export-jobs function never loads it. */
  signer: S3UrlSigner;
  bucket: string;
}

// The S3 module is imported where a call uses it, never at module level: see `ClientSource`.
const s3Module = () => import('./s3-sdk');

/** The exports bucket for export jobs: chunk objects, the composed file and its presigned link. */
export class S3ExportFiles implements ExportFiles {
  constructor(private readonly options: S3ExportFilesOptions) {}

  private client() {
    return clientOf(this.options.client);
  }

  async put(key: string, body: Buffer, contentType: string): Promise<void> {
    const { PutObjectCommand } = await s3Module();
    await (await this.client()).send(
      new PutObjectCommand({ Bucket: this.options.bucket, Key: key, Body: body, ContentType: contentType }),
    );
  }

  async get(key: string): Promise<Buffer | undefined> {
    const { GetObjectCommand, NoSuchKey } = await s3Module();
    try {
      const result = await (await this.client()).send(
        new GetObjectCommand({ Bucket: this.options.bucket, Key: key }),
      );
      if (!result.Body) return undefined;
      return Buffer.from(await result.Body.transformToByteArray());
    } catch (error) {
      if (error instanceof NoSuchKey || (error as { name?: string }).name === 'NoSuchKey') return undefined;
      throw error;
    }
  }

  async remove(keys: string[]): Promise<void> {
    const { DeleteObjectsCommand } = await s3Module();
    for (let i = 0; i < keys.length; i += 1000) {
      await (await this.client()).send(
        new DeleteObjectsCommand({
          Bucket: this.options.bucket,
          Delete: { Objects: keys.slice(i, i + 1000).map((Key) => ({ Key })), Quiet: true },
        }),
      );
    }
  }

  async link(key: string, filename: string, seconds: number) {
    const url = await this.options.signer.getObjectUrl({
      bucket: this.options.bucket,
      key,
      expiresInSeconds: seconds,
      // RFC 6266, as the inline exports answer: the browser saves it under its own name.
      responseContentDisposition: `attachment; filename="${filename}"; filename*=UTF-8''${encodeURIComponent(filename)}`,
    });
    return { url, expiresAt: new Date(Date.now() + seconds * 1000).toISOString() };
  }
}
