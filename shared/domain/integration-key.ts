import { createHash, timingSafeEqual } from 'node:crypto';
import type { Source } from './case';

/**
 * Integration keys: how machine clients (the 12345 hotline platform, department systems, Open311
 * clients) call the API. A key reads `xtk_<id>_<secret>`: the id finds the record, the secret (32
 * random bytes, base64url) proves possession. Only sha256(secret) is stored: with 256 random bits
 * there is nothing to guess, so a slow hash or a pepper would add cost and no protection.
 */

/**
 * What a key may do: `report` creates cases (the hotline, Open311 clients); `events` sends signed
 * department-system events (new reports, progress and results on the cases assigned to the key's
 * department); `alerts` sends signed camera alerts (a video-analytics system, source `camera`).
 * Nothing reads.
 */
export const INTEGRATION_ACTIONS = ['report', 'events', 'alerts'] as const;
export type IntegrationAction = (typeof INTEGRATION_ACTIONS)[number];

/**
 * The actions whose requests are HMAC-signed rather than keyed: no secret travels with them, so a
 * key with one of these gets a signing secret when it is issued.
 */
export const SIGNED_ACTIONS = ['events', 'alerts'] as const satisfies readonly IntegrationAction[];
export type SignedAction = (typeof SIGNED_ACTIONS)[number];

export const signsRequests = (actions: readonly IntegrationAction[]): boolean =>
  actions.some((action) => (SIGNED_ACTIONS as readonly string[]).includes(action));

export const RATE_LIMIT_PER_MINUTE = { min: 1, max: 6000, default: 120 } as const;

export interface IntegrationKey {
  id: string;
  /** Who holds it, e.g. "12345 热线平台". */
  name: string;
  /** The only `source` its reports may carry. */
  source: Source;
  actions: IntegrationAction[];
  rateLimitPerMinute: number;
  /** The department a department system acts for (keys with `events`): its progress and results. */
  department?: string;
  createdAt: string;
  /** The administrator's subject. */
  createdBy: string;
  revokedAt?: string;
  revokedBy?: string;
}

/** The record as stored: the key and the hash of its secret, never the secret. */
export interface StoredIntegrationKey {
  key: IntegrationKey;
  secretHash: string;
  /**
   * Keys with a signed action (`events`, `alerts`) only: the HMAC secret their requests are signed with. Unlike the key's own
   * secret it must be kept readable to verify a signature; it never leaves the store but to verify.
   */
  signingSecret?: string;
}

/** A ULID (Crockford base32): no `_`, so the id ends where the secret starts. */
export const KEY_ID_PATTERN = /^[0-9A-HJKMNP-TV-Z]{26}$/;
const API_KEY_PATTERN = /^xtk_([0-9A-HJKMNP-TV-Z]{26})_([A-Za-z0-9_-]{43})$/;

/** 32 bytes in base64url without padding. */
export const SECRET_LENGTH = 43;

export const formatApiKey = (id: string, secret: string): string => `xtk_${id}_${secret}`;

/** The id and secret of a well-formed key, else undefined. */
export const parseApiKey = (text: string | undefined): { id: string; secret: string } | undefined => {
  const match = API_KEY_PATTERN.exec(text ?? '');
  return match?.[1] && match[2] ? { id: match[1], secret: match[2] } : undefined;
};

const sha256 = (secret: string) => createHash('sha256').update(secret, 'utf8').digest();

export const hashSecret = (secret: string): string => sha256(secret).toString('hex');

/** Constant-time comparison of the presented secret with the stored hash. */
export const secretMatches = (secret: string, storedHash: string): boolean => {
  const stored = Buffer.from(storedHash, 'hex');
  const presented = sha256(secret);
  return stored.length === presented.length && timingSafeEqual(stored, presented);
};

export const isRevoked = (key: IntegrationKey): boolean => key.revokedAt !== undefined;
