import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Signed requests, both ways (department systems → us, our webhooks → subscribers): the sender
 * puts the Unix time in seconds in `X-Xietong-Timestamp` and
 * `v1=<hex HMAC-SHA256(secret, "<timestamp>.<raw body>")>` in `X-Xietong-Signature`. The timestamp
 * is inside the MAC, so an old request can't be given a fresh time; the receiver refuses times more
 * than SIGNATURE_TOLERANCE_SECONDS away and signatures it has already seen.
 */
export const TIMESTAMP_HEADER = 'x-xietong-timestamp';
export const SIGNATURE_HEADER = 'x-xietong-signature';
/** Which key signed (inbound): the integration key's id. */
export const KEY_ID_HEADER = 'x-xietong-key-id';

export const SIGNATURE_TOLERANCE_SECONDS = 300;

const SIGNATURE_PATTERN = /^v1=([0-9a-f]{64})$/;

export const signingPayload = (timestamp: string, body: string): string => `${timestamp}.${body}`;

export const sign = (secret: string, timestamp: string, body: string): string =>
  `v1=${createHmac('sha256', secret).update(signingPayload(timestamp, body), 'utf8').digest('hex')}`;

/** The headers a signed request carries. */
export const signatureHeaders = (secret: string, body: string, nowMs: number): Record<string, string> => {
  const timestamp = String(Math.floor(nowMs / 1000));
  return { [TIMESTAMP_HEADER]: timestamp, [SIGNATURE_HEADER]: sign(secret, timestamp, body) };
};

export type SignatureCheck =
  | { valid: true; timestamp: number }
  | {
      valid: false;
      reason: 'malformed_timestamp' | 'stale_timestamp' | 'malformed_signature' | 'bad_signature';
    };

/**
 * Whether the signature is the secret's over this timestamp and body, and the timestamp recent.
 * The MACs are compared in constant time; the freshness check comes first so a stale request costs
 * no HMAC. Replays inside the window are the caller's to refuse (see SeenSignatures).
 */
export const checkSignature = (
  secret: string,
  request: { timestamp: string | undefined; signature: string | undefined; body: string },
  nowMs: number,
): SignatureCheck => {
  const { timestamp, signature, body } = request;
  if (!timestamp || !/^\d{1,12}$/.test(timestamp)) return { valid: false, reason: 'malformed_timestamp' };
  const seconds = Number(timestamp);
  if (Math.abs(nowMs / 1000 - seconds) > SIGNATURE_TOLERANCE_SECONDS) {
    return { valid: false, reason: 'stale_timestamp' };
  }
  const presented = SIGNATURE_PATTERN.exec(signature?.trim() ?? '')?.[1];
  if (!presented) return { valid: false, reason: 'malformed_signature' };
  const expected = Buffer.from(sign(secret, timestamp, body).slice(3), 'hex');
  const given = Buffer.from(presented, 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { valid: false, reason: 'bad_signature' };
  }
  return { valid: true, timestamp: seconds };
};
