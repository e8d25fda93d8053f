import type { IntegrationKey, StoredIntegrationKey } from '../domain/integration-key';
import type { RateWindow } from '../domain/rate-window';

// Machine callers: their keys, their rate limits and the signatures already seen.

export interface IntegrationKeyStore {
  /** Writes a new key; ids are random, so an existing id is a bug and throws. */
  create(stored: StoredIntegrationKey): Promise<void>;
  get(id: string): Promise<StoredIntegrationKey | undefined>;
  /** Every key, newest first, without secret hashes. */
  list(): Promise<IntegrationKey[]>;
  /** Marks the key revoked unless it already is (then returns it unchanged); undefined when absent. */
  revoke(id: string, revokedAt: string, revokedBy: string): Promise<IntegrationKey | undefined>;
}

export interface RateLimiter {
  /** Counts one request against `bucket` in `window`; false (nothing counted) when `limit` is reached. */
  tryAcquire(bucket: string, limit: number, window: RateWindow): Promise<boolean>;
}

/**
 * Signatures already accepted, kept until they could no longer pass the timestamp check: a replay
 * within the window is refused. `remember` is a conditional write: false when it was seen.
 */
export interface SeenSignatures {
  remember(keyId: string, signature: string, now: string, expiresAt: string): Promise<boolean>;
}

/** How a machine caller identified itself: the key authorizer's word, a key it presented, or a signature. */
export type CredentialKind = 'authorizer' | 'apiKey' | 'signature';

/** One machine caller turned away, for operators (a metric, a log line); never told to the caller. */
export interface IntegrationRefusal {
  /** Where it was stopped: its credential, or its per-minute budget. */
  stage: 'credential' | 'rate';
  credential: CredentialKind;
  /** What the route needed the key for (`report`, `events`, `alerts`). */
  action: string;
  /** Why the credential failed (`wrong_secret`, `replayed_signature`…), when known. */
  reason?: string;
  keyId?: string;
}

export interface IntegrationRefusals {
  count(refusal: IntegrationRefusal): void;
}
