import { beforeEach, describe, expect, it } from 'vitest';
import type { IntegrationPrincipal } from '../../shared/auth/integration';
import {
  ForbiddenActionError,
  RateLimitExceededError,
  SignatureRejectedError,
  SourceNotAllowedError,
  UnauthenticatedError,
} from '../../shared/domain/errors';
import {
  formatApiKey,
  hashSecret,
  type IntegrationKey,
  type StoredIntegrationKey,
} from '../../shared/domain/integration-key';
import { signatureHeaders } from '../../shared/domain/signature';
import type {
  IntegrationKeyStore,
  IntegrationRefusal,
  RateLimiter,
  SeenSignatures,
} from '../../shared/ports';
import { admitIntegrationCaller } from '../../shared/usecases/admit-integration-caller';

const NOW = '2026-11-30T02:00:00.000Z';
const KEY_ID = '01JB8Z9W6Q3X4Y5Z6A7B8C9D0E';
const SECRET = 'a'.repeat(43);
const SIGNING_SECRET = 'xts_camera-secret';

const keyOf = (overrides: Partial<IntegrationKey> = {}): IntegrationKey => ({
  id: KEY_ID,
  name: '视频分析平台',
  source: 'camera',
  actions: ['alerts'],
  rateLimitPerMinute: 2,
  createdAt: NOW,
  createdBy: 'admin',
  ...overrides,
});

/** One key in a map, a counting rate limiter, a set of seen signatures and the refusals counted. */
const fakes = (key: IntegrationKey) => {
  const stored: StoredIntegrationKey = { key, secretHash: hashSecret(SECRET), signingSecret: SIGNING_SECRET };
  const spent = new Map<string, number>();
  const seen = new Set<string>();
  const refusals: IntegrationRefusal[] = [];
  const keys: IntegrationKeyStore = {
    create: async () => {},
    get: async (id) => (id === key.id ? stored : undefined),
    list: async () => [key],
    revoke: async () => undefined,
  };
  const rateLimiter: RateLimiter = {
    tryAcquire: async (bucket, limit) => {
      const used = spent.get(bucket) ?? 0;
      if (used >= limit) return false;
      spent.set(bucket, used + 1);
      return true;
    },
  };
  const seenSignatures: SeenSignatures = {
    remember: async (keyId, signature) => {
      const id = `${keyId}#${signature}`;
      if (seen.has(id)) return false;
      seen.add(id);
      return true;
    },
  };
  return {
    deps: {
      keys,
      seen: seenSignatures,
      rateLimiter,
      clock: { now: () => NOW },
      refusals: { count: (refusal: IntegrationRefusal) => refusals.push(refusal) },
    },
    spent,
    refusals,
  };
};

const signed = (body = '{"cameraId":"CAM-1"}', keyId = KEY_ID) => {
  const headers = signatureHeaders(SIGNING_SECRET, body, Date.parse(NOW));
  return {
    keyId,
    timestamp: headers['x-xietong-timestamp'],
    signature: headers['x-xietong-signature'],
    body,
  };
};

const hotlinePrincipal = (overrides: Partial<IntegrationPrincipal> = {}): IntegrationPrincipal => ({
  actor: { subject: `key:${KEY_ID}`, role: 'integration', name: '12345 热线平台' },
  keyId: KEY_ID,
  source: 'hotline',
  actions: ['report'],
  rateLimitPerMinute: 1,
  ...overrides,
});

describe('admitIntegrationCaller: a principal the key authorizer vouched for', () => {
  let world: ReturnType<typeof fakes>;
  beforeEach(() => {
    world = fakes(keyOf({ source: 'hotline', actions: ['report'] }));
  });

  it('admits a reporting key for its own source and spends one request of its budget', async () => {
    // Act
    const admitted = await admitIntegrationCaller(world.deps, {
      credential: { kind: 'authorizer', principal: hotlinePrincipal() },
      action: 'report',
      source: 'hotline',
    });

    // Assess
    expect(admitted.principal.actor.subject).toBe(`key:${KEY_ID}`);
    expect(admitted.key).toBeUndefined();
    expect(world.spent.get(KEY_ID)).toBe(1);
    expect(world.refusals).toEqual([]);
  });

  it('refuses a key without the action and one for another source, before spending its budget', async () => {
    // Act
    const noReport = admitIntegrationCaller(world.deps, {
      credential: { kind: 'authorizer', principal: hotlinePrincipal({ actions: ['events'] }) },
      action: 'report',
    });
    const otherSource = admitIntegrationCaller(world.deps, {
      credential: { kind: 'authorizer', principal: hotlinePrincipal({ source: 'open311' }) },
      action: 'report',
      source: 'hotline',
    });

    // Assess
    await expect(noReport).rejects.toThrow(ForbiddenActionError);
    await expect(noReport).rejects.toThrow('not allowed to report: this integration key may not report');
    await expect(otherSource).rejects.toThrow(SourceNotAllowedError);
    await expect(otherSource).rejects.toThrow('reports as source "open311", not "hotline"');
    expect(world.spent.size).toBe(0);
  });

  it('refuses a key over its rate with a 429 for x-api-key, and counts it', async () => {
    // Prepare
    const admission = {
      credential: { kind: 'authorizer', principal: hotlinePrincipal() },
      action: 'report',
    } as const;
    await admitIntegrationCaller(world.deps, admission);

    // Act
    const refused = await admitIntegrationCaller(world.deps, admission).catch((error: unknown) => error);

    // Assess
    expect(refused).toBeInstanceOf(RateLimitExceededError);
    expect(refused).toMatchObject({ field: 'x-api-key', limitPerMinute: 1 });
    expect(world.refusals).toEqual([
      { stage: 'rate', credential: 'authorizer', action: 'report', keyId: KEY_ID },
    ]);
  });
});

describe('admitIntegrationCaller: a key presented in the request (Open311 api_key)', () => {
  let world: ReturnType<typeof fakes>;
  beforeEach(() => {
    world = fakes(keyOf({ source: 'open311', actions: ['report'] }));
  });

  it('admits a live key and hands back its stored record', async () => {
    // Act
    const admitted = await admitIntegrationCaller(world.deps, {
      credential: { kind: 'apiKey', presented: formatApiKey(KEY_ID, SECRET), field: 'api_key' },
      action: 'report',
      source: 'open311',
    });

    // Assess
    expect(admitted.key.id).toBe(KEY_ID);
    expect(admitted.principal).toMatchObject({ keyId: KEY_ID, source: 'open311' });
  });

  it('names the field in the refusal: missing or not valid, and counts why for the logs only', async () => {
    // Act
    const missing = await admitIntegrationCaller(world.deps, {
      credential: { kind: 'apiKey', presented: undefined, field: 'api_key' },
      action: 'report',
    }).catch((error: unknown) => error);
    const wrong = await admitIntegrationCaller(world.deps, {
      credential: { kind: 'apiKey', presented: formatApiKey(KEY_ID, 'b'.repeat(43)), field: 'api_key' },
      action: 'report',
    }).catch((error: unknown) => error);

    // Assess
    expect(missing).toBeInstanceOf(UnauthenticatedError);
    expect((missing as Error).message).toBe('api_key was not provided');
    expect((wrong as Error).message).toBe('api_key is not valid');
    expect(world.refusals).toEqual([
      { stage: 'credential', credential: 'apiKey', action: 'report', reason: 'malformed' },
      { stage: 'credential', credential: 'apiKey', action: 'report', reason: 'wrong_secret', keyId: KEY_ID },
    ]);
    expect(world.spent.size).toBe(0);
  });
});

describe('admitIntegrationCaller: a signed request (camera alerts, department events)', () => {
  let world: ReturnType<typeof fakes>;
  beforeEach(() => {
    world = fakes(keyOf());
  });

  it('admits a fresh signature by a key with the action and the route’s source', async () => {
    // Act
    const admitted = await admitIntegrationCaller(world.deps, {
      credential: { kind: 'signature', request: signed() },
      action: 'alerts',
      source: 'camera',
    });

    // Assess
    expect(admitted.key.id).toBe(KEY_ID);
    expect(admitted.principal.actor).toEqual({
      subject: `key:${KEY_ID}`,
      role: 'integration',
      name: '视频分析平台',
    });
    expect(world.spent.get(KEY_ID)).toBe(1);
  });

  it('refuses a replayed signature and counts the refusal with its rule', async () => {
    // Prepare
    const request = signed();
    await admitIntegrationCaller(world.deps, {
      credential: { kind: 'signature', request },
      action: 'alerts',
    });

    // Act
    const replayed = await admitIntegrationCaller(world.deps, {
      credential: { kind: 'signature', request },
      action: 'alerts',
    }).catch((error: unknown) => error);

    // Assess
    expect(replayed).toBeInstanceOf(SignatureRejectedError);
    expect(replayed).toMatchObject({ rule: 'replayed_signature' });
    expect(world.refusals).toEqual([
      {
        stage: 'credential',
        credential: 'signature',
        action: 'alerts',
        reason: 'replayed_signature',
        keyId: KEY_ID,
      },
    ]);
  });

  it('refuses a key without the action as a bad signature, and a department it does not speak for', async () => {
    // Prepare
    const events = fakes(
      keyOf({ source: 'department', actions: ['events'], department: 'urban-management' }),
    );

    // Act
    const noAction = admitIntegrationCaller(world.deps, {
      credential: { kind: 'signature', request: signed() },
      action: 'events',
    });
    const otherDepartment = admitIntegrationCaller(events.deps, {
      credential: { kind: 'signature', request: signed(), department: 'traffic-police' },
      action: 'events',
    });

    // Assess
    await expect(noAction).rejects.toMatchObject({ rule: 'signature_refused' });
    await expect(otherDepartment).rejects.toThrow(ForbiddenActionError);
    expect(events.refusals).toHaveLength(1);
    expect(events.spent.size).toBe(0);
  });

  it('refuses a key issued for another source before spending its budget', async () => {
    // Prepare
    const hotline = fakes(keyOf({ source: 'hotline' }));

    // Act
    const refused = admitIntegrationCaller(hotline.deps, {
      credential: { kind: 'signature', request: signed() },
      action: 'alerts',
      source: 'camera',
    });

    // Assess
    await expect(refused).rejects.toThrow(SourceNotAllowedError);
    expect(hotline.spent.size).toBe(0);
  });
});
