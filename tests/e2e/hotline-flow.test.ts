import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SpawnedCloud, spawnLocalCloud } from '../../infra/local/spawn';
import { checkSignature, signatureHeaders } from '../../shared/domain/signature';

/**
 * The integrations as `npm start` runs them (a child process, HTTP only): the 12345 platform posts
 * a ticket, the case is routed and dispatched, and every status change reaches the platform's
 * receiver here, signed, with the ticket number; the assigned department's system adds a signed
 * progress note; the demo integration key of `GET /local/tokens` reports straight away.
 */

interface DemoUser {
  role: string;
  department: string | null;
  zone: string | null;
  token: string;
}
interface Hook {
  at: number;
  headers: IncomingHttpHeaders;
  body: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('the 12345 hotline and department systems on the local cloud', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'xietong-hotline-'));
  const hooks: Hook[] = [];
  let failNext = 1;
  let receiver: Server;
  let hookUrl: string;
  let cloud: SpawnedCloud;
  let users: DemoUser[] = [];
  let integrations: { role: string; source: string; apiKey: string }[] = [];

  const token = (role: string, match: Partial<DemoUser> = {}) => {
    const found = users.find(
      (u) => u.role === role && Object.entries(match).every(([k, v]) => u[k as keyof DemoUser] === v),
    );
    if (!found) throw new Error(`no demo user ${role}`);
    return found.token;
  };

  const call = async <T = Record<string, unknown>>(
    path: string,
    options: {
      method?: string;
      bearer?: string;
      body?: unknown;
      raw?: string;
      headers?: Record<string, string>;
    } = {},
  ): Promise<{ status: number; body: T }> => {
    const response = await fetch(`${cloud.info.url}${path}`, {
      method: options.method ?? (options.body === undefined && options.raw === undefined ? 'GET' : 'POST'),
      headers: {
        ...(options.bearer && { authorization: `Bearer ${options.bearer}` }),
        'content-type': 'application/json',
        ...options.headers,
      },
      ...(options.raw !== undefined && { body: options.raw }),
      ...(options.body !== undefined && { body: JSON.stringify(options.body) }),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
  };

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

  beforeAll(async () => {
    receiver = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        hooks.push({
          at: Date.now(),
          headers: request.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        });
        // The platform is briefly down at first: the first delivery is retried.
        response.writeHead(failNext-- > 0 ? 502 : 200);
        response.end();
      });
    });
    await new Promise<void>((done) => receiver.listen(0, '127.0.0.1', done));
    hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/12345/callback`;
    cloud = await spawnLocalCloud({ dataDir, env: { XT_WEBHOOK_RETRY_BASE_SECONDS: '1' } });
    const tokens = (await (await fetch(`${cloud.info.url}/local/tokens`)).json()) as {
      users: DemoUser[];
      integrations: typeof integrations;
    };
    users = tokens.users;
    integrations = tokens.integrations;
  }, 120_000);

  afterAll(async () => {
    await cloud?.kill('SIGTERM');
    await new Promise<void>((done) => receiver.close(() => done()));
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('turns a ticket into a dispatched case and pushes each status change back with the ticket number', async () => {
    // Prepare: the administrator issues the platform's key and subscribes its callback.
    const admin = token('admin');
    const key = await call<{ key: string }>('/v1/integration-keys', {
      bearer: admin,
      body: { name: '12345 热线平台', source: 'hotline' },
    });
    const subscription = await call<{ id: string; secret: string }>('/v1/subscriptions', {
      bearer: admin,
      body: { name: '12345 回访', url: hookUrl, source: 'hotline', events: ['case.status_changed'] },
    });
    expect(subscription.status, JSON.stringify(subscription.body)).toBe(201);
    const ticket = {
      ticketNo: 'HZ20261130-0777',
      caller: { name: '李先生', phone: '13900001111' },
      content: '紫金港路边有家庭作坊，夜里机器声很大',
      address: '三墩镇紫金港路 66 号',
      categoryText: '市场监管/家庭作坊',
      receivedAt: new Date().toISOString(),
    };

    // Act: the ticket (placed by the gazetteer), routed; the area chief dispatches.
    const accepted = await call<{ caseId: string; lead: string; deadline: { handleBy: string } }>(
      '/v1/integrations/hotline/tickets',
      { body: ticket, headers: { 'x-api-key': key.body.key } },
    );
    const repeated = await call<{ caseId: string }>('/v1/integrations/hotline/tickets', {
      body: ticket,
      headers: { 'x-api-key': key.body.key },
    });
    const caseId = accepted.body.caseId;
    const centre = token('command_centre');
    const registered = await until('the case routed', async () => {
      const c = await call<{ status: string; zone?: { id: string } }>(`/v1/cases/${caseId}`, {
        bearer: centre,
      });
      return c.body.status === 'registered' ? c.body : undefined;
    });
    const dispatched = await call<{ status: string }>(`/v1/cases/${caseId}/dispatch`, {
      bearer: token('area_chief', { zone: registered.zone?.id ?? 'zijingang' }),
      body: {},
    });

    // Assess: the reply, and both status changes delivered (the first after a retry), signed.
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(202);
    expect(accepted.body).toMatchObject({
      lead: 'market-regulation',
      deadline: { handleBy: expect.any(String) },
    });
    expect(repeated.status).toBe(200);
    expect(repeated.body.caseId).toBe(caseId);
    expect(dispatched.status, JSON.stringify(dispatched.body)).toBe(200);
    const delivered = await until('both status changes delivered', async () => {
      const ok = new Map<string, Hook>();
      for (const hook of hooks) ok.set(hook.headers['idempotency-key'] as string, hook);
      const statuses = [...ok.values()].map((h) => JSON.parse(h.body).case.status);
      return statuses.includes('registered') && statuses.includes('dispatched') && hooks.length >= 3
        ? [...ok.values()]
        : undefined;
    });
    for (const hook of delivered) {
      const body = JSON.parse(hook.body);
      expect(body).toMatchObject({
        type: 'case.status_changed',
        ticketNo: 'HZ20261130-0777',
        case: { id: caseId },
      });
      expect(hook.body).not.toContain('13900001111');
      expect(
        checkSignature(
          subscription.body.secret,
          {
            timestamp: hook.headers['x-xietong-timestamp'] as string,
            signature: hook.headers['x-xietong-signature'] as string,
            body: hook.body,
          },
          hook.at,
        ).valid,
      ).toBe(true);
    }
    const attempts = await call<{ items: { outcome: string; attempt: number }[] }>(
      `/v1/subscriptions/${subscription.body.id}/deliveries`,
      { bearer: admin },
    );
    expect(attempts.body.items.filter((a) => a.outcome === 'failed')).toHaveLength(1);
    expect(attempts.body.items.filter((a) => a.outcome === 'delivered')).toHaveLength(2);

    // The assigned department's system reports progress, signed with its key's signing secret.
    const system = await call<{ id: string; signingSecret: string }>('/v1/integration-keys', {
      bearer: admin,
      body: {
        name: '市场监管业务系统',
        source: 'department',
        actions: ['events'],
        department: 'market-regulation',
      },
    });
    const raw = JSON.stringify({ type: 'progress', eventId: 'MR-1', caseId, note: '执法人员已到场检查' });
    const progress = await call<{ status: string }>('/v1/integrations/market-regulation/events', {
      raw,
      headers: {
        'x-xietong-key-id': system.body.id,
        ...signatureHeaders(system.body.signingSecret, raw, Date.now()),
      },
    });
    expect(progress.status, JSON.stringify(progress.body)).toBe(200);
    const audit = await call<{ intact: boolean }>(`/v1/cases/${caseId}/audit`, { bearer: centre });
    expect(audit.body.intact).toBe(true);

    // The platform's callback result (回访) goes through the key authorizer too; the case is still open.
    const callback = { ticketNo: ticket.ticketNo, result: '满意', calledBackAt: new Date().toISOString() };
    const early = await call<{ errors: { rule: string }[] }>('/v1/integrations/hotline/callbacks', {
      body: callback,
      headers: { 'x-api-key': key.body.key },
    });
    const keyless = await call('/v1/integrations/hotline/callbacks', { body: callback });
    expect(early.status, JSON.stringify(early.body)).toBe(409);
    expect(early.body.errors[0]?.rule).toBe('case_not_closed');
    expect(keyless.status).toBe(401);
  });

  it('lists a demo integration key an Open311 client can post with at once', async () => {
    // Prepare
    const demo = integrations.find((i) => i.role === 'integration');

    // Act
    const posted = await fetch(`${cloud.info.url}/open311/v2/requests.json`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        api_key: demo?.apiKey ?? '',
        service_code: 'event.illegal-posting',
        lat: '30.3149',
        long: '120.1046',
        description: '电线杆上贴满小广告',
      }).toString(),
    });

    // Assess
    expect(demo).toMatchObject({ source: 'open311', apiKey: expect.stringMatching(/^xtk_/) });
    expect(posted.status, await posted.clone().text()).toBe(201);
    expect(users.some((u) => u.role === 'integration')).toBe(false);
  });
});
