import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runLocalCloudToExit, type SpawnedCloud, spawnLocalCloud } from '../../infra/local/spawn';
import { cloudClient } from '../support/local-cloud-client';

/**
 * `npm start` checks every function's SDK calls against its role in the synthesized stack by
 * default. The routes that delete (a webhook subscription, a camera) are the calls this check
 * found without a grant: they work here now because the stack grants them, and nothing in the
 * run was refused.
 */

interface DemoUser {
  role: string;
  token: string;
}

describe('IAM enforcement on npm start', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'xietong-e2e-iam-'));
  let cloud: SpawnedCloud;
  let admin: string;
  const api = cloudClient(() => cloud.info.url);

  beforeAll(async () => {
    cloud = await spawnLocalCloud({ dataDir, args: ['--log-level', 'INFO'] });
    const users = (await api('/local/tokens')).body.users as DemoUser[];
    admin = users.find((user) => user.role === 'admin')!.token;
  }, 90_000);

  afterAll(async () => {
    await cloud?.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('is on by default, with each role read from the synthesized stack', () => {
    expect(cloud.output()).toMatch(/IAM enforced: \d+ roles from the synthesized stack/);
  });

  it('lets an administrator delete a webhook subscription and a camera (DeleteItem on their partitions)', async () => {
    const created = await api('/v1/subscriptions', {
      method: 'POST',
      token: admin,
      body: {
        name: '删除测试',
        url: 'https://hooks.example.cn/x',
        source: 'hotline',
        events: ['case.status_changed'],
      },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const deleted = await api(`/v1/subscriptions/${created.body.id}`, { method: 'DELETE', token: admin });
    expect(deleted.status, JSON.stringify(deleted.body)).toBe(204);

    const camera = await api('/v1/cameras/cam-zjg-03', { method: 'DELETE', token: admin });
    expect(camera.status, JSON.stringify(camera.body)).toBe(204);
    expect(cloud.output()).not.toContain('IAM DENIED');
  });

  it('refuses an unknown --iam mode', async () => {
    const exited = await runLocalCloudToExit({ dataDir: join(dataDir, 'other'), args: ['--iam', 'lenient'] });
    expect(exited.code).toBe(2);
    expect(exited.output).toContain('--iam must be enforce, warn or off');
  });
});
