/**
 * `npm run bench:evidence -- --photos 200 --concurrency 8 --size-mb 3`: the evidence check on the
 * local cloud. Starts `npm start` in a child process (s3rver on disk, the evidence function driven
 * by s3rver's object events, two checks at a time), opens a few accepted cases, uploads N photos of
 * ~3 MB (EXIF time + GPS) with presigned POST forms and measures upload complete → `verified`
 * (the attachment's checkedAt minus the moment the upload's 204 came back; same machine clock).
 * Then, in this process: sharp's thumbnail and EXIF read times, and the evidence function's bundle
 * (esbuild as CDK runs it, sharp external: it is installed beside the bundle for linux-arm64).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';
import sharp from 'sharp';
import { type SpawnedCloud, spawnLocalCloud } from '../infra/local/spawn';
import { readPhoto, thumbnailOf } from '../shared/adapters/image/photo-reader';
import { FUNCTIONS } from '../shared/runtime/functions';
import { recordFigures } from './report';

const { values } = parseArgs({
  options: {
    photos: { type: 'string', default: '200' },
    concurrency: { type: 'string', default: '8' },
    'size-mb': { type: 'string', default: '3' },
    cases: { type: 'string', default: '10' },
  },
});
const PHOTOS = Number(values.photos);
const CONCURRENCY = Number(values.concurrency);
const SIZE_MB = Number(values['size-mb']);
const CASES = Number(values.cases);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? Number.NaN;
const round = (n: number, digits = 1) => Number(n.toFixed(digits));

/** EXIF rationals for degrees. */
const rational = (value: number) => {
  const degrees = Math.floor(value);
  const minutes = Math.floor((value - degrees) * 60);
  const seconds = Math.round(((value - degrees) * 60 - minutes) * 6000);
  return `${degrees}/1 ${minutes}/1 ${seconds}/100`;
};

/** A phone-like JPEG of about `mb` MB: textured pixels (they don't compress away), EXIF time + GPS. */
const makePhoto = async (mb: number, at: { lat: number; lng: number }) => {
  const width = 2400;
  let height = 1600;
  for (;;) {
    const pixels = Buffer.alloc(width * height * 3);
    let seed = 12345;
    for (let i = 0; i < pixels.length; i++) {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      pixels[i] = (seed >> 16) & 0xff;
    }
    const photo = await sharp(pixels, { raw: { width, height, channels: 3 } })
      .jpeg({ quality: 80 })
      .withExif({
        IFD0: { Make: 'bench', Model: 'field phone' },
        IFD2: { DateTimeOriginal: '2099:01:01 00:00:00' },
        IFD3: {
          GPSLatitudeRef: 'N',
          GPSLatitude: rational(at.lat),
          GPSLongitudeRef: 'E',
          GPSLongitude: rational(at.lng),
        },
      })
      .toBuffer();
    if (photo.length >= mb * 0.9 * 1024 * 1024 || height > 8000) return photo;
    height = Math.ceil((height * (mb * 1024 * 1024)) / photo.length);
  }
};

/** Now, as a phone in Hangzhou writes it in EXIF. */
const exifNow = () => {
  const local = new Date(Date.now() + 8 * 3600_000 + 2000).toISOString();
  return `${local.slice(0, 10).replaceAll('-', ':')} ${local.slice(11, 19)}`;
};

let cloud: SpawnedCloud | undefined;
const dataDir = mkdtempSync(join(tmpdir(), 'xietong-bench-evidence-'));

const main = async () => {
  cloud = await spawnLocalCloud({ dataDir });
  const base = cloud.info.url;
  const { users } = (await (await fetch(`${base}/local/tokens`)).json()) as {
    users: { role: string; department: string | null; zone: string | null; token: string }[];
  };
  const tokenOf = (role: string, match: { department?: string; zone?: string } = {}) =>
    users.find(
      (u) =>
        u.role === role &&
        (!match.department || u.department === match.department) &&
        (!match.zone || u.zone === match.zone),
    )!.token;
  const api = async (path: string, token: string, body?: unknown, headers: Record<string, string> = {}) => {
    const response = await fetch(`${base}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        ...(body !== undefined && { 'content-type': 'application/json' }),
        ...headers,
      },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    // biome-ignore lint/suspicious/noExplicitAny: the bench reads arbitrary JSON replies
    return { status: response.status, body: (await response.json()) as any };
  };

  const staff = tokenOf('department_staff', { department: 'market-regulation' });
  const field = tokenOf('field_worker', { department: 'market-regulation' });
  const location = { lat: 30.284, lng: 120.069 };
  const caseIds: string[] = [];
  for (let i = 0; i < CASES; i++) {
    const reported = await api('/v1/cases', tokenOf('command_centre'), {
      source: 'patrol',
      category: 'event.household-workshop',
      description: `评测：家庭作坊违规生产 ${i}`,
      // ~120 m apart (separate events, not duplicates), all within the district's 1 km of the photos.
      location: { lat: location.lat + (i - (CASES - 1) / 2) * 0.0011, lng: location.lng, crs: 'wgs84' },
    });
    caseIds.push(reported.body.id);
  }
  for (const id of caseIds) {
    let c: { status: string; zone?: { id: string } } = { status: 'reported' };
    for (let i = 0; i < 200 && c.status !== 'registered'; i++) {
      await sleep(100);
      c = (await api(`/v1/cases/${id}`, staff)).body;
    }
    await api(`/v1/cases/${id}/dispatch`, tokenOf('area_chief', { zone: c.zone?.id }), {});
    await api(`/v1/cases/${id}/accept`, staff, {});
  }

  const photo = await makePhoto(SIZE_MB, location);
  process.stdout.write(
    `local cloud up; ${CASES} accepted cases; uploading ${PHOTOS} photos of ${(photo.length / 1024 / 1024).toFixed(2)} MB, ${CONCURRENCY} at a time\n`,
  );
  // A fresh EXIF time per upload (after dispatch, not in the future): same pixels, new header.
  const withTime = async () =>
    sharp(photo)
      .withExifMerge({ IFD2: { DateTimeOriginal: exifNow() } })
      .jpeg({ quality: 80 })
      .toBuffer();
  const variant = await withTime();

  const uploadedAt = new Map<string, number>();
  const uploadMs: number[] = [];
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= PHOTOS) return;
      const caseId = caseIds[i % caseIds.length]!;
      const form = await api(
        `/v1/cases/${caseId}/attachments`,
        field,
        { kind: 'photo', contentType: 'image/jpeg', size: variant.length },
        { 'idempotency-key': `bench-${i}` },
      );
      if (form.status !== 201) throw new Error(`form: ${form.status} ${JSON.stringify(form.body)}`);
      const body = new FormData();
      for (const [name, value] of Object.entries(form.body.upload.fields as Record<string, string>)) {
        body.append(name, value);
      }
      body.append('file', new Blob([variant], { type: 'image/jpeg' }), 'photo.jpg');
      const t0 = performance.now();
      const response = await fetch(form.body.upload.url, { method: 'POST', body });
      if (response.status !== 204) throw new Error(`upload: ${response.status}`);
      uploadMs.push(performance.now() - t0);
      uploadedAt.set(form.body.attachment.id, Date.now());
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const uploadsDone = performance.now();

  // Wait until every attachment is checked; the lag is checkedAt − upload complete.
  const lags: number[] = [];
  const statuses: Record<string, number> = {};
  const pending = new Set(uploadedAt.keys());
  while (pending.size > 0) {
    await sleep(500);
    for (const caseId of caseIds) {
      const listed = await api(`/v1/cases/${caseId}/attachments`, staff);
      for (const a of listed.body.items as {
        id: string;
        status: string;
        checkedAt?: string;
        rule?: string;
      }[]) {
        if (!pending.has(a.id) || a.status === 'pending' || !a.checkedAt) continue;
        pending.delete(a.id);
        const key = a.status === 'verified' ? 'verified' : `rejected:${a.rule}`;
        statuses[key] = (statuses[key] ?? 0) + 1;
        lags.push(Date.parse(a.checkedAt) - uploadedAt.get(a.id)!);
      }
    }
    if (performance.now() - uploadsDone > 15 * 60_000) throw new Error(`${pending.size} never checked`);
  }
  const allChecked = performance.now();
  lags.sort((a, b) => a - b);
  uploadMs.sort((a, b) => a - b);

  // In this process: sharp and exifr on the same photo.
  const thumbnailMs: number[] = [];
  const exifMs: number[] = [];
  for (let i = 0; i < 20; i++) {
    let t0 = performance.now();
    await thumbnailOf(variant);
    thumbnailMs.push(performance.now() - t0);
    t0 = performance.now();
    await readPhoto(variant, 'Asia/Shanghai');
    exifMs.push(performance.now() - t0);
  }
  thumbnailMs.sort((a, b) => a - b);
  exifMs.sort((a, b) => a - b);

  // The bundles as CDK's NodejsFunction builds them (ESM, node22, minified), sharp external.
  const bundleKb = async (name: string) => {
    const spec = FUNCTIONS.find((f) => f.name === name)!;
    const result = await build({
      entryPoints: [spec.entry],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node22',
      minify: true,
      write: false,
      mainFields: ['module', 'main'],
      external: spec.nativeModules ?? [],
      logLevel: 'silent',
    });
    return result.outputFiles.reduce((sum, f) => sum + f.contents.length, 0) / 1024;
  };
  const evidenceKb = await bundleKb('evidence');
  const attachmentsKb = await bundleKb('attachments');

  const figures = [
    {
      name: 'photos uploaded',
      value: PHOTOS,
      unit: 'photos',
      note: `${(variant.length / 1024 / 1024).toFixed(2)} MB each, ${CONCURRENCY} uploads at a time, ${CASES} cases`,
    },
    {
      name: 'upload complete → verified p50',
      value: round(percentile(lags, 0.5)),
      unit: 'ms',
      note: 'checkedAt − the upload POST answering 204; local cloud, two checks at a time',
    },
    { name: 'upload complete → verified p99', value: round(percentile(lags, 0.99)), unit: 'ms' },
    {
      name: 'all checked after the last upload',
      value: round((allChecked - uploadsDone) / 1000, 1),
      unit: 's',
      note: 'includes the 0.5 s polling step',
    },
    {
      name: 'check throughput',
      value: round(PHOTOS / ((allChecked - started) / 1000), 2),
      unit: 'photos/s',
      note: 'uploads and checks overlapping, one s3rver, 2 cores',
    },
    { name: 'upload (multipart POST to s3rver) p50', value: round(percentile(uploadMs, 0.5)), unit: 'ms' },
    {
      name: 'thumbnail (sharp, 320 px JPEG) p50',
      value: round(percentile(thumbnailMs, 0.5)),
      unit: 'ms',
      note: 'in the bench process, same photo',
    },
    { name: 'thumbnail p99', value: round(percentile(thumbnailMs, 0.99)), unit: 'ms' },
    {
      name: 'EXIF read + decode header (exifr, sharp metadata) p50',
      value: round(percentile(exifMs, 0.5)),
      unit: 'ms',
    },
    {
      name: 'evidence function bundle',
      value: round(evidenceKb),
      unit: 'KB',
      note: 'esbuild ESM minified, SDK bundled, sharp external (installed beside it for linux-arm64, ~+8 MB unzipped)',
    },
    {
      name: 'attachments function bundle',
      value: round(attachmentsKb),
      unit: 'KB',
      note: 'for comparison: no sharp',
    },
  ];
  process.stdout.write(`checked: ${JSON.stringify(statuses)}\n`);
  for (const f of figures)
    process.stdout.write(`  ${f.name}: ${f.value} ${f.unit}${f.note ? `  (${f.note})` : ''}\n`);
  if ((statuses.verified ?? 0) !== PHOTOS)
    throw new Error(`only ${statuses.verified ?? 0} of ${PHOTOS} verified`);
  recordFigures('evidence', figures);
};

try {
  await main();
} finally {
  await cloud?.kill('SIGTERM');
  rmSync(dataDir, { recursive: true, force: true });
}
