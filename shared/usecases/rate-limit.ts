import { RateLimitExceededError } from '../domain/errors';
import { rateWindowAt } from '../domain/rate-window';
import type { Clock, RateLimiter } from '../ports';

export interface RateLimitDeps {
  rateLimiter: RateLimiter;
  clock: Clock;
}

/** Counts one request against the bucket's per-minute limit, or refuses it until the next window. */
export const consumeRateLimit = async (
  deps: RateLimitDeps,
  bucket: string,
  limitPerMinute: number,
  who?: { name: string; field: string },
): Promise<void> => {
  const window = rateWindowAt(deps.clock.now());
  if (!(await deps.rateLimiter.tryAcquire(bucket, limitPerMinute, window))) {
    throw new RateLimitExceededError(limitPerMinute, window.retryAfterSeconds, who);
  }
};
