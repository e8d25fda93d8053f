import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { integrationContextOf, integrationFromEvent } from '../../shared/auth/integration';
import { AUTHORIZATION_MATRIX, isAllowed, scopeOf } from '../../shared/domain/authorization';
import type { Actor } from '../../shared/domain/case';
import {
  IntegrationKeyNotFoundError,
  RateLimitExceededError,
  SourceNotAllowedError,
  UnauthenticatedError,
} from '../../shared/domain/errors';
import {
  formatApiKey,
  hashSecret,
  type IntegrationKey,
  parseApiKey,
  SECRET_LENGTH,
  type StoredIntegrationKey,
  secretMatches,
} from '../../shared/domain/integration-key';
import { type RateWindow, rateWindowAt } from '../../shared/domain/rate-window';
import { problemHeaders, toProblem } from '../../shared/http/problem';
import type { IntegrationKeyStore, RateLimiter } from '../../shared/ports';
import {
  checkIntegrationKey,
  createIntegrationKey,
  revokeIntegrationKey,
} from '../../shared/usecases/integration-keys';
import { consumeRateLimit } from '../../shared/usecases/rate-limit';

const ID = '01JDQ4X7R2M8N0P3S5T6V9W1YZ';
const SECRET = 'Zm9vYmFyYmF6cXV4LW1vcmUtYnl0ZXMtdG8tZmlsbC0';
const admin: Actor = { subject: 'admin-1', role: 'admin' };
const clock = { now: () => '2026-11-30T01:07:30.000Z' };

/** The port's behaviour in memory: what the use cases rely on, no emulator needed. */
const memoryKeys = () => {
  const items = new Map<string, StoredIntegrationKey>();
  const store: IntegrationKeyStore = {
    async create(stored) {
      if (items.has(stored.key.id)) throw new Error('exists');
      items.set(stored.key.id, structuredClone(stored));
    },
    async get(id) {
      return structuredClone(items.get(id));
    },
    async list() {
      return [...items.values()].map((s) => s.key).reverse();
    },
    async revoke(id, revokedAt, revokedBy) {
      const stored = items.get(id);
      if (!stored) return undefined;
      if (!stored.key.revokedAt) stored.key = { ...stored.key, revokedAt, revokedBy };
      return stored.key;
    },
  };
  return { store, items };
};

describe('the key format', () => {
  it('is xtk_<ULID>_<43 base64url characters of 32 random bytes>', async () => {
    // Prepare
    const { store } = memoryKeys();

    // Act
    const { key, apiKey } = await createIntegrationKey(
      { keys: store, clock },
      {
        input: { name: '12345 热线平台', source: 'hotline', actions: ['report'], rateLimitPerMinute: 120 },
        actor: admin,
      },
    );

    // Assess
    expect(apiKey).toMatch(/^xtk_[0-9A-HJKMNP-TV-Z]{26}_[A-Za-z0-9_-]{43}$/);
    const parsed = parseApiKey(apiKey);
    expect(parsed?.id).toBe(key.id);
    expect(parsed?.secret).toHaveLength(SECRET_LENGTH);
    expect(Buffer.from(parsed?.secret ?? '', 'base64url')).toHaveLength(32);
  });

  it('gives every key its own id and secret', async () => {
    // Prepare
    const { store } = memoryKeys();
    const input = {
      name: 'x',
      source: 'open311' as const,
      actions: ['report' as const],
      rateLimitPerMinute: 1,
    };

    // Act
    const keys = await Promise.all(
      Array.from({ length: 20 }, () => createIntegrationKey({ keys: store, clock }, { input, actor: admin })),
    );

    // Assess
    expect(new Set(keys.map((k) => k.key.id)).size).toBe(20);
    expect(new Set(keys.map((k) => parseApiKey(k.apiKey)?.secret)).size).toBe(20);
  });

  it('round-trips through formatApiKey and parseApiKey', () => {
    // Assess
    expect(parseApiKey(formatApiKey(ID, SECRET))).toEqual({ id: ID, secret: SECRET });
  });

  it.each([
    ['nothing', undefined],
    ['an empty string', ''],
    ['another prefix', `xtx_${ID}_${SECRET}`],
    ['no prefix', `${ID}_${SECRET}`],
    ['a lower-case id', `xtk_${ID.toLowerCase()}_${SECRET}`],
    ['an id with I, L, O or U', `xtk_${ID.slice(0, -1)}I_${SECRET}`],
    ['a short secret', `xtk_${ID}_${SECRET.slice(1)}`],
    ['a long secret', `xtk_${ID}_${SECRET}A`],
    ['padding', `xtk_${ID}_${SECRET.slice(1)}=`],
    ['spaces around it', ` xtk_${ID}_${SECRET} `],
    ['a bearer token', 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.sig'],
  ])('refuses %s', (_, text) => {
    // Assess
    expect(parseApiKey(text)).toBeUndefined();
  });
});

describe('hashing and verification', () => {
  it('stores sha256 of the secret, hex, which does not contain the secret', () => {
    // Act
    const hash = hashSecret(SECRET);

    // Assess
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(hash).not.toContain(SECRET);
    expect(hashSecret(SECRET)).toBe(hash);
  });

  it('matches the right secret only', () => {
    // Prepare
    const hash = hashSecret(SECRET);

    // Assess
    expect(secretMatches(SECRET, hash)).toBe(true);
    expect(secretMatches(`${SECRET.slice(0, -1)}A`, hash)).toBe(false);
    expect(secretMatches('', hash)).toBe(false);
    // A damaged stored hash (wrong length) is a mismatch, not a crash of timingSafeEqual.
    expect(secretMatches(SECRET, hash.slice(2))).toBe(false);
    expect(secretMatches(SECRET, '')).toBe(false);
  });

  it('keeps only the hash in the store', async () => {
    // Prepare
    const { store, items } = memoryKeys();

    // Act
    const { key, apiKey } = await createIntegrationKey(
      { keys: store, clock, newId: () => ID, newSecret: () => SECRET },
      {
        input: { name: 'n', source: 'department', actions: ['report'], rateLimitPerMinute: 5 },
        actor: admin,
      },
    );

    // Assess
    expect(apiKey).toBe(formatApiKey(ID, SECRET));
    expect(key).toEqual({
      id: ID,
      name: 'n',
      source: 'department',
      actions: ['report'],
      rateLimitPerMinute: 5,
      createdAt: clock.now(),
      createdBy: 'admin-1',
    });
    const stored = JSON.stringify([...items.values()]);
    expect(stored).not.toContain(SECRET);
    expect(stored).toContain(hashSecret(SECRET));
  });
});

describe('checking a presented key', () => {
  const prepared = async () => {
    const { store } = memoryKeys();
    await store.create({
      key: {
        id: ID,
        name: 'hotline',
        source: 'hotline',
        actions: ['report'],
        rateLimitPerMinute: 10,
        createdAt: clock.now(),
        createdBy: 'admin-1',
      },
      secretHash: hashSecret(SECRET),
    });
    return store;
  };

  it('accepts the live key', async () => {
    // Act
    const check = await checkIntegrationKey({ keys: await prepared() }, formatApiKey(ID, SECRET));

    // Assess
    expect(check).toMatchObject({ valid: true, key: { id: ID, source: 'hotline' } });
  });

  it.each([
    ['malformed', 'not-a-key', 'malformed'],
    ['unknown', formatApiKey('01JDQ4X7R2M8N0P3S5T6V9W1Y0', SECRET), 'unknown'],
    ['wrong secret', formatApiKey(ID, `${SECRET.slice(0, -1)}Q`), 'wrong_secret'],
  ])('refuses a %s key', async (_, presented, reason) => {
    // Act
    const check = await checkIntegrationKey({ keys: await prepared() }, presented);

    // Assess
    expect(check).toMatchObject({ valid: false, reason });
  });

  it('refuses a revoked key, and revoking again keeps the first revocation', async () => {
    // Prepare
    const keys = await prepared();
    const later = { now: () => '2026-12-01T00:00:00.000Z' };

    // Act
    const first = await revokeIntegrationKey({ keys, clock }, { id: ID, actor: admin });
    const again = await revokeIntegrationKey(
      { keys, clock: later },
      { id: ID, actor: { subject: 'admin-2', role: 'admin' } },
    );
    const check = await checkIntegrationKey({ keys }, formatApiKey(ID, SECRET));

    // Assess
    expect(first).toMatchObject({ revokedAt: clock.now(), revokedBy: 'admin-1' });
    expect(again).toEqual(first);
    expect(check).toMatchObject({ valid: false, reason: 'revoked', keyId: ID });
  });

  it('answers 404 for revoking a key that does not exist', async () => {
    // Act
    const revoking = revokeIntegrationKey({ keys: await prepared(), clock }, { id: 'nope', actor: admin });

    // Assess
    await expect(revoking).rejects.toBeInstanceOf(IntegrationKeyNotFoundError);
    expect(toProblem(new IntegrationKeyNotFoundError('nope')).status).toBe(404);
  });
});

describe('rate windows', () => {
  it.each([
    ['the first instant of a minute', '2026-11-30T01:07:00.000Z', '2026-11-30T01:07', 60],
    ['half way', '2026-11-30T01:07:30.000Z', '2026-11-30T01:07', 30],
    ['a fraction into a second', '2026-11-30T01:07:30.001Z', '2026-11-30T01:07', 30],
    ['the last half second', '2026-11-30T01:07:59.500Z', '2026-11-30T01:07', 1],
    ['the last millisecond', '2026-11-30T01:07:59.999Z', '2026-11-30T01:07', 1],
    ['the turn of a day', '2026-11-30T23:59:45.000Z', '2026-11-30T23:59', 15],
  ])('at %s: window %s, retry after %i s', (_, now, minute, retryAfterSeconds) => {
    // Act
    const window = rateWindowAt(now);

    // Assess
    expect(window.minute).toBe(minute);
    expect(window.retryAfterSeconds).toBe(retryAfterSeconds);
    expect(window.endsAtEpochSeconds).toBe(Date.parse(`${minute}:00.000Z`) / 1000 + 60);
  });

  it('takes offsets as the instant they name', () => {
    // Assess
    expect(rateWindowAt('2026-11-30T09:07:10+08:00').minute).toBe('2026-11-30T01:07');
  });

  it('starts a new window at the next minute', () => {
    // Assess
    expect(rateWindowAt('2026-11-30T01:08:00.000Z').minute).not.toBe(
      rateWindowAt('2026-11-30T01:07:59.999Z').minute,
    );
  });

  it('refuses an instant it cannot read', () => {
    // Assess
    expect(() => rateWindowAt('yesterday')).toThrow(RangeError);
  });

  it('refuses past the limit with 429 and Retry-After, counting nothing', async () => {
    // Prepare
    const counts = new Map<string, number>();
    const rateLimiter: RateLimiter = {
      async tryAcquire(bucket: string, limit: number, window: RateWindow) {
        const name = `${bucket}#${window.minute}`;
        const count = counts.get(name) ?? 0;
        if (count >= limit) return false;
        counts.set(name, count + 1);
        return true;
      },
    };

    // Act
    await consumeRateLimit({ rateLimiter, clock }, ID, 2);
    await consumeRateLimit({ rateLimiter, clock }, ID, 2);
    const third = consumeRateLimit({ rateLimiter, clock }, ID, 2).catch((error: unknown) => error);

    // Assess
    const error = await third;
    expect(error).toBeInstanceOf(RateLimitExceededError);
    expect(counts.get(`${ID}#2026-11-30T01:07`)).toBe(2);
    expect(toProblem(error)).toMatchObject({
      status: 429,
      errors: [{ field: 'x-api-key', rule: 'rate_limited' }],
    });
    expect(problemHeaders(error)).toEqual({ 'retry-after': '30' });
    expect(problemHeaders(new Error('other'))).toEqual({});
  });
});

describe('the integration principal', () => {
  const key: IntegrationKey = {
    id: ID,
    name: '12345 热线平台',
    source: 'hotline',
    actions: ['report'],
    rateLimitPerMinute: 120,
    createdAt: clock.now(),
    createdBy: 'admin-1',
  };
  const eventWith = (authorizer: unknown) =>
    ({
      requestContext: { ...(authorizer !== undefined && { authorizer }) },
    }) as unknown as APIGatewayProxyEventV2;

  it('passes only strings and numbers through the authorizer context', () => {
    // Act
    const context = integrationContextOf(key);

    // Assess
    expect(context).toEqual({
      keyId: ID,
      name: '12345 热线平台',
      source: 'hotline',
      actions: 'report',
      rateLimitPerMinute: 120,
    });
    expect(Object.values(context).every((v) => typeof v === 'string' || typeof v === 'number')).toBe(true);
  });

  it('becomes an integration actor with the key as subject', () => {
    // Act
    const principal = integrationFromEvent(eventWith({ lambda: integrationContextOf(key) }));

    // Assess
    expect(principal).toEqual({
      actor: { subject: `key:${ID}`, role: 'integration', name: '12345 热线平台' },
      keyId: ID,
      source: 'hotline',
      actions: ['report'],
      rateLimitPerMinute: 120,
    });
  });

  it('also reads actions as a list and the limit as a numeric string', () => {
    // Act
    const principal = integrationFromEvent(
      eventWith({ lambda: { ...integrationContextOf(key), actions: ['report'], rateLimitPerMinute: '7' } }),
    );

    // Assess
    expect(principal).toMatchObject({ actions: ['report'], rateLimitPerMinute: 7 });
  });

  it.each([
    ['no authorizer', undefined],
    ['JWT claims instead', { jwt: { claims: { sub: 'x' } } }],
    ['a bad key id', { lambda: { ...integrationContextOf(key), keyId: 'x' } }],
    ['an unknown source', { lambda: { ...integrationContextOf(key), source: 'fax' } }],
    ['an unknown action', { lambda: { ...integrationContextOf(key), actions: 'report,read' } }],
    ['a limit out of range', { lambda: { ...integrationContextOf(key), rateLimitPerMinute: 0 } }],
  ])('refuses %s with 401', (_, authorizer) => {
    // Assess
    expect(() => integrationFromEvent(eventWith(authorizer))).toThrow(UnauthenticatedError);
  });

  it('may report and nothing else, whatever the matrix grants people', () => {
    // Prepare
    const machine: Actor = { subject: `key:${ID}`, role: 'integration' };
    const facts = {
      cooperating: [],
      submittedBy: machine,
      lead: 'x',
      assignee: 'x',
    };

    // Assess
    expect(scopeOf(machine, 'report')).toBe('any');
    for (const action of ['read', 'list', 'audit', 'dispatch', 'cancel', 'config', 'manage_keys'] as const) {
      expect(scopeOf(machine, action), action).toBeUndefined();
      expect(isAllowed(machine, action, facts), action).toBe(false);
    }
    // No token role is called `integration`: the role cannot be claimed.
    expect(Object.keys(AUTHORIZATION_MATRIX)).not.toContain('integration');
  });

  it('names the source in a 403 when a report says another one', () => {
    // Assess
    expect(toProblem(new SourceNotAllowedError('hotline', 'camera'))).toMatchObject({
      status: 403,
      errors: [{ field: 'source', rule: 'source_bound_to_key' }],
    });
  });
});
