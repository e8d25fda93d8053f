import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../infra/local/paths';
import { type SpawnedCloud, spawnLocalCloud } from '../../infra/local/spawn';
import { loadDistrict } from '../../shared/district/load';
import type { Zone } from '../../shared/district/schema';

/**
 * Integration keys as a machine client meets them on `npm start` (a child process, HTTP only): an
 * administrator issues a key, the 12345 platform reports with `x-api-key`, the case is routed, and
 * after revocation the next call is refused.
 */

interface Reply<T> {
  status: number;
  contentType: string;
  headers: Headers;
  text: string;
  body: T;
}

type Api = <T = unknown>(
  path: string,
  options?: { method?: 'GET' | 'POST'; token?: string; body?: unknown; headers?: Record<string, string> },
) => Promise<Reply<T>>;

const httpClient =
  (baseUrl: string): Api =>
  async (path, options = {}) => {
    const response = await fetch(`${baseUrl}${path}`, {
      method: options.method ?? 'GET',
      headers: {
        ...(options.token && { authorization: `Bearer ${options.token}` }),
        ...(options.body !== undefined && { 'content-type': 'application/json' }),
        ...options.headers,
      },
      ...(options.body !== undefined && { body: JSON.stringify(options.body) }),
    });
    const text = await response.text();
    return {
      status: response.status,
      contentType: response.headers.get('content-type') ?? '',
      headers: response.headers,
      text,
      body: text ? JSON.parse(text) : undefined,
    };
  };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The mean of a convex zone's corners lies inside it. */
const pointInZone = (zone: Zone) => {
  const corners = (zone.boundary.coordinates[0] ?? []).slice(0, -1);
  return {
    lat: Number((corners.reduce((sum, p) => sum + (p[1] ?? 0), 0) / corners.length).toFixed(6)),
    lng: Number((corners.reduce((sum, p) => sum + (p[0] ?? 0), 0) / corners.length).toFixed(6)),
  };
};

interface DemoUser {
  sub: string;
  role: string;
  token: string;
}

interface IssuedKey {
  id: string;
  key: string;
  name: string;
  source: string;
  actions: string[];
  rateLimitPerMinute: number;
  createdBy: string;
}

interface CaseView {
  id: string;
  status: string;
  source: string;
  zone?: { id: string };
  submittedBy: { subject: string; role: string; name?: string };
}

const district = loadDistrict(join(REPO_ROOT, 'districts/sandun.json'));
const zone = district.zones[0]!;
const category = district.categories.find((c) => c.code.startsWith('event.') && !c.autoDispatch)!;

const report = (description: string, source = 'hotline') => ({
  source,
  category: category.code,
  description,
  location: { ...pointInZone(zone), crs: 'wgs84' },
  externalRef: { system: '12345', id: `HZ-${Date.now()}-${Math.random().toString(36).slice(2)}` },
});

describe('integration keys on the local cloud', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'xietong-e2e-keys-'));
  let cloud: SpawnedCloud;
  let api: Api;
  let admin: DemoUser;
  let commandCentre: DemoUser;

  const issue = async (body: Record<string, unknown>) => {
    const reply = await api<IssuedKey>('/v1/integration-keys', { method: 'POST', token: admin.token, body });
    expect(reply.status, reply.text).toBe(201);
    return reply.body;
  };
  const machineReport = (key: string | undefined, body: unknown, headers: Record<string, string> = {}) =>
    api<CaseView>('/v1/integrations/reports', {
      method: 'POST',
      body,
      headers: { ...(key !== undefined && { 'x-api-key': key }), ...headers },
    });

  beforeAll(async () => {
    cloud = await spawnLocalCloud({ dataDir });
    api = httpClient(cloud.info.url);
    const users = (await api<{ users: DemoUser[] }>('/local/tokens')).body.users;
    admin = users.find((u) => u.role === 'admin')!;
    commandCentre = users.find((u) => u.role === 'command_centre')!;
  }, 90_000);

  afterAll(async () => {
    await cloud?.kill('SIGTERM');
    rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  it('issues a key, takes a machine report with it, routes the case, and refuses the key once revoked', async () => {
    // An administrator issues the hotline platform's key.
    const key = await issue({ name: '12345 热线平台', source: 'hotline' });
    expect(key).toMatchObject({
      name: '12345 热线平台',
      source: 'hotline',
      actions: ['report'],
      rateLimitPerMinute: 120,
      createdBy: admin.sub,
    });
    expect(key.key).toMatch(/^xtk_/);

    // The platform reports with it; the router picks the case up in the background.
    const accepted = await machineReport(key.key, report('12345 来电：路边垃圾堆积'));
    expect(accepted.status, accepted.text).toBe(202);
    let routed: CaseView | undefined;
    for (let i = 0; i < 100 && routed?.status !== 'registered'; i++) {
      if (i > 0) await sleep(100);
      routed = (await api<CaseView>(`/v1/cases/${accepted.body.id}`, { token: commandCentre.token })).body;
    }
    expect(routed).toMatchObject({
      status: 'registered',
      source: 'hotline',
      zone: { id: zone.id },
      submittedBy: { subject: `key:${key.id}`, role: 'integration', name: '12345 热线平台' },
    });

    // The list shows the key, never its secret; only administrators see it.
    const listed = await api<{ items: IssuedKey[] }>('/v1/integration-keys', { token: admin.token });
    expect(listed.body.items.map((k) => k.id)).toContain(key.id);
    expect(listed.text).not.toContain(key.key.slice(-43));
    expect((await api('/v1/integration-keys', { token: commandCentre.token })).status).toBe(403);

    // Revoked: the very next call is refused at the gateway.
    const revoked = await api<IssuedKey & { revokedBy: string }>(`/v1/integration-keys/${key.id}/revoke`, {
      method: 'POST',
      token: admin.token,
    });
    expect(revoked.status).toBe(200);
    expect(revoked.body.revokedBy).toBe(admin.sub);
    const afterRevoke = await machineReport(key.key, report('撤销后的来电'));
    // The authorizer's denial: the HTTP API's own 403, not a function's problem.
    expect(afterRevoke.status).toBe(403);
    expect(afterRevoke.contentType).toBe('application/json');
    expect(afterRevoke.body).toEqual({ message: 'Forbidden' });
  });

  it('answers 401 without a key (a user token is no key) and 403 for a key it does not know', async () => {
    const noKey = await machineReport(undefined, report('无密钥'));
    const bearer = await machineReport(undefined, report('用户令牌'), {
      authorization: `Bearer ${commandCentre.token}`,
    });
    const unknown = await machineReport(`xtk_01JDQ4X7R2M8N0P3S5T6V9W1YZ_${'A'.repeat(43)}`, report('伪造'));
    expect(noKey.status).toBe(401);
    expect(bearer.status).toBe(401);
    expect(unknown.status).toBe(403);
    expect([noKey.body, bearer.body, unknown.body]).toEqual([
      { message: 'Unauthorized' },
      { message: 'Unauthorized' },
      { message: 'Forbidden' },
    ]);
  });

  it('binds the key to its source (403 naming source) and limits it per minute (429 with Retry-After)', async () => {
    const key = await issue({ name: '城管业务系统', source: 'department', rateLimitPerMinute: 2 });
    // Three calls must fall in one minute: don't start in its last seconds.
    const seconds = new Date().getUTCSeconds();
    if (seconds >= 50) await sleep((61 - seconds) * 1000);

    const wrongSource = await machineReport(key.key, report('冒充热线', 'hotline'));
    const second = await machineReport(key.key, report('部门上报', 'department'));
    const third = await machineReport(key.key, report('部门上报 2', 'department'));

    expect(wrongSource.status).toBe(403);
    expect(wrongSource.body).toMatchObject({ errors: [{ field: 'source', rule: 'source_bound_to_key' }] });
    expect(second.status, second.text).toBe(202);
    expect(third.status).toBe(429);
    expect(third.contentType).toContain('application/problem+json');
    const retryAfter = Number(third.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
  }, 30_000);
});
