import type { S3Client } from '@aws-sdk/client-s3';
import type { EvidenceBucket, StoredObject, UploadForm } from '../../ports';
import { type ClientSource, clientOf } from './client-source';
import type { S3UrlSigner } from './s3-url-signer';

// The S3 module is imported where a request uses it, never at module level: see `ClientSource`.
const s3Module = () => import('./s3-sdk');

/**
 * The evidence bucket over S3 (s3rver locally). Forms are presigned POSTs whose policy pins the
 * key, the content type and the size range: S3 refuses anything else before it is stored. Forms and
 * links are signed without the S3 client (`signer`): the attachments function, which only signs,
 * never loads it.
 */
export class S3EvidenceBucket implements EvidenceBucket {
  constructor(
    private readonly options: { client: ClientSource<S3Client>; signer: S3UrlSigner; bucket: string },
  ) {}

  private client() {
    return clientOf(this.options.client);
  }

  private get bucket() {
    return this.options.bucket;
  }

  async uploadForm(request: {
    key: string;
    contentType: string;
    maxBytes: number;
    expiresInSeconds: number;
  }): Promise<UploadForm> {
    const expiresAt = new Date(Date.now() + request.expiresInSeconds * 1000).toISOString();
    const { url, fields } = await this.options.signer.postForm({
      bucket: this.bucket,
      key: request.key,
      conditions: [
        ['content-length-range', 1, request.maxBytes],
        ['eq', '$Content-Type', request.contentType],
      ],
      fields: { 'Content-Type': request.contentType },
      expiresInSeconds: request.expiresInSeconds,
    });
    return { url, fields, expiresAt };
  }

  async head(key: string): Promise<StoredObject | undefined> {
    const { HeadObjectCommand, NotFound } = await s3Module();
    try {
      const head = await (await this.client()).send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return {
        bytes: head.ContentLength ?? 0,
        ...(head.LastModified && { lastModified: head.LastModified.toISOString() }),
      };
    } catch (error) {
      if (error instanceof NotFound || (error as { name?: string }).name === 'NotFound') return undefined;
      throw error;
    }
  }

  async read(key: string): Promise<Uint8Array> {
    const { GetObjectCommand } = await s3Module();
    const object = await (await this.client()).send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
    return object.Body ? await object.Body.transformToByteArray() : new Uint8Array();
  }

  async readStart(key: string, length: number): Promise<Uint8Array> {
    const { GetObjectCommand } = await s3Module();
    const object = await (await this.client()).send(
      new GetObjectCommand({ Bucket: this.bucket, Key: key, Range: `bytes=0-${length - 1}` }),
    );
    const bytes = object.Body ? await object.Body.transformToByteArray() : new Uint8Array();
    return bytes.subarray(0, length);
  }

  async put(key: string, body: Uint8Array, contentType: string): Promise<void> {
    const { PutObjectCommand } = await s3Module();
    await (await this.client()).send(
      new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentType: contentType }),
    );
  }

  async copy(from: string, to: string): Promise<void> {
    const { CopyObjectCommand } = await s3Module();
    await (await this.client()).send(
      new CopyObjectCommand({
        Bucket: this.bucket,
        Key: to,
        CopySource: `${this.bucket}/${from.split('/').map(encodeURIComponent).join('/')}`,
      }),
    );
  }

  async move(from: string, to: string): Promise<void> {
    await this.copy(from, to);
    const { DeleteObjectCommand } = await s3Module();
    await (await this.client()).send(new DeleteObjectCommand({ Bucket: this.bucket, Key: from }));
  }

  downloadUrl(key: string, expiresInSeconds: number): Promise<string> {
    return this.options.signer.getObjectUrl({ bucket: this.bucket, key, expiresInSeconds });
  }
}
