import { createHash, createHmac } from 'node:crypto';

/** The credentials a link or form is signed with (the function role's, as every SDK client uses). */
export interface SigningCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface S3UrlSignerOptions {
  /** The region the bucket is in (the SDK clients' region chain). */
  region: () => Promise<string>;
  /** The SDK clients' credential chain: called for every signature, it caches and refreshes. */
  credentials: () => Promise<SigningCredentials>;
  /** A local S3 (s3rver): path-style URLs on this endpoint, as the S3 client builds them there. */
  endpoint?: string;
}

/** What a link or form lets its holder do: the IAM check of the local cloud authorizes it. */
export interface SignedAccess {
  operation: 'GetObject' | 'PutObject';
  bucket: string;
  key: string;
}

/** A POST policy condition, as S3 reads it (`["content-length-range", 1, n]`, `["eq", "$Content-Type", t]`). */
export type PostCondition =
  | ['eq' | 'starts-with', string, string]
  | ['content-length-range', number, number]
  | Record<string, string>;

const ALGORITHM = 'AWS4-HMAC-SHA256';
const MAX_EXPIRY_SECONDS = 7 * 24 * 3600;

/** RFC 3986 escaping, as SigV4 and the S3 client's URI labels use it. */
const uriEscape = (value: string) =>
  encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** A query string as SigV4 canonicalizes it and the SDK writes it: escaped, sorted by name. */
const queryString = (query: Record<string, string>) =>
  Object.keys(query)
    .sort()
    .map((name) => `${uriEscape(name)}=${uriEscape(query[name]!)}`)
    .join('&');

/** A key as an S3 URI path: each segment escaped, the slashes kept. */
const keyPath = (key: string) => key.split('/').map(uriEscape).join('/');

const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data, 'utf8').digest();

/** `20261206T224316Z`: the SigV4 date of `now` (seconds, no separators). */
const signingDateOf = (now: Date) =>
  now
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/[-:]/g, '');

/** A bucket name the S3 endpoint rules put in the host name (`bucket.s3.region.…`): a DNS label, lower case. */
const virtualHostable = (bucket: string) =>
  /^(?!-)[a-z0-9-]{3,63}(?<!-)$/.test(bucket) && !/^\d+\.\d+\.\d+\.\d+$/.test(bucket);

/** The S3 endpoint's DNS suffix by partition; the isolated partitions are not served. */
const dnsSuffixOf = (region: string) => {
  if (/^[a-z]{2}-iso[a-z]?-/.test(region))
    throw new Error(`S3UrlSigner does not know the partition of ${region}`);
  return region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
};

/**
 * Presigned S3 links (GET) and upload forms (POST policies) without the S3 client: evaluating and
 * building that client is ~15 ms of a cold start, a third of a minimal handler's, while a signature
 * is a few HMACs. The URLs and forms are those `getSignedUrl` and `createPresignedPost` of the AWS
 * SDK give for the same client defaults (virtual-hosted URLs on AWS, path-style on a local endpoint,
 * the `x-amz-checksum-mode` the SDK adds to a GetObject), byte for byte: tests/unit/s3-url-signer.test.ts
 * holds them side by side.
 */
export class S3UrlSigner {
  private readonly checks: ((access: SignedAccess) => void)[] = [];

  constructor(private readonly options: S3UrlSignerOptions) {}

  /** Runs `check` before every link or form is signed; it throws to refuse (the local cloud's IAM check). */
  beforeSigning(check: (access: SignedAccess) => void): void {
    this.checks.push(check);
  }

  private authorize(access: SignedAccess) {
    for (const check of this.checks) check(access);
  }

  /** The bucket's URL: scheme and host, and the path to the bucket (empty when the host names it). */
  private bucketUrl(bucket: string, region: string): { origin: string; path: string } {
    if (this.options.endpoint !== undefined) {
      const url = new URL(this.options.endpoint);
      const base = url.pathname.endsWith('/') ? url.pathname : `${url.pathname}/`;
      return { origin: `${url.protocol}//${url.host}`, path: `${base}${uriEscape(bucket)}` };
    }
    const suffix = dnsSuffixOf(region);
    return virtualHostable(bucket)
      ? { origin: `https://${bucket}.s3.${region}.${suffix}`, path: '' }
      : { origin: `https://s3.${region}.${suffix}`, path: `/${uriEscape(bucket)}` };
  }

  private signingKey(credentials: SigningCredentials, shortDate: string, region: string) {
    const dateKey = hmac(`AWS4${credentials.secretAccessKey}`, shortDate);
    return hmac(hmac(hmac(dateKey, region), 's3'), 'aws4_request');
  }

  /** A presigned GET of one object, valid for `expiresInSeconds` (at most a week). */
  async getObjectUrl(request: {
    bucket: string;
    key: string;
    expiresInSeconds: number;
    /** The `Content-Disposition` S3 answers with (a download's file name). */
    responseContentDisposition?: string;
  }): Promise<string> {
    const { bucket, key, expiresInSeconds } = request;
    if (expiresInSeconds > MAX_EXPIRY_SECONDS) throw new Error('a presigned URL expires within a week');
    this.authorize({ operation: 'GetObject', bucket, key });
    const [region, credentials] = await Promise.all([this.options.region(), this.options.credentials()]);
    const signingDate = signingDateOf(new Date());
    const shortDate = signingDate.slice(0, 8);
    const scope = `${shortDate}/${region}/s3/aws4_request`;
    const { origin, path: bucketPath } = this.bucketUrl(bucket, region);
    const path = `${bucketPath}/${keyPath(key)}`;
    const host = new URL(origin).host;
    const query: Record<string, string> = {
      'X-Amz-Algorithm': ALGORITHM,
      'X-Amz-Content-Sha256': 'UNSIGNED-PAYLOAD',
      'X-Amz-Credential': `${credentials.accessKeyId}/${scope}`,
      'X-Amz-Date': signingDate,
      'X-Amz-Expires': String(expiresInSeconds),
      ...(credentials.sessionToken && { 'X-Amz-Security-Token': credentials.sessionToken }),
      'X-Amz-SignedHeaders': 'host',
      ...(request.responseContentDisposition !== undefined && {
        'response-content-disposition': request.responseContentDisposition,
      }),
      'x-amz-checksum-mode': 'ENABLED',
      'x-id': 'GetObject',
    };
    const canonicalRequest = [
      'GET',
      path,
      queryString(query),
      `host:${host}`,
      '',
      'host',
      'UNSIGNED-PAYLOAD',
    ].join('\n');
    const stringToSign = [
      ALGORITHM,
      signingDate,
      scope,
      createHash('sha256').update(canonicalRequest, 'utf8').digest('hex'),
    ].join('\n');
    const signature = createHmac('sha256', this.signingKey(credentials, shortDate, region))
      .update(stringToSign, 'utf8')
      .digest('hex');
    return `${origin}${path}?${queryString({ ...query, 'X-Amz-Signature': signature })}`;
  }

  /**
   * A presigned POST (an HTML form upload) of one object: S3 accepts it only while the policy holds
   * (the key, `conditions`, `fields`) and before `expiresInSeconds` have passed.
   */
  async postForm(request: {
    bucket: string;
    key: string;
    conditions: PostCondition[];
    fields: Record<string, string>;
    expiresInSeconds: number;
  }): Promise<{ url: string; fields: Record<string, string> }> {
    const { bucket, key } = request;
    this.authorize({ operation: 'PutObject', bucket, key });
    const [region, credentials] = await Promise.all([this.options.region(), this.options.credentials()]);
    const now = new Date();
    const signingDate = signingDateOf(now);
    const shortDate = signingDate.slice(0, 8);
    const fields: Record<string, string> = {
      ...request.fields,
      bucket,
      'X-Amz-Algorithm': ALGORITHM,
      'X-Amz-Credential': `${credentials.accessKeyId}/${shortDate}/${region}/s3/aws4_request`,
      'X-Amz-Date': signingDate,
      ...(credentials.sessionToken && { 'X-Amz-Security-Token': credentials.sessionToken }),
    };
    // The policy lists the conditions, then every field, then the key, each once.
    const conditions = [
      ...new Set([
        ...request.conditions.map((condition) => JSON.stringify(condition)),
        ...Object.entries(fields).map(([name, value]) => JSON.stringify({ [name]: value })),
        JSON.stringify({ key }),
      ]),
    ].map((condition) => JSON.parse(condition) as unknown);
    const expiration = new Date(now.getTime() + request.expiresInSeconds * 1000)
      .toISOString()
      .replace(/\.\d{3}Z$/, 'Z');
    const policy = Buffer.from(JSON.stringify({ expiration, conditions }), 'utf8').toString('base64');
    const signature = createHmac('sha256', this.signingKey(credentials, shortDate, region))
      .update(policy, 'utf8')
      .digest('hex');
    const { origin, path } = this.bucketUrl(bucket, region);
    return {
      url: `${origin}${path || '/'}`,
      fields: { ...fields, key, Policy: policy, 'X-Amz-Signature': signature },
    };
  }
}
