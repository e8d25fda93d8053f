import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type PostCondition, S3UrlSigner } from '../../shared/adapters/aws/s3-url-signer';

/**
 * The light signer against the AWS SDK's presigners, with the same clock, region, credentials and
 * endpoint: every link and form must be the SDK's, byte for byte (so S3 accepts them as it accepts
 * the SDK's; s3rver checks no signature).
 */

const LOCAL_ENDPOINT = 'http://127.0.0.1:4569';

interface Setup {
  region: string;
  bucket: string;
  sessionToken: string | undefined;
  local: boolean;
}

const clientsFor = ({ region, sessionToken, local }: Setup) => {
  const credentials = {
    accessKeyId: 'AKIDEXAMPLE',
    secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
    ...(sessionToken !== undefined && { sessionToken }),
  };
  const endpoint = local ? { endpoint: LOCAL_ENDPOINT } : {};
  const sdk = new S3Client({ region, credentials, ...(local && { ...endpoint, forcePathStyle: true }) });
  const signer = new S3UrlSigner({
    region: async () => region,
    credentials: async () => credentials,
    ...endpoint,
  });
  return { sdk, signer };
};

const setups = fc.record({
  region: fc.constantFrom('us-east-1', 'eu-west-1', 'ap-east-1', 'cn-northwest-1', 'cn-north-1'),
  bucket: fc.oneof(
    fc.stringMatching(/^[a-z0-9][a-z0-9-]{1,40}[a-z0-9]$/),
    fc.constantFrom('xietong-sandun-evidencebucket-1x2y3z', 'dotted.bucket.name', 'ab1'),
  ),
  sessionToken: fc.option(fc.string({ minLength: 1, maxLength: 40 }), { nil: undefined }),
  local: fc.boolean(),
});

/** Object keys as the functions write them and beyond: unicode, spaces, reserved characters. */
const keys = fc
  .array(
    fc.oneof(
      fc.string({ unit: 'grapheme', minLength: 1, maxLength: 12 }),
      fc.constantFrom('cases', 'C1', '导出 x.csv', "a+b!'()*"),
    ),
    {
      minLength: 1,
      maxLength: 4,
    },
  )
  .map((segments) => segments.join('/'))
  .filter((key) => !key.split('/').some((s) => s === '' || s === '.' || s === '..'));

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'], now: new Date('2026-12-06T22:43:16.789Z') });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('S3UrlSigner', () => {
  it("signs a GET link exactly as the SDK's getSignedUrl does", async () => {
    await fc.assert(
      fc.asyncProperty(
        setups,
        keys,
        fc.option(fc.string({ unit: 'grapheme', maxLength: 60 }), { nil: undefined }),
        fc.integer({ min: 1, max: 604_800 }),
        async (setup, key, disposition, expiresIn) => {
          const { sdk, signer } = clientsFor(setup);
          const command = new GetObjectCommand({
            Bucket: setup.bucket,
            Key: key,
            ...(disposition !== undefined && { ResponseContentDisposition: disposition }),
          });
          const expected = await getSignedUrl(sdk, command, { expiresIn });
          const actual = await signer.getObjectUrl({
            bucket: setup.bucket,
            key,
            expiresInSeconds: expiresIn,
            ...(disposition !== undefined && { responseContentDisposition: disposition }),
          });
          expect(actual).toBe(expected);
        },
      ),
      { numRuns: 150 },
    );
  });

  it("signs an upload form exactly as the SDK's createPresignedPost does", async () => {
    await fc.assert(
      fc.asyncProperty(
        setups,
        keys,
        fc.constantFrom('image/jpeg', 'video/mp4', 'image/heic'),
        fc.integer({ min: 1, max: 50_000_000 }),
        fc.integer({ min: 1, max: 3600 }),
        async (setup, key, contentType, maxBytes, expires) => {
          const { sdk, signer } = clientsFor(setup);
          const conditions: PostCondition[] = [
            ['content-length-range', 1, maxBytes],
            ['eq', '$Content-Type', contentType],
          ];
          const fields = { 'Content-Type': contentType };
          const expected = await createPresignedPost(sdk, {
            Bucket: setup.bucket,
            Key: key,
            Conditions: conditions,
            Fields: fields,
            Expires: expires,
          });
          const actual = await signer.postForm({
            bucket: setup.bucket,
            key,
            conditions,
            fields,
            expiresInSeconds: expires,
          });
          // Same fields in the same order: the order of a form's fields is what the browser posts.
          expect(Object.entries(actual.fields)).toEqual(Object.entries(expected.fields));
          expect(actual.url).toBe(expected.url);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('asks every check before signing, and signs nothing a check refuses', async () => {
    const { signer } = clientsFor({ region: 'us-east-1', bucket: 'b', sessionToken: undefined, local: true });
    const seen: unknown[] = [];
    signer.beforeSigning((access) => {
      seen.push(access);
      if (access.operation === 'PutObject') throw new Error('denied');
    });
    await signer.getObjectUrl({ bucket: 'evidence', key: 'cases/C1/A1', expiresInSeconds: 60 });
    await expect(
      signer.postForm({
        bucket: 'evidence',
        key: 'cases/C1/A2',
        conditions: [],
        fields: {},
        expiresInSeconds: 60,
      }),
    ).rejects.toThrow('denied');
    expect(seen).toEqual([
      { operation: 'GetObject', bucket: 'evidence', key: 'cases/C1/A1' },
      { operation: 'PutObject', bucket: 'evidence', key: 'cases/C1/A2' },
    ]);
  });
});
