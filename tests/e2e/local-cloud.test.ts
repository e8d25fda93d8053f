import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, TSX_LOADER } from '../../infra/local/paths';
import { runLocalCloudToExit, type SpawnedCloud, spawnLocalCloud } from '../../infra/local/spawn';
import { loadDistrict } from '../../shared/district/load';
import { pointInPolygon } from '../../shared/domain/geo';

/**
 * The local cloud as a user meets it: `npm start` in a child process, HTTP only. One case walks
 * from report to closure, then the process is killed and the case must still be there.
 */

interface DemoUser {
  sub: string;
  name: string;
  role: string;
  department: string | null;
  zone: string | null;
  token: string;
}

interface TimelineEntry {
  seq: number;
  action: string;
  at: string;
  actor: { subject: string; role: string };
  to: string;
}

interface CaseView {
  id: string;
  status: string;
  version: number;
  category?: string;
  zone?: { id: string };
  areaChief?: { name: string; department: string };
  lead?: string;
  assignee?: string;
  timeline: TimelineEntry[];
}

interface Reply<T = unknown> {
  status: number;
  contentType: string;
  body: T;
}

const PARENT_THAT_VANISHES = fileURLToPath(new URL('../support/parent-that-vanishes.ts', import.meta.url));

const district = loadDistrict(join(REPO_ROOT, 'districts/sandun.json'));
const category = district.categories.find(
  (c) => c.code.startsWith('event.') && c.specialist && !c.autoDispatch,
);
const zone = district.zones[0];

/** The mean of a convex zone's corners lies inside it; checked below rather than assumed. */
const pointInside = (ring: number[][]) => {
  const corners = ring.slice(0, -1);
  const lng = corners.reduce((sum, p) => sum + (p[0] ?? 0), 0) / corners.length;
  const lat = corners.reduce((sum, p) => sum + (p[1] ?? 0), 0) / corners.length;
  return { lat: Number(lat.toFixed(6)), lng: Number(lng.toFixed(6)) };
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('local cloud (npm start) end to end', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'xietong-e2e-'));
  const children: SpawnedCloud[] = [];
  let cloud: SpawnedCloud;
  let users: DemoUser[] = [];
  let caseId = '';

  const start = async () => {
    const spawned = await spawnLocalCloud({ dataDir });
    children.push(spawned);
    return spawned;
  };

  const api = async <T = unknown>(
    path: string,
    options: { method?: string; token?: string; body?: unknown; headers?: Record<string, string> } = {},
  ): Promise<Reply<T>> => {
    const response = await fetch(`${cloud.info.url}${path}`, {
      method: options.method ?? 'GET',
      headers: {
        ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
        ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...options.headers,
      },
      ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
    });
    const text = await response.text();
    return {
      status: response.status,
      contentType: response.headers.get('content-type') ?? '',
      body: (text ? JSON.parse(text) : undefined) as T,
    };
  };

  const user = (role: string, match: Partial<DemoUser> = {}): DemoUser => {
    const found = users.find(
      (u) =>
        u.role === role && Object.entries(match).every(([key, value]) => u[key as keyof DemoUser] === value),
    );
    if (!found) throw new Error(`no demo user ${role} ${JSON.stringify(match)}`);
    return found;
  };

  const command = async (name: string, actor: DemoUser, body: Record<string, unknown>) => {
    const reply = await api<CaseView>(`/v1/cases/${caseId}/${name}`, {
      method: 'POST',
      token: actor.token,
      body,
    });
    expect(reply.status, `${name}: ${JSON.stringify(reply.body)}`).toBe(200);
    return reply.body;
  };

  beforeAll(async () => {
    cloud = await start();
    const tokens = await api<{ users: DemoUser[] }>('/local/tokens');
    users = tokens.body.users;
  }, 90_000);

  afterAll(async () => {
    await Promise.all(children.map((child) => child.kill('SIGKILL')));
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('hands out a token per role', () => {
    expect(users.map((u) => u.role)).toEqual(
      expect.arrayContaining([
        'reporter',
        'command_centre',
        'admin',
        'area_chief',
        'department_staff',
        'field_worker',
      ]),
    );
    expect(users.filter((u) => u.role === 'area_chief')).toHaveLength(district.zones.length);
  });

  // The local IAM check's AsyncLocalStorage costs the cloud a hook on every promise without it
  // (infra/local/spawn.ts); `npm start` and the spawned cloud must not drift apart.
  it.runIf(process.platform === 'linux')('runs with the async context frame, as npm start does', () => {
    const flag = '--experimental-async-context-frame';
    const argv = readFileSync(`/proc/${cloud.info.pid}/cmdline`, 'utf8').split('\0');
    expect(argv).toContain(flag);
    const scripts = (
      JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
        scripts: Record<string, string>;
      }
    ).scripts;
    expect(scripts.start?.split(' ')).toContain(flag);
  });

  it("refuses a request without a token with the HTTP API's 401, before any handler runs", async () => {
    const reply = await api<{ message: string }>('/v1/cases');
    expect(reply.status).toBe(401);
    expect(reply.contentType).toBe('application/json');
    expect(reply.body).toEqual({ message: 'Unauthorized' });
  });

  it('walks a case from report to closure', async () => {
    expect(category, 'sandun needs a specialist event category without auto-dispatch').toBeDefined();
    expect(zone).toBeDefined();
    if (!category || !zone) return;
    const location = pointInside(zone.boundary.coordinates[0] ?? []);
    expect(pointInPolygon(location, zone.boundary)).toBe(true);

    const commandCentre = user('command_centre');
    const chief = user('area_chief', { zone: zone.id });
    const staff = user('department_staff', { department: category.lead });
    const report = {
      source: 'patrol',
      category: category.code,
      description: `巡查发现：${category.name.zh}，请尽快处置。`,
      location: { ...location, crs: 'wgs84' },
    };
    const idempotencyKey = `e2e-${Date.now()}`;

    const accepted = await api<CaseView>('/v1/cases', {
      method: 'POST',
      token: commandCentre.token,
      body: report,
      headers: { 'idempotency-key': idempotencyKey },
    });
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(202);
    caseId = accepted.body.id;
    expect(caseId).toMatch(/^C/);

    const retried = await api<CaseView>('/v1/cases', {
      method: 'POST',
      token: commandCentre.token,
      body: report,
      headers: { 'idempotency-key': idempotencyKey },
    });
    expect([200, 202]).toContain(retried.status);
    expect(retried.body.id).toBe(caseId);

    // The router consumes the intake queue in the background.
    let routed: CaseView | undefined;
    for (let i = 0; i < 100 && routed?.status !== 'registered'; i++) {
      if (i > 0) await sleep(100);
      const reply = await api<CaseView>(`/v1/cases/${caseId}`, { token: commandCentre.token });
      expect(reply.status).toBe(200);
      routed = reply.body;
    }
    expect(routed?.status).toBe('registered');
    expect(routed?.zone?.id).toBe(zone.id);
    expect(routed?.areaChief?.name).toBe(zone.areaChief.name);
    expect(routed?.lead).toBe(category.lead);

    const byDepartment = await api<{ items: CaseView[] }>(
      `/v1/cases?department=${encodeURIComponent(category.lead)}`,
      { token: commandCentre.token },
    );
    expect(byDepartment.status).toBe(200);
    expect(byDepartment.body.items.map((c) => c.id)).toContain(caseId);
    const byZone = await api<{ items: CaseView[] }>(`/v1/cases?zone=${encodeURIComponent(zone.id)}`, {
      token: commandCentre.token,
    });
    expect(byZone.status).toBe(200);
    expect(byZone.body.items.map((c) => c.id)).toContain(caseId);

    expect((await command('dispatch', chief, {})).status).toBe('dispatched');
    expect((await command('accept', staff, {})).status).toBe('accepted');
    expect((await command('progress', staff, { note: '已到现场，正在处置。' })).status).toBe('accepted');
    expect((await command('resolve', staff, { result: '已处置完毕，现场恢复正常。' })).status).toBe(
      'handled',
    );
    expect((await command('verify', chief, { passed: true })).status).toBe('verified');
    const closed = await command('close', commandCentre, {});
    expect(closed.status).toBe('closed');

    const actions = closed.timeline.map((entry) => entry.action);
    expect(actions).toEqual([
      'reported',
      'registered',
      'dispatched',
      'accepted',
      'progress',
      'resolved',
      'verified',
      'closed',
    ]);
    expect(closed.timeline.map((entry) => entry.seq)).toEqual([...closed.timeline.keys()].map((i) => i + 1));
    const entry = (action: string) => closed.timeline.find((e) => e.action === action);
    expect(entry('resolved')?.to).toBe('handled');
    // Actors come from the verified token claims the gateway passed on.
    expect(entry('dispatched')?.actor).toMatchObject({ subject: chief.sub, role: 'area_chief' });
    expect(entry('accepted')?.actor).toMatchObject({ subject: staff.sub, role: 'department_staff' });
    expect(entry('closed')?.actor).toMatchObject({ subject: commandCentre.sub, role: 'command_centre' });
  });

  it('refuses a second instance on the same data folder', async () => {
    const second = await runLocalCloudToExit({ dataDir });
    expect(second.code).toBe(1);
    expect(second.output).toMatch(/already using/);
  }, 60_000);

  it('keeps the case across a crash and a restart', async () => {
    expect(caseId).not.toBe('');
    const before = await api<CaseView>(`/v1/cases/${caseId}`, { token: user('command_centre').token });

    expect(await cloud.kill('SIGKILL')).toBe('SIGKILL');
    cloud = await start();

    const after = await api<CaseView>(`/v1/cases/${caseId}`, { token: user('command_centre').token });
    expect(after.status).toBe(200);
    expect(after.body.status).toBe('closed');
    expect(after.body.version).toBe(before.body.version);
    expect(after.body.timeline).toEqual(before.body.timeline);
  }, 90_000);

  it('shuts down cleanly on SIGTERM and releases the data folder', async () => {
    expect(await cloud.kill('SIGTERM')).toBe(0);
    expect(existsSync(join(dataDir, '.lock'))).toBe(false);
    expect(existsSync(join(dataDir, 'local-cloud.json'))).toBe(false);
  }, 60_000);

  it('stops cleanly when the process that started it exits without stopping it', async () => {
    const parent = spawnSync(process.execPath, ['--import', TSX_LOADER, PARENT_THAT_VANISHES, dataDir], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(parent.status, parent.stderr).toBe(0);
    const pid = Number(parent.stdout.trim());
    expect(pid).toBeGreaterThan(0);
    const running = () => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    await expect.poll(running, { timeout: 30_000, interval: 200 }).toBe(false);
    expect(existsSync(join(dataDir, '.lock'))).toBe(false);
    expect(existsSync(join(dataDir, 'local-cloud.json'))).toBe(false);
  }, 90_000);
});
