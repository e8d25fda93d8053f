import { randomBytes } from 'node:crypto';
import { ulid } from 'ulid';
import type { Actor, Source } from '../domain/case';
import { IntegrationKeyNotFoundError } from '../domain/errors';
import {
  formatApiKey,
  hashSecret,
  type IntegrationAction,
  type IntegrationKey,
  isRevoked,
  parseApiKey,
  secretMatches,
  signsRequests,
} from '../domain/integration-key';
import type { Clock, IntegrationKeyStore } from '../ports';

export interface IntegrationKeyDeps {
  keys: IntegrationKeyStore;
  clock: Clock;
  /** Key ids (default: a ULID). */
  newId?: () => string;
  /** 32 random bytes, base64url (default: node:crypto). */
  newSecret?: () => string;
}

export interface NewIntegrationKey {
  name: string;
  source: Source;
  actions: IntegrationAction[];
  rateLimitPerMinute: number;
  department?: string;
}

export interface CreatedIntegrationKey {
  key: IntegrationKey;
  /** The full key, `xtk_<id>_<secret>`: returned once, never stored. */
  apiKey: string;
  /** Keys with a signed action (`events`, `alerts`): the HMAC secret for signing requests (`xts_<secret>`), returned once. */
  signingSecret?: string;
}

const randomSecret = () => randomBytes(32).toString('base64url');

/** Issues a key for a machine client; only the hash of its secret is kept. */
export const createIntegrationKey = async (
  deps: IntegrationKeyDeps,
  request: { input: NewIntegrationKey; actor: Actor },
): Promise<CreatedIntegrationKey> => {
  const { input, actor } = request;
  const id = (deps.newId ?? ulid)();
  const secret = (deps.newSecret ?? randomSecret)();
  const key: IntegrationKey = {
    id,
    name: input.name,
    source: input.source,
    actions: [...new Set(input.actions)],
    rateLimitPerMinute: input.rateLimitPerMinute,
    ...(input.department !== undefined && { department: input.department }),
    createdAt: deps.clock.now(),
    createdBy: actor.subject,
  };
  const signingSecret = signsRequests(key.actions) ? `xts_${(deps.newSecret ?? randomSecret)()}` : undefined;
  await deps.keys.create({
    key,
    secretHash: hashSecret(secret),
    ...(signingSecret !== undefined && { signingSecret }),
  });
  return { key, apiKey: formatApiKey(id, secret), ...(signingSecret !== undefined && { signingSecret }) };
};

export const listIntegrationKeys = (deps: Pick<IntegrationKeyDeps, 'keys'>): Promise<IntegrationKey[]> =>
  deps.keys.list();

/** Revokes a key at once (the authorizer caches nothing); revoking it again changes nothing. */
export const revokeIntegrationKey = async (
  deps: IntegrationKeyDeps,
  request: { id: string; actor: Actor },
): Promise<IntegrationKey> => {
  const revoked = await deps.keys.revoke(request.id, deps.clock.now(), request.actor.subject);
  if (!revoked) throw new IntegrationKeyNotFoundError(request.id);
  return revoked;
};

export type KeyCheck =
  | { valid: true; key: IntegrationKey }
  | { valid: false; reason: 'malformed' | 'unknown' | 'wrong_secret' | 'revoked'; keyId?: string };

/** Whether a presented `x-api-key` is a live key; the reason is for logs, never for the caller. */
export const checkIntegrationKey = async (
  deps: Pick<IntegrationKeyDeps, 'keys'>,
  presented: string | undefined,
): Promise<KeyCheck> => {
  const parsed = parseApiKey(presented?.trim());
  if (!parsed) return { valid: false, reason: 'malformed' };
  const stored = await deps.keys.get(parsed.id);
  if (!stored) return { valid: false, reason: 'unknown', keyId: parsed.id };
  if (!secretMatches(parsed.secret, stored.secretHash))
    return { valid: false, reason: 'wrong_secret', keyId: parsed.id };
  if (isRevoked(stored.key)) return { valid: false, reason: 'revoked', keyId: parsed.id };
  return { valid: true, key: stored.key };
};
