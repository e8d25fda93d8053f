/**
 * Fixed one-minute windows for per-key rate limits: every request in the same UTC minute counts
 * against one counter, which starts again at the next minute. Simple and exact per window; a client
 * can at most double its rate across a window boundary, which the stage throttling caps anyway.
 */
export const RATE_WINDOW_SECONDS = 60;

export interface RateWindow {
  /** The minute the window covers, `2026-11-30T01:07` (UTC). */
  minute: string;
  /** When the window ends, epoch seconds: its counter may be deleted then (DynamoDB TTL). */
  endsAtEpochSeconds: number;
  /** Whole seconds until the next window, at least 1: what `Retry-After` says. */
  retryAfterSeconds: number;
}

export const rateWindowAt = (now: string): RateWindow => {
  const nowMs = Date.parse(now);
  if (Number.isNaN(nowMs)) throw new RangeError(`not an ISO instant: ${now}`);
  const windowMs = RATE_WINDOW_SECONDS * 1000;
  const startMs = Math.floor(nowMs / windowMs) * windowMs;
  const endMs = startMs + windowMs;
  return {
    minute: new Date(startMs).toISOString().slice(0, 16),
    endsAtEpochSeconds: endMs / 1000,
    retryAfterSeconds: Math.max(1, Math.ceil((endMs - nowMs) / 1000)),
  };
};
