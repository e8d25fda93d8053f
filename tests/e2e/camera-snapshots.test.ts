import { createHash } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../infra/local/paths';
import { type SpawnedCloud, spawnLocalCloud } from '../../infra/local/spawn';
import { KEY_ID_HEADER, signatureHeaders } from '../../shared/domain/signature';
import { jpegWithExif, uploadWithForm } from '../support/evidence-harness';
import { cloudClient, readReply } from '../support/local-cloud-client';

/**
 * Camera snapshots on the local cloud (`npm start` in a child process), HTTP only: a signed alert
 * whose snapshot is uploaded with the reply's form, and one whose snapshot URL the platform
 * fetches, each end as a case with a verified photo from the camera — through the gateway's public
 * route, the router, s3rver's notifications for `snapshots/` and `cases/`, and the evidence
 * function. The district file is Sandun's plus the loopback host of this test's snapshot server,
 * as a district would list it for a local demo (never in a deployed district file).
 */

interface DemoUser {
  role: string;
  token: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('camera snapshots on the local cloud', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'xietong-e2e-snapshots-'));
  let cloud: SpawnedCloud;
  let server: Server;
  let snapshotBase = '';
  let jpeg: Buffer;
  let users: DemoUser[] = [];
  let signer: { id: string; signingSecret: string };

  const token = (role: string) => users.find((u) => u.role === role)!.token;
  const api = cloudClient(() => cloud.info.url);
  const alert = async (fields: Record<string, unknown>) => {
    const body = JSON.stringify({ occurredAt: new Date().toISOString(), ...fields });
    const response = await fetch(`${cloud.info.url}/v1/integrations/cameras/alerts`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        [KEY_ID_HEADER]: signer.id,
        ...signatureHeaders(signer.signingSecret, body, Date.now()),
      },
      body,
    });
    return readReply(response);
  };
  /** Polls the report's case until its camera snapshot is decided. */
  const decidedSnapshot = async (reportId: string) => {
    for (let i = 0; i < 150; i++) {
      const report = (await api(`/v1/cases/${reportId}`, { token: token('command_centre') })).body;
      const caseId = report.status === 'merged' ? report.mergedInto : report.id;
      if (report.status !== 'reported') {
        const listed = await api(`/v1/cases/${caseId}/attachments`, { token: token('command_centre') });
        const found = listed.body.items?.find(
          (a: { camera?: { reportId: string } }) => a.camera?.reportId === reportId,
        );
        if (found && found.status !== 'pending') return found;
      }
      await sleep(100);
    }
    throw new Error(`the snapshot of ${reportId} was never decided`);
  };

  beforeAll(async () => {
    jpeg = await jpegWithExif({ width: 800, height: 450 });
    server = createServer((req, res) => {
      if (req.url?.startsWith('/snap/')) res.writeHead(200, { 'content-type': 'image/jpeg' }).end(jpeg);
      else res.writeHead(404).end();
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    snapshotBase = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    const district = JSON.parse(readFileSync(join(REPO_ROOT, 'districts/sandun.json'), 'utf8'));
    district.cameraAlerts.snapshots.hosts.push({ host: '127.0.0.1', http: true, privateAddresses: true });
    const districtFile = join(dataDir, 'sandun-local-demo.json');
    writeFileSync(districtFile, JSON.stringify(district));
    copyFileSync(join(REPO_ROOT, 'districts/catalogue.json'), join(dataDir, 'catalogue.json'));
    copyFileSync(
      join(REPO_ROOT, 'districts/sandun.examples.json'),
      join(dataDir, 'sandun-local-demo.examples.json'),
    );
    cloud = await spawnLocalCloud({ dataDir, args: ['--district', districtFile] });
    users = (await api('/local/tokens')).body.users;
    const issued = await api('/v1/integration-keys', {
      method: 'POST',
      token: token('admin'),
      body: { name: '视频分析平台', source: 'camera', actions: ['alerts'], rateLimitPerMinute: 600 },
    });
    expect(issued.status).toBe(201);
    signer = issued.body;
  }, 90_000);

  afterAll(async () => {
    await cloud?.kill('SIGKILL');
    server?.closeAllConnections();
    await new Promise((done) => server?.close(done));
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('an uploaded snapshot ends as a verified photo from the camera on the case', async () => {
    const reply = await alert({
      cameraId: 'cam-zjg-03',
      alertType: 'fire_lane_blocked',
      alertId: 'e2e-upload-1',
      snapshot: {
        contentType: 'image/jpeg',
        size: jpeg.length,
        sha256: createHash('sha256').update(jpeg).digest('hex'),
      },
    });
    expect(reply.status, JSON.stringify(reply.body)).toBe(202);
    expect(reply.body.snapshotUpload.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/xietong-sandun-evidence$/);
    expect((await uploadWithForm(reply.body.snapshotUpload, jpeg)).status).toBe(204);
    const attachment = await decidedSnapshot(reply.body.id);
    expect(attachment).toMatchObject({
      origin: 'camera',
      status: 'verified',
      camera: { cameraId: 'cam-zjg-03' },
      facts: { cameraId: 'cam-zjg-03', width: 800, height: 450 },
    });
    const thumbnail = await fetch(attachment.thumbnailUrl);
    expect(thumbnail.status).toBe(200);
  }, 60_000);

  it('a snapshot URL on the listed host is fetched and verified; one elsewhere is refused', async () => {
    const refused = await alert({
      cameraId: 'cam-gd-01',
      alertType: 'smoke',
      alertId: 'e2e-url-0',
      snapshotUrl: 'http://169.254.169.254/latest/meta-data',
    });
    expect(refused.status).toBe(422);
    expect(refused.body.errors[0]).toMatchObject({ field: 'snapshotUrl', rule: 'snapshot_host_not_allowed' });

    const reply = await alert({
      cameraId: 'cam-gd-01',
      alertType: 'smoke',
      alertId: 'e2e-url-1',
      snapshotUrl: `${snapshotBase}/snap/e2e-url-1.jpg`,
    });
    expect(reply.status, JSON.stringify(reply.body)).toBe(202);
    expect(reply.body.camera.snapshot).toMatchObject({ via: 'url', bytes: jpeg.length });
    expect(await decidedSnapshot(reply.body.id)).toMatchObject({ origin: 'camera', status: 'verified' });
  }, 60_000);
});
