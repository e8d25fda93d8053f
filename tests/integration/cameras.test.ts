import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CAMERA_CELL_PRECISION } from '../../shared/domain/camera';
import { distanceMetres } from '../../shared/domain/geo';
import { cellsWithin } from '../../shared/domain/geohash';
import { type AlertSigner, camerasHarness } from '../support/cameras-harness';
import { casesHarness, claimsFor, insideZone, sandun } from '../support/cases-harness';
import { type Emulators, startEmulators } from '../support/emulators';
import { startEvidenceHarness } from '../support/evidence-harness';
import { keysHarness } from '../support/keys-harness';

let emulators: Emulators;
let api: ReturnType<typeof casesHarness>;
let cams: ReturnType<typeof camerasHarness>;
let keys: ReturnType<typeof keysHarness>;
let evidence: Awaited<ReturnType<typeof startEvidenceHarness>>;

/** Every DynamoDB operation the code under test sends, by command name. */
const sent: string[] = [];

const zijingang = insideZone(sandun.zone('zijingang')!);

const reportAt = async (point: { lat: number; lng: number }, category = 'event.fire-safety-hazard') => {
  const reply = await api.report({
    source: 'patrol',
    category,
    description: `巡查发现：${point.lat.toFixed(4)},${point.lng.toFixed(4)} 处有安全隐患`,
    location: { ...point, crs: 'wgs84' },
  });
  expect(reply.status, JSON.stringify(reply.body)).toBe(202);
  await api.drainQueue();
  return reply.body.id as string;
};

/** A video-analytics system's key (action `alerts`): what it signs its alerts with. */
const issueCameraKey = async (
  body: Record<string, unknown> = {},
  rateLimitPerMinute = 1000,
): Promise<AlertSigner> => {
  const created = await keys.create({
    name: '视频分析平台',
    source: 'camera',
    actions: ['alerts'],
    rateLimitPerMinute,
    ...body,
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  expect(created.body.signingSecret).toMatch(/^xts_/);
  return { keyId: created.body.id, secret: created.body.signingSecret };
};

beforeAll(async () => {
  emulators = await startEmulators();
  api = casesHarness(emulators);
  evidence = await startEvidenceHarness(emulators, api);
  cams = camerasHarness(emulators, {
    store: api.store,
    queue: api.queue,
    clock: api.clock,
    bucket: evidence.bucket,
  });
  keys = keysHarness(emulators, api.clock);
  emulators.dynamodb.middlewareStack.add(
    (next, context) => (args) => {
      sent.push(String(context.commandName));
      return next(args);
    },
    { step: 'initialize', name: 'recordCommands' },
  );
});

afterAll(async () => {
  await evidence?.stop();
  await emulators?.stop();
});

describe('the camera registry', () => {
  it('imports the district file’s cameras once, each placed in its zone', async () => {
    // Act
    const first = await cams.importDistrict();
    const again = await cams.importDistrict();

    // Assess
    const seeds = sandun.config.cameras ?? [];
    expect(seeds.length).toBeGreaterThanOrEqual(10);
    expect(first.status).toBe(200);
    expect(first.body.imported.sort()).toEqual(seeds.map((c) => c.id).sort());
    expect(again.body.imported).toEqual([]);
    expect(again.body.kept.sort()).toEqual(first.body.imported);
    const listed = await cams.list({ zone: 'zijingang' });
    expect(listed.status).toBe(200);
    expect(listed.body.items.map((c: { id: string }) => c.id)).toEqual([
      'cam-zjg-01',
      'cam-zjg-02',
      'cam-zjg-03',
      'cam-zjg-04',
    ]);
    expect(listed.body.items.every((c: { zone: string }) => c.zone === 'zijingang')).toBe(true);
  });

  it('registers, replaces and removes a camera (admins), moving it in the geo index', async () => {
    // Prepare
    const body = {
      id: 'cam-test-01',
      name: '测试摄像头',
      location: { lat: 30.285, lng: 120.087 },
      streamUrl: 'https://video.example.cn/live/cam-test-01.m3u8',
      owner: 'urban-management',
      direction: 120,
      fieldOfView: 75,
    };

    // Act
    const created = await cams.register(body);
    const duplicate = await cams.register(body);
    const moved = await cams.replace('cam-test-01', {
      ...body,
      location: { lat: 30.315, lng: 120.105 },
    });

    // Assess
    expect(created.status).toBe(201);
    expect(created.headers.location).toBe('/v1/cameras/cam-test-01');
    expect(created.body).toMatchObject({
      id: 'cam-test-01',
      zone: 'gudun',
      status: 'online',
      direction: 120,
    });
    expect(duplicate.status).toBe(409);
    expect(duplicate.body.errors[0]).toMatchObject({ field: 'id', rule: 'camera_exists' });
    // `id` is in the path, not the body: the strict schema names it.
    expect(moved.status).toBe(400);
    const { id: _id, ...withoutId } = body;
    const replaced = await cams.replace('cam-test-01', {
      ...withoutId,
      location: { lat: 30.315, lng: 120.105 },
    });
    expect(replaced.status).toBe(200);
    expect(replaced.body).toMatchObject({ zone: 'xicheng-nianhua', createdAt: created.body.createdAt });
    const gudun = await cams.list({ zone: 'gudun' });
    expect(gudun.body.items.map((c: { id: string }) => c.id)).not.toContain('cam-test-01');
    const cells = await cams.cameras.inCells(
      cellsWithin({ lat: 30.315, lng: 120.105 }, 50, CAMERA_CELL_PRECISION),
    );
    expect(cells.map((c) => c.id)).toContain('cam-test-01');

    const removed = await cams.remove('cam-test-01');
    const removedAgain = await cams.remove('cam-test-01');
    expect(removed.status).toBe(204);
    expect(removedAgain.status).toBe(404);
    expect(removedAgain.body.errors[0]).toMatchObject({ field: 'id', rule: 'camera_not_found' });
    expect(await cams.cameras.get('cam-test-01')).toBeUndefined();
  });

  it('refuses bad cameras with the field and the rule', async () => {
    const base = {
      id: 'cam-bad',
      name: '坏摄像头',
      location: { lat: 30.285, lng: 120.087 },
      streamUrl: 'https://video.example.cn/live/x.m3u8',
      owner: 'police',
    };
    const cases: [Record<string, unknown>, number, string, string][] = [
      [{ streamUrl: 'rtsp://10.0.0.8:554/stream1' }, 422, 'streamUrl', 'http_url'],
      [{ streamUrl: 'javascript:alert(1)' }, 422, 'streamUrl', 'http_url'],
      [{ streamUrl: '//evil.example/x.m3u8' }, 422, 'streamUrl', 'http_url'],
      [{ location: { lat: 31.2, lng: 121.5 } }, 422, 'location', 'outside_district'],
      [{ owner: 'water-bureau' }, 422, 'owner', 'unknown_department'],
      [{ id: 'cam bad!' }, 400, 'id', 'invalid_format'],
      [{ status: 'broken' }, 400, 'status', 'invalid_value'],
      [{ direction: 360 }, 400, 'direction', 'too_big'],
    ];
    for (const [override, status, field, rule] of cases) {
      const reply = await cams.register({ ...base, ...override });
      expect(reply.status, JSON.stringify(override)).toBe(status);
      expect(reply.body.errors[0], JSON.stringify(reply.body)).toMatchObject({ field, rule });
    }
    expect(await cams.cameras.get('cam-bad')).toBeUndefined();
  });

  it('lets only administrators change the registry, and area chiefs list only their zone', async () => {
    const chief = claimsFor.areaChief('zijingang');
    const body = {
      id: 'cam-x',
      name: 'x',
      location: { lat: 30.285, lng: 120.087 },
      streamUrl: 'https://v.example/x.m3u8',
      owner: 'police',
    };
    expect((await cams.register(body, chief)).status).toBe(403);
    expect((await cams.register(body, claimsFor.commandCentre())).status).toBe(403);
    expect((await cams.remove('cam-zjg-01', chief)).status).toBe(403);
    expect((await cams.list({}, chief)).body.items.length).toBe(4);
    expect((await cams.list({ zone: 'gudun' }, chief)).status).toBe(403);
    expect((await cams.list({}, claimsFor.staff('police'))).status).toBe(403);
  });
});

describe('the cameras nearest a case', () => {
  it('lists the cameras within the radius, nearest first, from the cell index (no Scan)', async () => {
    // Prepare
    const caseId = await reportAt(zijingang);
    sent.length = 0;

    // Act
    const near = await cams.nearCase(caseId);
    const commands = [...sent];
    const wide = await cams.nearCase(caseId, { radius: '2000' });

    // Assess
    expect(near.status).toBe(200);
    expect(near.body.radiusMetres).toBe(500);
    const ids = near.body.items.map((c: { id: string }) => c.id);
    const expected = (sandun.config.cameras ?? [])
      .map((c) => ({ id: c.id, d: distanceMetres(zijingang, c.location) }))
      .filter((c) => c.d <= 500)
      .sort((a, b) => a.d - b.d)
      .map((c) => c.id);
    expect(expected.length).toBeGreaterThanOrEqual(3);
    expect(ids).toEqual(expected);
    const distances = near.body.items.map((c: { distanceMetres: number }) => c.distanceMetres);
    expect(distances).toEqual([...distances].sort((a, b) => a - b));
    expect(near.body.items[0]).toMatchObject({ streamUrl: '/demo-hls/sandun.m3u8', zone: 'zijingang' });
    // One GetItem for the case, one Query per cell around it, nothing else.
    const cells = cellsWithin(zijingang, 500, CAMERA_CELL_PRECISION);
    expect(commands.filter((c) => c === 'GetItemCommand')).toHaveLength(1);
    expect(commands.filter((c) => c === 'QueryCommand')).toHaveLength(cells.length);
    expect(commands.filter((c) => c !== 'GetItemCommand' && c !== 'QueryCommand')).toEqual([]);
    expect(sent).not.toContain('ScanCommand');
    expect(wide.body.items.length).toBeGreaterThan(near.body.items.length);
    expect(wide.body.items.every((c: { distanceMetres: number }) => c.distanceMetres <= 2000)).toBe(true);
  });

  it('answers whoever may read the case, and 404 like a missing case to everyone else', async () => {
    const caseId = await reportAt({ lat: zijingang.lat + 0.002, lng: zijingang.lng });
    expect((await cams.nearCase(caseId, {}, claimsFor.areaChief('zijingang'))).status).toBe(200);
    expect((await cams.nearCase(caseId, {}, claimsFor.areaChief('gudun'))).status).toBe(404);
    expect((await cams.nearCase(caseId, {}, claimsFor.reporter('someone-else'))).status).toBe(404);
    expect((await cams.nearCase(caseId, {}, claimsFor.staff('traffic-police'))).status).toBe(404);
    const missing = await cams.nearCase('C00000000000000000000000000');
    expect(missing.status).toBe(404);
    for (const radius of ['0', '2001', 'far', '-5']) {
      const reply = await cams.nearCase(caseId, { radius });
      expect(reply.status, radius).toBe(400);
      expect(reply.body.errors[0].field).toBe('query.radius');
    }
  });
});

describe('camera alerts as intake', () => {
  const alert = (overrides: Record<string, unknown> = {}) => ({
    cameraId: 'cam-zjg-03',
    alertType: 'fire_lane_blocked',
    occurredAt: api.clock.now(),
    ...overrides,
  });

  it('refuses unknown cameras and alert types and bad snapshot links, naming the field', async () => {
    const camera = await issueCameraKey();
    const refusals: [unknown, number, string, string][] = [
      [alert({ cameraId: 'cam-nowhere' }), 422, 'cameraId', 'unknown_camera'],
      [alert({ alertType: 'alien_landing' }), 422, 'alertType', 'unknown_alert_type'],
      [alert({ snapshotUrl: 'ftp://vision.example.cn/1.jpg' }), 400, 'snapshotUrl', 'invalid_format'],
      // Sandun fetches snapshots only from its own video platform's host.
      [
        alert({ snapshotUrl: 'https://vision.example.cn/1.jpg' }),
        422,
        'snapshotUrl',
        'snapshot_host_not_allowed',
      ],
      [alert({ snapshotUrl: 'http://vision.sandun.example/1.jpg' }), 422, 'snapshotUrl', 'https_required'],
      [
        alert({
          snapshotUrl: 'https://vision.sandun.example/1.jpg',
          snapshot: { contentType: 'image/jpeg', size: 10, sha256: 'a'.repeat(64) },
        }),
        400,
        'snapshot',
        'custom',
      ],
      [alert({ occurredAt: 'yesterday' }), 400, 'occurredAt', 'invalid_format'],
    ];
    for (const [body, status, field, rule] of refusals) {
      const reply = await cams.alert(body, camera);
      expect(reply.status, JSON.stringify(reply.body)).toBe(status);
      expect(reply.body.errors[0]).toMatchObject({ field, rule });
    }
  });

  it('refuses unsigned, badly signed, stale and replayed alerts with 401, and keys that may not send alerts', async () => {
    // Prepare
    const camera = await issueCameraKey();
    // Another camera than the storm's below, so this report is no candidate of that event.
    const body = JSON.stringify(
      alert({ cameraId: 'cam-os-01', alertType: 'garbage_overflow', alertId: 'signed-1' }),
    );
    const now = Date.parse(api.clock.now());
    const other = await issueCameraKey({ name: '另一个平台' });
    const reporting = await keys.create({ name: 'x', source: 'camera', actions: ['report'] });
    const department = await keys.create({
      name: 'y',
      source: 'department',
      actions: ['events'],
      department: 'urban-management',
    });
    const wrongSource = await keys.create({ name: 'z', source: 'hotline', actions: ['alerts'] });

    // Act
    const unsigned = await cams.alert(body, undefined);
    const noSignature = await cams.alert(body, { ...camera, headers: { 'x-xietong-signature': '' } });
    const badSignature = await cams.alert(body, {
      ...camera,
      headers: { 'x-xietong-signature': `v1=${'0'.repeat(64)}` },
    });
    const otherSecret = await cams.alert(body, { keyId: camera.keyId, secret: other.secret });
    const eventsKey = await cams.alert(body, {
      keyId: department.body.id,
      secret: department.body.signingSecret,
    });
    const stale = await cams.alert(body, { ...camera, at: now - 301_000 });
    const future = await cams.alert(body, { ...camera, at: now + 301_000 });
    const accepted = await cams.alert(body, { ...camera, at: now });
    const replayed = await cams.alert(body, { ...camera, at: now });
    await keys.revoke(other.keyId);
    const revoked = await cams.alert(
      JSON.stringify(alert({ cameraId: 'cam-os-01', alertType: 'garbage_overflow', alertId: 'signed-2' })),
      other,
    );
    await api.drainQueue();

    // Assess
    expect(reporting.body.signingSecret).toBeUndefined();
    expect(wrongSource.status).toBe(400);
    expect(wrongSource.body.errors[0]).toMatchObject({ field: 'source' });
    for (const refused of [unsigned, noSignature, badSignature, otherSecret, eventsKey, revoked]) {
      expect(refused.status, JSON.stringify(refused.body)).toBe(401);
      expect(refused.headers['content-type']).toContain('application/problem+json');
      expect(refused.body.errors).toEqual([
        { field: 'x-xietong-signature', rule: 'signature_refused', message: expect.any(String) },
      ]);
    }
    for (const late of [stale, future]) {
      expect(late.status).toBe(401);
      expect(late.body.errors[0]).toMatchObject({ field: 'x-xietong-signature', rule: 'stale_timestamp' });
    }
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(202);
    expect(accepted.body).toMatchObject({
      source: 'camera',
      submittedBy: { subject: `key:${camera.keyId}` },
    });
    expect(replayed.status).toBe(401);
    expect(replayed.body.errors[0]).toMatchObject({ rule: 'replayed_signature' });
  });

  it('refuses an alert from a camera standing outside the district', async () => {
    // A registry entry stranded outside by a changed district file (registration refuses it).
    await cams.cameras.create({
      id: 'cam-stranded',
      name: '区外',
      location: { lat: 30.5, lng: 120.3 },
      zone: 'zijingang',
      streamUrl: 'https://v.example/s.m3u8',
      owner: 'police',
      status: 'online',
      createdAt: api.clock.now(),
      updatedAt: api.clock.now(),
    });
    const reply = await cams.alert(alert({ cameraId: 'cam-stranded' }), await issueCameraKey());
    expect(reply.status).toBe(422);
    expect(reply.body.errors[0]).toMatchObject({ field: 'cameraId', rule: 'camera_outside_district' });
  });

  it('turns an alert into a report at the camera, with its category', async () => {
    const camera = await issueCameraKey();
    api.clock.advanceMinutes(5);
    const body = alert({ cameraId: 'cam-xz-01', alertType: 'smoke', alertId: 'v-1' });
    const reply = await cams.alert(body, camera);
    // A retry is signed again (a new timestamp): the same alert is the same report.
    api.clock.set(new Date(Date.parse(api.clock.now()) + 1000).toISOString());
    const retry = await cams.alert(body, camera);
    await api.drainQueue();

    expect(reply.status).toBe(202);
    expect(reply.body).toMatchObject({ coalesced: false, source: 'camera', category: 'event.fire-smoke' });
    expect(retry.headers['idempotency-replayed'], JSON.stringify([retry.status, retry.body])).toBe('true');
    expect(retry.body.id).toBe(reply.body.id);
    const registered = await api.get(reply.body.id);
    expect(registered.body.status).not.toBe('reported');
    expect(registered.body).toMatchObject({
      zone: { id: 'xingzhou' },
      location: { lat: 30.285, lng: 120.122 },
      camera: { cameraId: 'cam-xz-01', alertType: 'smoke', alertId: 'v-1' },
      submittedBy: { role: 'integration' },
    });
  });

  it('merges a storm (one camera, 300 alerts in a minute) into one case with many reports', async () => {
    // Prepare
    const camera = await issueCameraKey();
    api.clock.set('2026-11-30T03:00:00.000Z');
    const limit = sandun.config.cameraAlerts!.maxReportsPerMinute;

    // Act: 300 alerts, 200 ms apart, each its own alert id.
    const replies = [];
    for (let i = 0; i < 300; i++) {
      replies.push(
        await cams.alert(
          alert({
            alertId: `storm-${i}`,
            occurredAt: api.clock.now(),
          }),
          camera,
        ),
      );
      api.clock.set(new Date(Date.parse(api.clock.now()) + 200).toISOString());
    }
    await api.drainQueue();

    // Assess
    expect(replies.every((r) => r.status === 202)).toBe(true);
    const reported = replies.filter((r) => r.body.coalesced === false).map((r) => r.body.id as string);
    const coalesced = replies.filter((r) => r.body.coalesced === true);
    expect(reported).toHaveLength(limit);
    expect(coalesced).toHaveLength(300 - limit);
    const finals = await Promise.all(reported.map((id) => api.get(id)));
    const caseIds = new Set(finals.map((r) => (r.body.status === 'merged' ? r.body.mergedInto : r.body.id)));
    expect(caseIds.size).toBe(1);
    const [caseId] = [...caseIds];
    const theCase = (await api.get(caseId!)).body;
    expect(theCase.status).toBe('registered');
    expect(theCase.linkedReports).toHaveLength(limit - 1);
    expect(
      theCase.linkedReports.every(
        (l: { camera?: { cameraId: string } }) => l.camera?.cameraId === 'cam-zjg-03',
      ),
    ).toBe(true);
    expect((await api.audit(caseId!)).body.intact).toBe(true);
  }, 120_000);

  it('keeps another alert type of the same camera a separate event', async () => {
    const camera = await issueCameraKey();
    api.clock.advanceMinutes(2);
    const vending = await cams.alert(alert({ alertType: 'street_vending', alertId: 'vend-1' }), camera);
    await api.drainQueue();
    const view = await api.get(vending.body.id);
    expect(view.body.status).not.toBe('merged');
    expect(view.body.category).toBe('event.street-vending');
  });
});
