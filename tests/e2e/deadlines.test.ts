import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../infra/local/paths';
import { type SpawnedCloud, spawnLocalCloud } from '../../infra/local/spawn';

/**
 * Deadlines and escalation on the local cloud (`npm start` in a child process), with a district
 * whose deadlines are seconds: the timers are the stack's state machine run in-process, the
 * escalations reach a webhook receiver here. A case never accepted climbs the ladder in order, an
 * accepted one stops, and a crash in the middle neither loses nor repeats a level.
 */

const CATEGORY = 'event.household-workshop';
const ZONE = 'zijingang';
const LEAD = 'market-regulation';
/** Acceptance within 3 s of dispatch; the ladder 0 s, 6 s and 12 s after a missed deadline. */
const ACCEPT_MINUTES = 0.05;
const LADDER_MINUTES = [0, 0.1, 0.2];

interface Hook {
  path: string;
  key: string;
  body: { kind: string; caseId: string; recipient: { type: string }; details: { level?: number } };
}
interface CaseView {
  id: string;
  status: string;
  version: number;
  escalation?: { level: number; deadline: string };
  overdue: boolean;
  timeline: { seq: number; action: string; details?: { level?: number } }[];
}
interface DemoUser {
  role: string;
  department: string | null;
  zone: string | null;
  token: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('deadlines and escalation on the local cloud', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'xietong-deadlines-'));
  const hooks: Hook[] = [];
  let receiver: Server;
  let cloud: SpawnedCloud;
  const children: SpawnedCloud[] = [];
  let users: DemoUser[] = [];

  const start = async () => {
    cloud = await spawnLocalCloud({ dataDir, args: ['--district', join(dataDir, 'district.json')] });
    children.push(cloud);
    const reply = await fetch(`${cloud.info.url}/local/tokens`);
    users = ((await reply.json()) as { users: DemoUser[] }).users;
  };

  const token = (role: string, match: Partial<DemoUser> = {}) => {
    const found = users.find(
      (u) => u.role === role && Object.entries(match).every(([k, v]) => u[k as keyof DemoUser] === v),
    );
    if (!found) throw new Error(`no demo user ${role}`);
    return found.token;
  };

  const call = async <T>(
    path: string,
    bearer: string,
    body?: unknown,
  ): Promise<{ status: number; body: T }> => {
    const response = await fetch(`${cloud.info.url}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as T };
  };

  const getCase = async (id: string) =>
    (await call<CaseView>(`/v1/cases/${id}`, token('command_centre'))).body;

  const until = async <T>(
    what: string,
    probe: () => Promise<T | undefined>,
    timeoutMs = 40_000,
  ): Promise<T> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await probe();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await sleep(200);
    }
  };

  /**
   * A reported, routed and dispatched household workshop in zijingang; `n` puts each case ~450 m
   * from the others (reports close together would be merged as duplicates).
   */
  const dispatchedCase = async (n: number): Promise<string> => {
    const zone = JSON.parse(readFileSync(join(dataDir, 'district.json'), 'utf8')).zones.find(
      (z: { id: string }) => z.id === ZONE,
    );
    const ring = zone.boundary.coordinates[0].slice(0, -1) as [number, number][];
    const location = {
      lat: ring.reduce((s, p) => s + p[1], 0) / ring.length + (n - 1) * 0.004,
      lng: ring.reduce((s, p) => s + p[0], 0) / ring.length,
      crs: 'wgs84',
    };
    const reported = await call<CaseView>('/v1/cases', token('command_centre'), {
      source: 'patrol',
      category: CATEGORY,
      description: `第 ${n} 处出租房内有人加工服装，气味刺鼻`,
      location,
    });
    expect(reported.status, JSON.stringify(reported.body)).toBe(202);
    const id = reported.body.id;
    await until('routing', async () => ((await getCase(id)).status === 'registered' ? true : undefined));
    const dispatched = await call<CaseView>(
      `/v1/cases/${id}/dispatch`,
      token('area_chief', { zone: ZONE }),
      {},
    );
    expect(dispatched.status, JSON.stringify(dispatched.body)).toBe(200);
    return id;
  };

  const levelsOf = (c: CaseView) =>
    c.timeline.filter((e) => e.action === 'escalated').map((e) => e.details?.level);

  /** What the receiver got for a case, repeats dropped by idempotency key as a receiver would. */
  const escalationsReceived = (caseId: string) => {
    const byKey = new Map<string, Hook>();
    for (const hook of hooks) {
      if (hook.body.caseId === caseId && hook.body.kind === 'escalation') byKey.set(hook.key, hook);
    }
    return [...byKey.values()].map((hook) => [hook.body.details.level, hook.body.recipient.type, hook.path]);
  };

  beforeAll(async () => {
    receiver = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        hooks.push({
          path: request.url ?? '',
          key: String(request.headers['idempotency-key']),
          body: JSON.parse(Buffer.concat(chunks).toString('utf8')),
        });
        response.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const hookBase = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;

    const district = JSON.parse(readFileSync(join(REPO_ROOT, 'districts/sandun.json'), 'utf8'));
    for (const department of district.departments) department.webhook = `${hookBase}/${department.id}`;
    district.townLeader.webhook = `${hookBase}/town-leader`;
    district.escalation = district.escalation.map((level: Record<string, unknown>, i: number) => {
      const { repeat: _repeat, ...rest } = level;
      return { ...rest, afterMinutes: LADDER_MINUTES[i] };
    });
    // The category comes from the standard catalogue: the district overrides its deadlines.
    district.catalogue.overrides[CATEGORY] = {
      deadlines: { acceptMinutes: ACCEPT_MINUTES, handleMinutes: 10 },
    };
    writeFileSync(join(dataDir, 'district.json'), JSON.stringify(district));
    copyFileSync(join(REPO_ROOT, 'districts/catalogue.json'), join(dataDir, 'catalogue.json'));
    await start();
  }, 90_000);

  afterAll(async () => {
    await Promise.all(children.map((child) => child.kill('SIGKILL')));
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('climbs the ladder in order for a case nobody accepts, and stops for one that is accepted', async () => {
    const [ignored, accepted] = await Promise.all([dispatchedCase(0), dispatchedCase(1)]);
    const staff = token('department_staff', { department: LEAD });
    expect((await call(`/v1/cases/${accepted}/accept`, staff, { note: '已签收' })).status).toBe(200);

    const climbed = await until('three levels', async () => {
      const c = await getCase(ignored);
      return levelsOf(c).length >= 3 ? c : undefined;
    });
    expect(levelsOf(climbed)).toEqual([1, 2, 3]);
    expect(climbed.escalation).toMatchObject({ level: 3, deadline: 'accept' });
    expect(climbed.overdue).toBe(true);

    const stopped = await getCase(accepted);
    expect(levelsOf(stopped)).toEqual([]);
    expect(stopped.escalation).toBeUndefined();

    const received = await until('three webhooks', async () => {
      const got = escalationsReceived(ignored);
      return got.length >= 3 ? got : undefined;
    });
    expect(received).toEqual([
      [1, 'area_chief', '/hook/urban-management'],
      [2, 'command_centre', '/hook/command-centre'],
      [3, 'town_leader', '/hook/town-leader'],
    ]);
    expect(escalationsReceived(accepted)).toEqual([]);
    // Both dispatches told the lead department, once per case.
    const assignments = hooks.filter((h) => h.body.kind === 'assignment' && h.path === `/hook/${LEAD}`);
    expect(new Set(assignments.map((h) => h.body.caseId))).toEqual(new Set([ignored, accepted]));
  }, 60_000);

  it('neither loses nor repeats a level when the platform is killed in the middle', async () => {
    const id = await dispatchedCase(2);
    await until('level 1', async () => (levelsOf(await getCase(id)).length >= 1 ? true : undefined));
    await cloud.kill('SIGKILL');
    // Level 2 falls due while the platform is down.
    await sleep(LADDER_MINUTES[1]! * 60_000);
    await start();
    const climbed = await until('three levels after the restart', async () => {
      const c = await getCase(id);
      return levelsOf(c).length >= 3 ? c : undefined;
    });
    expect(levelsOf(climbed)).toEqual([1, 2, 3]);
    const received = await until('three webhooks', async () => {
      const got = escalationsReceived(id);
      return got.length >= 3 ? got : undefined;
    });
    expect(received.map(([level]) => level)).toEqual([1, 2, 3]);
    // And nothing more: the ladder is done, the timer stopped.
    await sleep(2_000);
    expect(levelsOf(await getCase(id))).toEqual([1, 2, 3]);
  }, 90_000);
});
