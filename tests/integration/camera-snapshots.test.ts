import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDistrict } from '../../shared/district/load';
import { snapshotAttachmentId } from '../../shared/domain/camera-snapshot';
import { indexDistrict } from '../../shared/domain/district-index';
import { objectKeyOf, snapshotKeyOf } from '../../shared/domain/evidence';
import { routingAreaOf } from '../../shared/domain/routing-area';
import { snapshotPlacer } from '../../shared/usecases/camera-snapshots';
import { type AlertSigner, camerasHarness } from '../support/cameras-harness';
import { casesHarness, claimsFor } from '../support/cases-harness';
import { type Emulators, startEmulators } from '../support/emulators';
import { jpegWithExif, startEvidenceHarness, uploadWithForm } from '../support/evidence-harness';
import { keysHarness } from '../support/keys-harness';

/**
 * A signed camera alert with a snapshot ends as a case with a verified photo from the camera: the
 * cameras function stages the snapshot (uploaded with the reply's form, or fetched from a URL on a
 * host the district lists), the router places the report in a case and copies the snapshot to an
 * attachment of it, and s3rver's events run the evidence function on both keys, as on AWS.
 */

// Sandun, with the test's snapshot server (loopback, plain http) on its list as a local demo would be.
const base = loadDistrict('districts/sandun.json');
const district = indexDistrict({
  ...base,
  cameraAlerts: {
    ...base.cameraAlerts!,
    snapshots: {
      hosts: [
        ...base.cameraAlerts!.snapshots.hosts,
        { host: '127.0.0.1', http: true, privateAddresses: true },
      ],
      maxPerCase: 3,
    },
  },
});

let emulators: Emulators;
let api: ReturnType<typeof casesHarness>;
let evidence: Awaited<ReturnType<typeof startEvidenceHarness>>;
let cams: ReturnType<typeof camerasHarness>;
let camera: AlertSigner;
let server: Server;
let snapshotBase = '';
let jpeg: Buffer;
const served: string[] = [];
const centre = claimsFor.commandCentre();

const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** The case a report ended in (itself, or the case it merged into). */
const caseOfReport = async (reportId: string): Promise<string> => {
  const report = (await api.get(reportId)).body;
  return report.status === 'merged' ? report.mergedInto : report.id;
};

/** The report's snapshot attachment once the evidence check decided it. */
const checkedSnapshot = async (reportId: string) => {
  const caseId = await caseOfReport(reportId);
  const attachmentId = snapshotAttachmentId(reportId);
  await evidence.checked(objectKeyOf(caseId, attachmentId));
  const listed = await evidence.list(caseId, centre);
  expect(listed.status).toBe(200);
  return { caseId, attachment: listed.body.items.find((a: { id: string }) => a.id === attachmentId) };
};

beforeAll(async () => {
  jpeg = await jpegWithExif({ width: 640, height: 360 });
  server = createServer((req, res) => {
    served.push(req.url ?? '');
    if (req.url?.startsWith('/snap/')) res.writeHead(200, { 'content-type': 'image/jpeg' }).end(jpeg);
    else res.writeHead(404).end();
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  snapshotBase = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  emulators = await startEmulators();
  api = casesHarness(emulators);
  // Alert times, signatures and the checks all on the real clock.
  api.clock.now = () => new Date().toISOString();
  evidence = await startEvidenceHarness(emulators, api, {
    district,
    clock: { now: () => new Date().toISOString() },
  });
  api.usePlaceSnapshot(
    snapshotPlacer({
      store: api.store,
      attachments: evidence.attachments,
      bucket: evidence.bucket,
      district,
      clock: api.clock,
    }),
  );
  cams = camerasHarness(emulators, {
    store: api.store,
    queue: api.queue,
    clock: api.clock,
    bucket: evidence.bucket,
    district,
  });
  expect((await cams.importDistrict()).status).toBe(200);
  const keys = keysHarness(emulators, api.clock);
  const created = await keys.create({ name: '视频分析平台', source: 'camera', actions: ['alerts'] });
  expect(created.status).toBe(201);
  camera = { keyId: created.body.id, secret: created.body.signingSecret };
});

afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((done) => server?.close(done));
  await evidence?.stop();
  await emulators?.stop();
});

describe('a camera snapshot becomes verified evidence on the case', () => {
  it('uploaded with the reply’s form before the report is routed: placed by the router', async () => {
    // Prepare
    const body = {
      cameraId: 'cam-zjg-01',
      alertType: 'fire_lane_blocked',
      occurredAt: minutesAgo(1),
      alertId: 'upload-first',
      snapshot: { contentType: 'image/jpeg', size: jpeg.length, sha256: sha256(jpeg) },
    };

    // Act
    const reply = await cams.alert(body, camera);
    expect(reply.status, JSON.stringify(reply.body)).toBe(202);
    const reportId = reply.body.id as string;
    const form = reply.body.snapshotUpload;
    expect(form.fields.key).toBe(snapshotKeyOf(reportId));
    expect((await uploadWithForm(form, jpeg)).status).toBe(204);
    // The staged object arrives while the report waits for the router: nothing to place yet.
    expect(await evidence.checked(snapshotKeyOf(reportId))).toEqual({ outcomes: ['snapshot-unrouted'] });
    await api.drainQueue();
    const { caseId, attachment } = await checkedSnapshot(reportId);

    // Assess
    expect(reply.body.camera.snapshot).toMatchObject({ via: 'upload', sha256: sha256(jpeg) });
    expect(attachment).toMatchObject({
      origin: 'camera',
      camera: { cameraId: 'cam-zjg-01', alertAt: new Date(body.occurredAt).toISOString(), reportId },
      kind: 'photo',
      status: 'verified',
      facts: {
        cameraId: 'cam-zjg-01',
        distanceMetres: 0,
        width: 640,
        height: 360,
        takenAt: expect.any(String),
      },
      requestedBy: { subject: `key:${camera.keyId}`, role: 'integration' },
    });
    expect(attachment.facts.takenAfterDispatch).toBeUndefined();
    expect(attachment.thumbnailUrl).toBeDefined();
    const original = Buffer.from(await (await fetch(attachment.downloadUrl)).arrayBuffer());
    expect(original.equals(jpeg)).toBe(true);
    const c = (await api.get(caseId)).body;
    expect(c.timeline.filter((e: { action: string }) => e.action === 'evidence-verified')).toHaveLength(1);
    expect(c.evidence).toEqual({ verified: 1, rejected: 0, afterPhotos: 0 });
    expect((await api.audit(caseId)).body.intact).toBe(true);
  });

  it('uploaded after the report is routed: placed when the upload arrives', async () => {
    const reply = await cams.alert(
      {
        cameraId: 'cam-xz-01',
        alertType: 'smoke',
        occurredAt: minutesAgo(1),
        alertId: 'route-first',
        snapshot: { contentType: 'image/jpeg', size: jpeg.length, sha256: sha256(jpeg) },
      },
      camera,
    );
    expect(reply.status).toBe(202);
    const reportId = reply.body.id as string;
    await api.drainQueue();
    expect((await api.get(reportId)).body.status).not.toBe('reported');
    expect((await uploadWithForm(reply.body.snapshotUpload, jpeg)).status).toBe(204);
    expect(await evidence.checked(snapshotKeyOf(reportId))).toEqual({ outcomes: ['snapshot-placed'] });
    const { attachment } = await checkedSnapshot(reportId);
    expect(attachment).toMatchObject({ origin: 'camera', status: 'verified' });
  });

  it('fetched from a URL on a host the district lists, once however often the alert is retried', async () => {
    // Act
    const body = {
      cameraId: 'cam-zjg-02',
      alertType: 'street_vending',
      occurredAt: minutesAgo(2),
      alertId: 'fetched-1',
      snapshotUrl: `${snapshotBase}/snap/fetched-1.jpg`,
    };
    const reply = await cams.alert(body, camera);
    await new Promise((r) => setTimeout(r, 1100)); // a new second: a new signature for the retry
    const retry = await cams.alert(body, camera);
    await api.drainQueue();
    const { attachment } = await checkedSnapshot(reply.body.id);

    // Assess
    expect(reply.status).toBe(202);
    expect(retry.headers['idempotency-replayed']).toBe('true');
    expect(served.filter((url) => url === '/snap/fetched-1.jpg')).toHaveLength(1);
    expect(reply.body.camera).toMatchObject({
      snapshotUrl: body.snapshotUrl,
      snapshot: { via: 'url', contentType: 'image/jpeg', bytes: jpeg.length, sha256: sha256(jpeg) },
    });
    expect(attachment).toMatchObject({ origin: 'camera', status: 'verified', size: jpeg.length });
  });

  it('refuses a snapshot URL on a host the district does not list, before any report or fetch', async () => {
    const reply = await cams.alert(
      {
        cameraId: 'cam-zjg-02',
        alertType: 'street_vending',
        occurredAt: minutesAgo(1),
        alertId: 'elsewhere-1',
        snapshotUrl: 'https://169.254.169.254/latest/meta-data/iam',
      },
      camera,
    );
    expect(reply.status).toBe(422);
    expect(reply.headers['content-type']).toContain('application/problem+json');
    expect(reply.body.errors).toEqual([
      {
        field: 'snapshotUrl',
        rule: 'snapshot_host_not_allowed',
        message: expect.stringContaining('169.254.169.254'),
      },
    ]);
  });

  it('a fetch that fails leaves the report standing: the case records the snapshot as unavailable', async () => {
    // Act
    const reply = await cams.alert(
      {
        cameraId: 'cam-os-01',
        alertType: 'garbage_overflow',
        occurredAt: minutesAgo(1),
        alertId: 'gone-1',
        snapshotUrl: `${snapshotBase}/expired/gone-1.jpg`,
      },
      camera,
    );
    await api.drainQueue();

    // Assess
    expect(reply.status).toBe(202);
    expect(reply.body.camera.snapshot).toMatchObject({
      via: 'url',
      failure: { rule: 'http_status', reason: 'answered 404' },
    });
    const caseId = await caseOfReport(reply.body.id);
    const c = (await api.get(caseId)).body;
    expect(c.status).toBe('registered');
    const entry = c.timeline.find((e: { action: string }) => e.action === 'evidence-rejected');
    expect(entry).toMatchObject({ details: { rule: 'snapshot_unavailable' } });
    expect(entry.reason).toContain('http_status');
    const listed = (await evidence.list(caseId, centre)).body.items;
    expect(listed).toEqual([
      expect.objectContaining({ origin: 'camera', status: 'rejected', rule: 'snapshot_unavailable' }),
    ]);
    expect(listed[0].downloadUrl).toBeUndefined();
    expect((await api.audit(caseId)).body.intact).toBe(true);
    // Redelivered routing message: nothing recorded twice.
    await api.queue.enqueue({
      caseId: reply.body.id,
      correlationId: 'redelivered',
      area: routingAreaOf((await api.get(caseId)).body.location),
    });
    const [redelivery] = await api.drainQueue();
    expect(redelivery?.batchItemFailures).toEqual([]);
    const after = (await api.get(caseId)).body;
    expect(after.timeline.filter((e: { action: string }) => e.action === 'evidence-rejected')).toHaveLength(
      1,
    );
  });

  it('rejects bytes that are not the ones the signed alert declared', async () => {
    const other = await jpegWithExif({ width: 320, height: 240 });
    const reply = await cams.alert(
      {
        cameraId: 'cam-zjg-04',
        alertType: 'illegal_parking',
        occurredAt: minutesAgo(1),
        alertId: 'swapped-1',
        snapshot: { contentType: 'image/jpeg', size: jpeg.length, sha256: sha256(jpeg) },
      },
      camera,
    );
    expect((await uploadWithForm(reply.body.snapshotUpload, other)).status).toBe(204);
    await evidence.checked(snapshotKeyOf(reply.body.id));
    await api.drainQueue();
    const { caseId, attachment } = await checkedSnapshot(reply.body.id);
    expect(attachment).toMatchObject({ origin: 'camera', status: 'rejected', rule: 'sha256_mismatch' });
    const quarantined = await evidence.s3.send(
      new HeadObjectCommand({
        Bucket: evidence.server.bucket,
        Key: `quarantine/${objectKeyOf(caseId, attachment.id)}`,
      }),
    );
    expect(quarantined.ContentLength).toBe(other.length);
  });

  it('rejects a snapshot whose alert is far older than its report (a replayed backlog)', async () => {
    const reply = await cams.alert(
      {
        cameraId: 'cam-zjg-03',
        alertType: 'road_flooding',
        occurredAt: minutesAgo(45),
        alertId: 'backlog-1',
        snapshotUrl: `${snapshotBase}/snap/backlog-1.jpg`,
      },
      camera,
    );
    expect(reply.status).toBe(202);
    await api.drainQueue();
    const { attachment } = await checkedSnapshot(reply.body.id);
    expect(attachment).toMatchObject({
      origin: 'camera',
      status: 'rejected',
      rule: 'taken_long_before_report',
    });
  });

  it('a storm merged into one case brings at most maxPerCase snapshots to it', async () => {
    // Act: five alerts of one camera and type, each with its snapshot, one event.
    const replies = [];
    for (let i = 0; i < 5; i++) {
      replies.push(
        await cams.alert(
          {
            cameraId: 'cam-gd-01',
            alertType: 'fire_lane_blocked',
            occurredAt: minutesAgo(1),
            alertId: `storm-${i}`,
            snapshotUrl: `${snapshotBase}/snap/storm-${i}.jpg`,
          },
          camera,
        ),
      );
      await api.drainQueue();
    }
    expect(
      replies.map((r) => r.status),
      JSON.stringify(replies.map((r) => r.body)),
    ).toEqual([202, 202, 202, 202, 202]);
    const caseIds = new Set(await Promise.all(replies.map((r) => caseOfReport(r.body.id))));
    expect(caseIds.size).toBe(1);
    const [caseId] = [...caseIds] as [string];
    for (const r of replies.slice(0, 3)) await checkedSnapshot(r.body.id);

    // Assess
    const listed = (await evidence.list(caseId, centre)).body.items;
    expect(listed).toHaveLength(3);
    expect(
      listed.every(
        (a: { origin: string; status: string }) => a.origin === 'camera' && a.status === 'verified',
      ),
    ).toBe(true);
    expect((await api.get(caseId)).body.linkedReports).toHaveLength(4);
  });
});
