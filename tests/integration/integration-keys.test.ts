import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rateWindowKey } from '../../shared/adapters/aws/integration-key-item';
import { hashSecret, parseApiKey } from '../../shared/domain/integration-key';
import { casesHarness, claimsFor, insideZone, sandun } from '../support/cases-harness';
import { type Emulators, startEmulators } from '../support/emulators';
import { adminClaims, keysHarness } from '../support/keys-harness';

let emulators: Emulators;
let api: ReturnType<typeof casesHarness>;
let keys: ReturnType<typeof keysHarness>;
/** Every key handed out in this file, to look for in the table afterwards. */
const issued: string[] = [];

const hotlineReport = (overrides: Record<string, unknown> = {}) => ({
  source: 'hotline',
  category: 'event.household-workshop',
  description: '12345 来电：小区一楼有家庭作坊违规生产，气味刺鼻',
  location: { ...insideZone(sandun.zone('zijingang')!), crs: 'wgs84' },
  reporter: { name: '王女士', phone: '13812341234' },
  ...overrides,
});

/** Issues a key as the admin and returns it with the context the authorizer lets it through with. */
const issue = async (body: Record<string, unknown> = {}) => {
  const created = await keys.create({ name: '12345 热线平台', source: 'hotline', ...body });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  issued.push(created.body.key);
  const verdict = await keys.authorize(created.body.key);
  if (!verdict.isAuthorized || !('context' in verdict)) throw new Error('a new key must be accepted');
  return { ...created.body, context: verdict.context as unknown as Record<string, unknown> };
};

beforeAll(async () => {
  emulators = await startEmulators();
  api = casesHarness(emulators);
  keys = keysHarness(emulators, api.clock);
});

afterAll(async () => {
  await emulators.stop();
});

describe('managing keys (admins)', () => {
  it('issues a key once, with defaults, attributable to the admin', async () => {
    // Act
    const created = await keys.create({ name: '12345 热线平台', source: 'hotline' });
    issued.push(created.body.key);

    // Assess
    expect(created.status).toBe(201);
    expect(created.headers['cache-control']).toBe('no-store');
    expect(created.headers.location).toBe(`/v1/integration-keys/${created.body.id}`);
    expect(created.body).toEqual({
      id: expect.stringMatching(/^[0-9A-HJKMNP-TV-Z]{26}$/),
      key: expect.stringMatching(/^xtk_[0-9A-HJKMNP-TV-Z]{26}_[A-Za-z0-9_-]{43}$/),
      name: '12345 热线平台',
      source: 'hotline',
      actions: ['report'],
      rateLimitPerMinute: 120,
      createdAt: api.clock.now(),
      createdBy: 'admin-1',
    });
    expect(parseApiKey(created.body.key)?.id).toBe(created.body.id);
  });

  it('lists keys newest first from the index, without any secret', async () => {
    // Prepare
    api.clock.advanceMinutes(1);
    const older = await issue({ name: '城管业务系统', source: 'department', rateLimitPerMinute: 600 });
    api.clock.advanceMinutes(1);
    const newer = await issue({ name: 'Open311 网关', source: 'open311' });

    // Act
    const listed = await keys.list();

    // Assess
    expect(listed.status).toBe(200);
    const ids = listed.body.items.map((k: { id: string }) => k.id);
    expect(ids.indexOf(newer.id)).toBeLessThan(ids.indexOf(older.id));
    expect(listed.body.items.find((k: { id: string }) => k.id === older.id)).toEqual({
      id: older.id,
      name: '城管业务系统',
      source: 'department',
      actions: ['report'],
      rateLimitPerMinute: 600,
      createdAt: older.createdAt,
      createdBy: 'admin-1',
    });
    const text = JSON.stringify(listed.body);
    for (const key of issued) {
      expect(text).not.toContain(parseApiKey(key)?.secret);
      expect(text).not.toContain(hashSecret(parseApiKey(key)?.secret ?? ''));
    }
    expect(text).not.toContain('secretHash');
  });

  it('revokes a key, idempotently: the first revocation stands', async () => {
    // Prepare
    const key = await issue();

    // Act
    const revoked = await keys.revoke(key.id, adminClaims('admin-2'));
    const revokedAt = api.clock.now();
    api.clock.advanceMinutes(5);
    const again = await keys.revoke(key.id, adminClaims('admin-3'), {});

    // Assess
    expect(revoked.status).toBe(200);
    expect(revoked.body).toMatchObject({ id: key.id, revokedAt, revokedBy: 'admin-2' });
    expect(revoked.body).not.toHaveProperty('key');
    expect(again.status).toBe(200);
    expect(again.body).toEqual(revoked.body);
    const listed = (await keys.list()).body.items.find((k: { id: string }) => k.id === key.id);
    expect(listed).toMatchObject({ revokedAt, revokedBy: 'admin-2' });
  });

  it('answers 404 for an unknown key and 400 for something that is no key id', async () => {
    // Act
    const unknown = await keys.revoke('01JDQ4X7R2M8N0P3S5T6V9W1YZ');
    const malformed = await keys.revoke('../CASE');
    const withBody = await keys.revoke('01JDQ4X7R2M8N0P3S5T6V9W1YZ', adminClaims(), { reason: 'x' });

    // Assess
    expect(unknown.status).toBe(404);
    expect(unknown.body.errors[0]).toMatchObject({ field: 'id', rule: 'integration_key_not_found' });
    expect(malformed.status).toBe(400);
    expect(malformed.body.errors[0]).toMatchObject({ field: 'id' });
    expect(withBody.status).toBe(400);
    expect(withBody.body.errors[0]).toMatchObject({ field: 'reason', rule: 'unrecognized_key' });
  });

  it.each([
    ['an unknown source', { name: 'x', source: 'fax' }, 'source', 'invalid_value'],
    ['no name', { source: 'hotline' }, 'name', 'invalid_type'],
    [
      'an action keys cannot have',
      { name: 'x', source: 'hotline', actions: ['read'] },
      'actions.0',
      'invalid_value',
    ],
    ['no action', { name: 'x', source: 'hotline', actions: [] }, 'actions', 'too_small'],
    [
      'a zero rate',
      { name: 'x', source: 'hotline', rateLimitPerMinute: 0 },
      'rateLimitPerMinute',
      'too_small',
    ],
    [
      'a rate over 6000',
      { name: 'x', source: 'hotline', rateLimitPerMinute: 6001 },
      'rateLimitPerMinute',
      'too_big',
    ],
    [
      'a fractional rate',
      { name: 'x', source: 'hotline', rateLimitPerMinute: 1.5 },
      'rateLimitPerMinute',
      'invalid_type',
    ],
    ['an unknown field', { name: 'x', source: 'hotline', secret: 'mine' }, 'secret', 'unrecognized_key'],
  ])('refuses %s with a 400 naming the field', async (_, body, field, rule) => {
    // Act
    const reply = await keys.create(body);

    // Assess
    expect(reply.status).toBe(400);
    expect(reply.headers['content-type']).toBe('application/problem+json');
    expect(reply.body.errors).toContainEqual(expect.objectContaining({ field, rule }));
  });

  it.each([
    ['a reporter', claimsFor.reporter()],
    ['a field worker', claimsFor.fieldWorker('joint-team')],
    ['department staff', claimsFor.staff('market-regulation')],
    ['an area chief', claimsFor.areaChief('zijingang')],
    ['the command centre', claimsFor.commandCentre()],
  ])('refuses %s (403 for create, list and revoke)', async (_, claims) => {
    // Prepare
    const key = await issue();

    // Act
    const replies = [
      await keys.create({ name: 'mine', source: 'hotline' }, claims),
      await keys.list(claims),
      await keys.revoke(key.id, claims),
    ];

    // Assess
    for (const reply of replies) {
      expect(reply.status).toBe(403);
      expect(reply.body.errors[0]).toMatchObject({ rule: 'forbidden' });
    }
    expect(await keys.authorize(key.key)).toMatchObject({ isAuthorized: true });
  });

  it('refuses a request without a verified token with 401', async () => {
    // Act
    const reply = await keys.list({});

    // Assess
    expect(reply.status).toBe(401);
  });
});

describe('the key authorizer', () => {
  it('allows a live key with its id, source, actions and limit as context', async () => {
    // Prepare
    const key = await issue({ name: 'Open311', source: 'open311', rateLimitPerMinute: 30 });

    // Act
    const verdict = await keys.authorize(key.key);

    // Assess
    expect(verdict).toEqual({
      isAuthorized: true,
      context: {
        keyId: key.id,
        name: 'Open311',
        source: 'open311',
        actions: 'report',
        rateLimitPerMinute: 30,
      },
    });
  });

  it('refuses unknown, wrong, revoked, malformed and missing keys', async () => {
    // Prepare
    const key = await issue();
    const revoked = await issue();
    await keys.revoke(revoked.id);
    const { id, secret } = parseApiKey(key.key)!;
    const flipped = `${secret.slice(0, -1)}${secret.endsWith('A') ? 'B' : 'A'}`;

    // Act
    const verdicts = await Promise.all(
      [
        `xtk_01JDQ4X7R2M8N0P3S5T6V9W1YZ_${secret}`,
        `xtk_${id}_${flipped}`,
        revoked.key,
        key.key.slice(0, -1),
        `Bearer ${key.key}`,
        '',
        undefined,
      ].map((presented) => keys.authorize(presented)),
    );

    // Assess
    expect(verdicts).toEqual(verdicts.map(() => ({ isAuthorized: false })));
    expect(await keys.authorize(key.key)).toMatchObject({ isAuthorized: true });
  });
});

describe('machine intake (POST /v1/integrations/reports)', () => {
  it('accepts a report from a key, routes it, and records the key as its submitter', async () => {
    // Prepare
    const key = await issue();

    // Act
    const accepted = await api.integrationReport(hotlineReport(), key.context);
    await api.drainQueue();
    const routed = await api.get(accepted.body.id);

    // Assess
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(202);
    expect(accepted.headers.location).toBe(`/v1/cases/${accepted.body.id}`);
    // The key sent the reporter's details itself: it gets them back unmasked.
    expect(accepted.body).toMatchObject({ personalDataMasked: false, reporter: { phone: '13812341234' } });
    expect(routed.body).toMatchObject({
      status: 'registered',
      source: 'hotline',
      zone: { id: 'zijingang' },
      lead: 'market-regulation',
      submittedBy: { subject: `key:${key.id}`, role: 'integration', name: '12345 热线平台' },
    });
    expect(routed.body.timeline[0].actor).toEqual({
      subject: `key:${key.id}`,
      role: 'integration',
      name: '12345 热线平台',
    });
  });

  it('keeps the semantics of POST /v1/cases: Idempotency-Key and external tickets', async () => {
    // Prepare
    const key = await issue();
    const other = await issue();
    const headers = { 'Idempotency-Key': 'hotline-0001' };

    // Act
    const first = await api.integrationReport(hotlineReport(), key.context, headers);
    const retry = await api.integrationReport(hotlineReport(), key.context, headers);
    const reused = await api.integrationReport(
      hotlineReport({ description: '另一件事' }),
      key.context,
      headers,
    );
    const otherKey = await api.integrationReport(hotlineReport(), other.context, headers);
    const externalRef = { system: '12345', id: 'HZ20261130-0099' };
    const ticket = await api.integrationReport(hotlineReport({ externalRef }), key.context);
    const ticketAgain = await api.integrationReport(
      hotlineReport({ externalRef, description: '重复来电' }),
      other.context,
    );
    await api.drainQueue();

    // Assess
    expect(retry.body.id).toBe(first.body.id);
    expect(retry.headers['idempotency-replayed']).toBe('true');
    expect(reused.status).toBe(422);
    expect(otherKey.body.id).not.toBe(first.body.id);
    expect(ticketAgain.body.id).toBe(ticket.body.id);
  });

  it('refuses a report for another source than the key is bound to (403 naming source), storing nothing', async () => {
    // Prepare
    const key = await issue({ source: 'hotline' });
    const before = await itemCount();

    // Act
    const reply = await api.integrationReport(hotlineReport({ source: 'camera' }), key.context);

    // Assess
    expect(reply.status).toBe(403);
    expect(reply.headers['content-type']).toBe('application/problem+json');
    expect(reply.body.errors).toEqual([
      expect.objectContaining({ field: 'source', rule: 'source_bound_to_key' }),
    ]);
    // Only the request's rate counter was written.
    expect(await itemCount()).toBe(before + 1);
  });

  it('refuses the route without the authorizer context (401), and checks the body like POST /v1/cases', async () => {
    // Prepare
    const key = await issue();

    // Act
    const unauthenticated = await api.integrationReport(hotlineReport(), undefined);
    const invalid = await api.integrationReport(
      hotlineReport({ location: { lat: 95, lng: 120 } }),
      key.context,
    );

    // Assess
    expect(unauthenticated.status).toBe(401);
    expect(invalid.status).toBe(400);
    expect(invalid.body.errors[0]).toMatchObject({ field: 'location.lat', rule: 'too_big' });
  });

  it("gives exactly the key's limit per minute, then 429 with Retry-After, and again in the next minute", async () => {
    // Prepare
    const key = await issue({ rateLimitPerMinute: 3 });
    const neighbour = await issue({ rateLimitPerMinute: 3 });
    api.clock.set('2026-11-30T02:10:05.000Z');

    // Act
    const inWindow = [];
    for (let i = 0; i < 5; i++) {
      inWindow.push(await api.integrationReport(hotlineReport({ description: `来电 ${i}` }), key.context));
    }
    // Bad requests count too: the budget is spent before the body is read.
    api.clock.set('2026-11-30T02:10:59.400Z');
    const garbage = await api.integrationReport({ nonsense: true }, key.context);
    const others = await api.integrationReport(
      hotlineReport({ description: '另一个系统' }),
      neighbour.context,
    );
    api.clock.set('2026-11-30T02:11:00.000Z');
    const nextWindow = await api.integrationReport(hotlineReport({ description: '下一分钟' }), key.context);
    await api.drainQueue();

    // Assess
    expect(inWindow.map((r) => r.status)).toEqual([202, 202, 202, 429, 429]);
    const refused = inWindow[3]!;
    expect(refused.headers['content-type']).toBe('application/problem+json');
    expect(refused.headers['retry-after']).toBe('55');
    expect(refused.body).toMatchObject({
      status: 429,
      errors: [{ field: 'x-api-key', rule: 'rate_limited' }],
    });
    expect(garbage.status).toBe(429);
    expect(garbage.headers['retry-after']).toBe('1');
    expect(others.status).toBe(202);
    expect(nextWindow.status).toBe(202);

    const { Items = [] } = await emulators.documents.send(
      new ScanCommand({
        TableName: emulators.tableName,
        FilterExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': rateWindowKey(key.id, '2026-11-30T02:10').pk },
      }),
    );
    expect(Items).toEqual([
      expect.objectContaining({ count: 3, expiresAt: Date.parse('2026-11-30T02:11:00.000Z') / 1000 }),
    ]);
  });

  it('stops a revoked key at the authorizer on its next request', async () => {
    // Prepare
    const key = await issue();
    expect((await api.integrationReport(hotlineReport(), key.context)).status).toBe(202);

    // Act
    await keys.revoke(key.id);

    // Assess
    expect(await keys.authorize(key.key)).toEqual({ isAuthorized: false });
    await api.drainQueue();
  });
});

/** Counting or searching items with a scan is fine in a test. */
const allItems = async () => {
  const items: Record<string, unknown>[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await emulators.documents.send(
      new ScanCommand({ TableName: emulators.tableName, ...(startKey && { ExclusiveStartKey: startKey }) }),
    );
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
};
const itemCount = async () => (await allItems()).length;

describe('the stored keys', () => {
  it('hold the sha256 of each secret and nothing of the secret in plain text', async () => {
    // Prepare
    expect(issued.length).toBeGreaterThan(10);
    const table = JSON.stringify(await allItems());

    // Assess
    for (const key of issued) {
      const { secret } = parseApiKey(key)!;
      expect(table).not.toContain(secret);
      expect(table).not.toContain(key);
      // Not even a recognisable part of it.
      expect(table).not.toContain(secret.slice(0, 16));
      expect(table).toContain(hashSecret(secret));
    }
  });
});
