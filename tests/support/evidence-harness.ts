import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import type { APIGatewayProxyStructuredResultV2, S3Event } from 'aws-lambda';
import sharp from 'sharp';
import { makeHandler as makeAttachmentsHandler } from '../../functions/attachments/app';
import { makeHandler as makeEvidenceHandler } from '../../functions/evidence/app';
import { type LocalS3Server, startS3rver } from '../../infra/local/s3';
import { DynamoAttachmentStore } from '../../shared/adapters/aws/dynamodb-attachment-store';
import { DynamoRateLimiter } from '../../shared/adapters/aws/dynamodb-rate-limiter';
import { S3EvidenceBucket } from '../../shared/adapters/aws/s3-evidence-bucket';
import { S3UrlSigner } from '../../shared/adapters/aws/s3-url-signer';
import { sharpPhotoTools } from '../../shared/adapters/image/photo-reader';
import type { DistrictIndex } from '../../shared/domain/district-index';
import { SNAPSHOT_PREFIX, UPLOAD_PREFIX } from '../../shared/domain/evidence';
import type { Clock } from '../../shared/ports';
import { apiEvent, lambdaContext } from './api-event';
import { type casesHarness, type Reply, sandun, TEST_ISSUER } from './cases-harness';
import type { Emulators } from './emulators';
import { asFunction } from './iam';

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

/**
 * s3rver on disk in a temp folder (one per test file), the attachments and evidence functions
 * wired to it and to the emulators; s3rver's object events invoke the evidence function as S3
 * notifications invoke the Lambda, and each invocation can be awaited by object key.
 */
export const startEvidenceHarness = async (
  emulators: Emulators,
  cases: ReturnType<typeof casesHarness>,
  options: { district?: DistrictIndex; clock?: Clock } = {},
) => {
  const directory = mkdtempSync(join(tmpdir(), 'xietong-s3-'));
  const server: LocalS3Server = await startS3rver({
    directory,
    bucket: 'xietong-test-evidence',
    credentials,
  });
  const s3 = new S3Client({
    endpoint: server.endpoint,
    forcePathStyle: true,
    region: 'us-east-1',
    credentials,
  });
  const signer = new S3UrlSigner({
    region: async () => 'us-east-1',
    credentials: async () => credentials,
    endpoint: server.endpoint,
  });
  emulators.iam.guard.extend(s3);
  emulators.iam.guard.extend(signer);
  emulators.iam.name({ evidenceBucket: server.bucket });
  const bucket = new S3EvidenceBucket({ client: s3, signer, bucket: server.bucket });
  const attachments = new DynamoAttachmentStore({
    client: emulators.documents,
    tableName: emulators.tableName,
  });
  const district = options.district ?? sandun;
  const clock = options.clock ?? cases.clock;
  const identity = { issuer: TEST_ISSUER, claims: { role: 'role', department: 'department', zone: 'zone' } };
  const rateLimiter = new DynamoRateLimiter({ client: emulators.documents, tableName: emulators.tableName });
  const deps = { store: cases.store, attachments, bucket, district, clock, identity, rateLimiter };
  const attachmentsFn = asFunction('attachments', makeAttachmentsHandler(deps));
  let formClock = clock;
  const formsFn = () => asFunction('attachments', makeAttachmentsHandler({ ...deps, clock: formClock }));
  const evidenceFn = asFunction('evidence', makeEvidenceHandler({ ...deps, photos: sharpPhotoTools }));

  const checks = new Map<string, Promise<unknown>>();
  server.onEvent((event: S3Event) => {
    const key = event.Records[0]?.s3.object.key;
    if (!key || !event.Records[0]?.eventName.startsWith('ObjectCreated')) return;
    // The stack's notification (and the local cloud's) covers cases/ and snapshots/ only: the
    // function's own thumbnails and quarantine moves never invoke it.
    if (!key.startsWith(UPLOAD_PREFIX) && !key.startsWith(SNAPSHOT_PREFIX)) return;
    checks.set(key, evidenceFn(event, lambdaContext()));
  });

  const invoke = async (call: Parameters<typeof apiEvent>[0], fn = attachmentsFn): Promise<Reply> => {
    const result = (await fn(
      apiEvent(call) as never,
      lambdaContext() as never,
    )) as APIGatewayProxyStructuredResultV2;
    return {
      status: result.statusCode ?? 200,
      headers: (result.headers ?? {}) as Record<string, string>,
      body: result.body ? JSON.parse(result.body) : undefined,
    };
  };

  return {
    server,
    s3,
    bucket,
    attachments,
    /** Issue forms with another clock (an expired form: a clock in the past). */
    useFormClock: (c: Clock) => {
      formClock = c;
    },
    requestForm: (
      caseId: string,
      body: Record<string, unknown>,
      claims: Record<string, string>,
      headers: Record<string, string> = {},
    ) =>
      invoke(
        {
          routeKey: 'POST /v1/cases/{id}/attachments',
          path: `/v1/cases/${caseId}/attachments`,
          pathParameters: { id: caseId },
          body,
          claims,
          headers,
        },
        formsFn(),
      ),
    list: (caseId: string, claims: Record<string, string>) =>
      invoke({
        routeKey: 'GET /v1/cases/{id}/attachments',
        path: `/v1/cases/${caseId}/attachments`,
        pathParameters: { id: caseId },
        claims,
      }),
    /** The check the object's arrival started (resolves when the evidence function returns). */
    checked: async (key: string) => {
      for (let i = 0; i < 200 && !checks.has(key); i++) await new Promise((r) => setTimeout(r, 10));
      return checks.get(key);
    },
    async stop() {
      s3.destroy();
      await server.stop();
      rmSync(directory, { recursive: true, force: true });
    },
  };
};

/** Uploads like a browser: multipart POST of the form's fields, then the file last. */
export const uploadWithForm = async (
  upload: { url: string; fields: Record<string, string> },
  content: Uint8Array,
  filename = 'photo.jpg',
): Promise<Response> => {
  const form = new FormData();
  for (const [name, value] of Object.entries(upload.fields)) form.append(name, value);
  form.append('file', new Blob([content], { type: upload.fields['Content-Type'] }), filename);
  return fetch(upload.url, { method: 'POST', body: form });
};

/** Degrees as EXIF rationals (degrees, minutes, hundredths of seconds). */
const rational = (value: number) => {
  const abs = Math.abs(value);
  const degrees = Math.floor(abs);
  const minutes = Math.floor((abs - degrees) * 60);
  const seconds = Math.round(((abs - degrees) * 60 - minutes) * 60 * 100);
  return `${degrees}/1 ${minutes}/1 ${seconds}/100`;
};

/** EXIF wall time in a zone, as a phone writes it ("YYYY:MM:DD HH:mm:ss"). */
export const exifTime = (iso: string, timeZone = 'Asia/Shanghai') => {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(iso));
  const get = (type: string) => parts.find((p) => p.type === type)?.value;
  return `${get('year')}:${get('month')}:${get('day')} ${get('hour')}:${get('minute')}:${get('second')}`;
};

/** A real JPEG (noise, so it has some weight) with EXIF time and GPS written by sharp. */
export const jpegWithExif = async (options: {
  takenAt?: string;
  gps?: { lat: number; lng: number };
  width?: number;
  height?: number;
}): Promise<Buffer> => {
  const width = options.width ?? 320;
  const height = options.height ?? 240;
  const noise = Buffer.alloc(width * height * 3);
  for (let i = 0; i < noise.length; i++) noise[i] = (i * 7919 + (i >> 5) * 131) & 0xff;
  return sharp(noise, { raw: { width, height, channels: 3 } })
    .jpeg({ quality: 90 })
    .withExif({
      IFD0: { Make: 'xietong-test', Model: 'field phone' },
      ...(options.takenAt && { IFD2: { DateTimeOriginal: exifTime(options.takenAt) } }),
      ...(options.gps && {
        IFD3: {
          GPSLatitudeRef: options.gps.lat >= 0 ? 'N' : 'S',
          GPSLatitude: rational(options.gps.lat),
          GPSLongitudeRef: options.gps.lng >= 0 ? 'E' : 'W',
          GPSLongitude: rational(options.gps.lng),
        },
      }),
    })
    .toBuffer();
};
