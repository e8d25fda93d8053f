import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type SpawnedCloud, spawnLocalCloud } from '../../infra/local/spawn';
import { type AttachmentView, createApi } from '../../web/src/api';
import { sha256Hex, type UploadStage, uploadPhoto } from '../../web/src/photo-upload';
import { jpegWithExif } from '../support/evidence-harness';

/**
 * The field page's upload code (web/src/photo-upload.ts, run in Node: fetch, FormData, File and
 * WebCrypto are the browser's APIs) against the local cloud, on a network that loses answers: the
 * request lands but the phone never hears back. The retries must name the same attachment, and the
 * photo must end verified exactly once.
 */

interface DemoUser {
  role: string;
  department: string | null;
  zone: string | null;
  token: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const realFetch = globalThis.fetch;

describe('field page photo upload on a flaky network', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'xietong-e2e-field-upload-'));
  let cloud: SpawnedCloud;
  let users: DemoUser[] = [];

  const user = (role: string, department: string) => {
    const found = users.find((u) => u.role === role && u.department === department);
    if (!found) throw new Error(`no demo user ${role} ${department}`);
    return found;
  };

  /** A fetch that performs the request, then loses the answer for the first `drops` matching calls. */
  const loseAnswers = (matches: (url: string, method: string) => boolean, drops: number) => {
    const lost: string[] = [];
    globalThis.fetch = (async (input: string | URL | Request, init?: RequestInit) => {
      const url = String(input instanceof Request ? input.url : input);
      const method = init?.method ?? 'GET';
      const response = await realFetch(input, init);
      if (matches(url, method) && lost.length < drops) {
        lost.push(`${method} ${url}`);
        await response.arrayBuffer();
        throw new TypeError('Failed to fetch');
      }
      return response;
    }) as typeof fetch;
    return lost;
  };

  beforeAll(async () => {
    cloud = await spawnLocalCloud({ dataDir });
    users = ((await (await realFetch(`${cloud.info.url}/local/tokens`)).json()) as { users: DemoUser[] })
      .users;
  }, 90_000);

  afterEach(() => {
    globalThis.fetch = realFetch;
  });

  afterAll(async () => {
    await cloud?.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('hashes like sha256sum', async () => {
    const bytes = Buffer.from('现场照片');
    expect(await sha256Hex(new Blob([bytes]))).toBe(createHash('sha256').update(bytes).digest('hex'));
  });

  it('retries a lost form request and a lost upload, ending with one verified photo', async () => {
    const location = { lat: 30.284, lng: 120.069 };
    const worker = user('field_worker', 'market-regulation');
    const staff = user('department_staff', 'market-regulation');
    const api = createApi(cloud.info.url, () => worker.token);
    const staffApi = createApi(cloud.info.url, () => staff.token);
    const reported = await realFetch(`${cloud.info.url}/v1/cases`, {
      method: 'POST',
      headers: { authorization: `Bearer ${worker.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        source: 'patrol',
        category: 'event.household-workshop',
        description: '小区一楼有家庭作坊违规生产',
        location: { ...location, crs: 'wgs84' },
      }),
    });
    expect(reported.status).toBe(202);
    const caseId = ((await reported.json()) as { id: string }).id;
    // Intake registers the report asynchronously: until then the case is not there yet (404).
    let c = await staffApi.get(caseId).catch(() => undefined);
    for (let i = 0; i < 100 && c?.status !== 'registered'; i++) {
      await sleep(100);
      c = await staffApi.get(caseId).catch(() => undefined);
    }
    if (!c) throw new Error(`case ${caseId} was never registered`);
    const zone = c.zone?.id;
    const chief = users.find((u) => u.role === 'area_chief' && u.zone === zone);
    c = await createApi(cloud.info.url, () => chief?.token).command(caseId, 'dispatch', {}, c.version);
    c = await staffApi.command(caseId, 'accept', {}, c.version);
    expect(c.status).toBe('accepted');

    const photo = await jpegWithExif({
      takenAt: new Date(Date.now() + 1500).toISOString(),
      gps: { lat: location.lat + 0.0003, lng: location.lng },
    });
    const file = new File([photo], 'IMG_0001.jpg', { type: 'image/jpeg', lastModified: Date.now() });

    // The first form request and the first upload both land, and both answers are lost.
    const lost = loseAnswers(
      (url, method) => method === 'POST' && (url.endsWith('/attachments') || !url.startsWith(cloud.info.url)),
      2,
    );
    const stages: UploadStage[] = [];
    const pending = await uploadPhoto(api, caseId, file, (stage) => stages.push(stage));
    expect(lost).toHaveLength(2);
    expect(stages.filter((s) => s === 'retrying')).toHaveLength(2);
    expect(stages).toContain('uploading');
    globalThis.fetch = realFetch;

    let items: AttachmentView[] = [];
    for (let i = 0; i < 150 && items[0]?.status !== 'verified' && items[0]?.status !== 'rejected'; i++) {
      if (i > 0) await sleep(100);
      items = (await api.attachments(caseId)).items;
    }
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ id: pending.id, status: 'verified', size: photo.length });
    expect(items[0]?.thumbnailUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//);

    // The same photo picked again (another tap, a reload): the same attachment, no second upload.
    const again = loseAnswers(() => false, 0);
    const posts: string[] = [];
    const counting = globalThis.fetch;
    globalThis.fetch = (async (input: string | URL | Request, init?: RequestInit) => {
      if ((init?.method ?? 'GET') === 'POST') posts.push(String(input));
      return counting(input, init);
    }) as typeof fetch;
    const replay = await uploadPhoto(api, caseId, file, () => {});
    expect(again).toEqual([]);
    expect(replay).toMatchObject({ id: pending.id, status: 'verified' });
    expect(posts).toEqual([`${cloud.info.url}/v1/cases/${caseId}/attachments`]);
    expect((await api.attachments(caseId)).items).toHaveLength(1);
  });
});
