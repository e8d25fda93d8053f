import type { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import type { S3Event } from 'aws-lambda';

/** s3rver ships no types: the little of it this runtime uses. */
interface S3rverInstance extends EventEmitter {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
}
type S3rverClass = new (options: Record<string, unknown>) => S3rverInstance;
interface S3rverAccount {
  createKeyPair(accessKeyId: string, secretAccessKey: string): void;
}

const require = createRequire(import.meta.url);

/**
 * The browser (field page, cockpit) posts forms to the bucket and fetches thumbnails from it, from
 * the local gateway's origin: the same CORS the CDK bucket has.
 */
const CORS = `<CORSConfiguration>
  <CORSRule>
    <AllowedOrigin>*</AllowedOrigin>
    <AllowedMethod>GET</AllowedMethod>
    <AllowedMethod>HEAD</AllowedMethod>
    <AllowedMethod>POST</AllowedMethod>
    <AllowedHeader>*</AllowedHeader>
    <MaxAgeSeconds>3000</MaxAgeSeconds>
  </CORSRule>
</CORSConfiguration>`;

export interface LocalS3Server {
  endpoint: string;
  bucket: string;
  /** S3 notifications as s3rver produces them (ObjectCreated:Put/Post/Copy, ObjectRemoved). */
  onEvent(listener: (event: S3Event) => void): void;
  stop(): Promise<void>;
}

/**
 * s3rver in this process, on disk under `directory`, with the evidence bucket (and any `others`,
 * such as the exports bucket) created. It checks
 * no SigV4 signature and no POST policy: the evidence check enforces type and size again. Its
 * access keys must be known to it, so the runtime's fixed local credentials are registered.
 */
export const startS3rver = async (options: {
  directory: string;
  bucket: string;
  others?: string[];
  credentials: { accessKeyId: string; secretAccessKey: string };
  port?: number;
}): Promise<LocalS3Server> => {
  const S3rver = require('s3rver') as S3rverClass;
  const { DUMMY_ACCOUNT } = require('s3rver/lib/models/account') as { DUMMY_ACCOUNT: S3rverAccount };
  DUMMY_ACCOUNT.createKeyPair(options.credentials.accessKeyId, options.credentials.secretAccessKey);
  const server = new S3rver({
    address: '127.0.0.1',
    port: options.port ?? 0,
    silent: true,
    directory: options.directory,
    // Path-style only: the SDK and the forms use http://127.0.0.1:<port>/<bucket>/<key>.
    vhostBuckets: false,
    configureBuckets: [options.bucket, ...(options.others ?? [])].map((name) => ({ name, configs: [CORS] })),
  });
  const address = await server.run();
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    bucket: options.bucket,
    onEvent: (listener) => server.on('event', listener),
    stop: () => server.close(),
  };
};
