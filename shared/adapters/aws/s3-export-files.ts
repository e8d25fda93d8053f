import {
  DeleteObjectsCommand,
  GetObjectCommand,
  NoSuchKey,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { ExportFiles } from '../../ports';

export interface S3ExportFilesOptions {
  client: S3Client;
  bucket: string;
}

/** The exports bucket for export jobs: chunk objects, the composed file and its presigned link. */
export class S3ExportFiles implements ExportFiles {
  constructor(private readonly options: S3ExportFilesOptions) {}

  async put(key: string, body: Buffer, contentType: string): Promise<void> {
    await this.options.client.send(
      new PutObjectCommand({ Bucket: this.options.bucket, Key: key, Body: body, ContentType: contentType }),
    );
  }

  async get(key: string): Promise<Buffer | undefined> {
    try {
      const result = await this.options.client.send(
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
    for (let i = 0; i < keys.length; i += 1000) {
      await this.options.client.send(
        new DeleteObjectsCommand({
          Bucket: this.options.bucket,
          Delete: { Objects: keys.slice(i, i + 1000).map((Key) => ({ Key })), Quiet: true },
        }),
      );
    }
  }

  async link(key: string, filename: string, seconds: number) {
    const url = await getSignedUrl(
      this.options.client,
      new GetObjectCommand({
        Bucket: this.options.bucket,
        Key: key,
        // RFC 6266, as the inline exports answer: the browser saves it under its own name.
        ResponseContentDisposition: `attachment; filename="${filename}"; filename*=UTF-8''${encodeURIComponent(filename)}`,
      }),
      { expiresIn: seconds },
    );
    return { url, expiresAt: new Date(Date.now() + seconds * 1000).toISOString() };
  }
}
