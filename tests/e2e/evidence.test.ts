import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SpawnedCloud, spawnLocalCloud } from '../../infra/local/spawn';
import { sandun } from '../support/cases-harness';
import { jpegWithExif, uploadWithForm } from '../support/evidence-harness';
import { cloudClient } from '../support/local-cloud-client';

/**
 * The field worker's evidence flow on the local cloud (`npm start` in a child process), HTTP only:
 * request a form → multipart POST to the returned URL (s3rver on disk) → s3rver's event drives the
 * evidence function → poll until verified → listed with a thumbnail link that downloads.
 */

interface DemoUser {
  role: string;
  department: string | null;
  zone: string | null;
  token: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('evidence on the local cloud', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'xietong-e2e-evidence-'));
  let cloud: SpawnedCloud;
  let users: DemoUser[] = [];

  const api = cloudClient(() => cloud.info.url);
  const user = (role: string, match: Partial<DemoUser>) => {
    const found = users.find(
      (u) => u.role === role && Object.entries(match).every(([k, v]) => u[k as keyof DemoUser] === v),
    );
    if (!found) throw new Error(`no demo user ${role} ${JSON.stringify(match)}`);
    return found;
  };

  beforeAll(async () => {
    cloud = await spawnLocalCloud({ dataDir });
    users = (await api('/local/tokens')).body.users;
  }, 90_000);

  afterAll(async () => {
    await cloud?.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('request form → upload → verified with EXIF facts → listed with a thumbnail that downloads', async () => {
    const location = { lat: 30.284, lng: 120.069 };
    const fieldWorker = user('field_worker', { department: 'market-regulation' });
    const staff = user('department_staff', { department: 'market-regulation' });
    const reported = await api('/v1/cases', {
      method: 'POST',
      token: user('field_worker', { department: 'joint-team' }).token,
      body: {
        source: 'patrol',
        category: 'event.household-workshop',
        description: '小区一楼有家庭作坊违规生产，气味刺鼻',
        location: { ...location, crs: 'wgs84' },
      },
    });
    expect(reported.status).toBe(202);
    const caseId = reported.body.id as string;
    let c = reported.body;
    for (let i = 0; i < 100 && c.status !== 'registered'; i++) {
      await sleep(100);
      c = (await api(`/v1/cases/${caseId}`, { token: staff.token })).body;
    }
    expect(c.status).toBe('registered');
    const chief = user('area_chief', { zone: c.zone.id });
    expect(
      (await api(`/v1/cases/${caseId}/dispatch`, { method: 'POST', token: chief.token, body: {} })).status,
    ).toBe(200);
    expect(
      (await api(`/v1/cases/${caseId}/accept`, { method: 'POST', token: staff.token, body: {} })).status,
    ).toBe(200);

    const photo = await jpegWithExif({
      takenAt: new Date(Date.now() + 1500).toISOString(),
      gps: { lat: location.lat + 0.0003, lng: location.lng },
      width: 1200,
      height: 900,
    });
    const form = await api(`/v1/cases/${caseId}/attachments`, {
      method: 'POST',
      token: fieldWorker.token,
      body: { kind: 'photo', contentType: 'image/jpeg', size: photo.length },
      headers: { 'idempotency-key': `e2e-photo-${Date.now()}` },
    });
    expect(form.status, JSON.stringify(form.body)).toBe(201);
    expect(form.body.upload.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/xietong-sandun-evidence$/);
    const uploaded = await uploadWithForm(form.body.upload, photo);
    expect(uploaded.status).toBe(204);

    let attachment: { status: string; [key: string]: unknown } | undefined;
    for (let i = 0; i < 150 && attachment?.status !== 'verified' && attachment?.status !== 'rejected'; i++) {
      if (i > 0) await sleep(100);
      const listed = await api(`/v1/cases/${caseId}/attachments`, { token: staff.token });
      expect(listed.status).toBe(200);
      attachment = listed.body.items[0];
    }
    expect(attachment, JSON.stringify(attachment)).toMatchObject({
      status: 'verified',
      facts: { detectedType: 'image/jpeg', width: 1200, height: 900, takenAfterDispatch: true },
    });
    expect((attachment?.facts as { distanceMetres?: number } | undefined)?.distanceMetres).toBeLessThan(60);
    const thumbnail = await fetch(attachment?.thumbnailUrl as string);
    expect(thumbnail.status).toBe(200);
    const meta = await sharp(Buffer.from(await thumbnail.arrayBuffer())).metadata();
    expect(meta).toMatchObject({ format: 'jpeg', width: 320, height: 240 });

    // On disk under the data folder, and on the case's timeline with the chain intact.
    expect(existsSync(join(dataDir, 's3', 'xietong-sandun-evidence'))).toBe(true);
    expect(readdirSync(join(dataDir, 's3', 'xietong-sandun-evidence')).length).toBeGreaterThan(0);
    const after = (await api(`/v1/cases/${caseId}`, { token: staff.token })).body;
    expect(after.timeline.at(-1)).toMatchObject({ action: 'evidence-verified' });
    expect(after.evidence).toMatchObject({ verified: 1, afterPhotos: 1 });
    expect((await api(`/v1/cases/${caseId}/audit`, { token: chief.token })).body).toMatchObject({
      intact: true,
    });
    const resolved = await api(`/v1/cases/${caseId}/resolve`, {
      method: 'POST',
      token: staff.token,
      body: { result: '作坊已停产，设备已查封（见现场照片）' },
    });
    expect(resolved.status).toBe(200);
    expect(sandun.config.evidence.requireAfterPhotoToResolve).toBe(false);
  });
});
