import { ForbiddenActionError, SignatureRejectedError } from '../domain/errors';
import type { IntegrationKey, SignedAction } from '../domain/integration-key';
import { isRevoked, KEY_ID_PATTERN } from '../domain/integration-key';
import { checkSignature, SIGNATURE_TOLERANCE_SECONDS } from '../domain/signature';
import type { Clock, IntegrationKeyStore, SeenSignatures } from '../ports';

/**
 * Requests that carry no secret, only an HMAC over timestamp and body made with the key's signing
 * secret: department-system events and camera alerts. One check for all of them, so freshness,
 * replay and constant-time comparison are the same everywhere.
 */
export interface SignedRequest {
  keyId: string | undefined;
  timestamp: string | undefined;
  signature: string | undefined;
  /** The raw body, exactly as signed. */
  body: string;
}

export interface VerifyDeps {
  keys: IntegrationKeyStore;
  seen: SeenSignatures;
  clock: Clock;
}

/** What the route expects of the signer. */
export interface SignedCaller {
  /** The action the key must hold (`events` for department systems, `alerts` for cameras). */
  action: SignedAction;
  /** The department in the path (department systems): the key must act for it. */
  department?: string;
}

/**
 * The key that signed the request, once: a live key with the action, a fresh timestamp, the right
 * HMAC (constant time), and a signature never seen before (remembered until it would be stale).
 * Every refusal of the signer says the same (`signature_refused`): the caller learns nothing about
 * which keys exist or what they may do.
 */
export const verifySignedRequest = async (
  deps: VerifyDeps,
  request: SignedRequest,
  caller: SignedCaller,
): Promise<IntegrationKey> => {
  const refused = () =>
    new SignatureRejectedError(
      'signature_refused',
      `the request is not signed by a live key with ${caller.action}`,
    );
  if (!request.keyId || !KEY_ID_PATTERN.test(request.keyId)) throw refused();
  const stored = await deps.keys.get(request.keyId);
  if (!stored?.signingSecret || isRevoked(stored.key) || !stored.key.actions.includes(caller.action)) {
    throw refused();
  }
  const now = deps.clock.now();
  const check = checkSignature(stored.signingSecret, request, Date.parse(now));
  if (!check.valid) {
    if (check.reason === 'stale_timestamp' || check.reason === 'malformed_timestamp') {
      throw new SignatureRejectedError(
        'stale_timestamp',
        `x-xietong-timestamp must be Unix seconds within ${SIGNATURE_TOLERANCE_SECONDS} s of now`,
      );
    }
    throw refused();
  }
  if (caller.department !== undefined && stored.key.department !== caller.department) {
    throw new ForbiddenActionError(
      caller.action,
      `this key speaks for "${stored.key.department}", not "${caller.department}"`,
    );
  }
  const expiresAt = new Date((check.timestamp + SIGNATURE_TOLERANCE_SECONDS + 1) * 1000).toISOString();
  if (!(await deps.seen.remember(stored.key.id, request.signature ?? '', now, expiresAt))) {
    throw new SignatureRejectedError('replayed_signature', 'this signature was already used: sign again');
  }
  return stored.key;
};
