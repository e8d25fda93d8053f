import { optionalEnv } from '../config';
import { ENV } from '../env';
import { onFirstUse } from './on-first-use';

/**
 * Attempts per Step Functions call, one more than the SDK's 3. A timer is started after its case's
 * write, by the step that wrote it: when the start still fails, a command answers 5xx with its
 * change saved, the client's retry finds the case moved on (409), and the deadline runs without a
 * timer until the hourly re-arm. StartExecution is throttled per account, in bursts of exactly the
 * dispatches that start timers; the fault run (5 % of calls failed) met three throttles in a row.
 * A throttled call backs off up to 0.5, 1, then 2 s: a fourth attempt adds at most 2 s to a command
 * that would otherwise fail, where a sixth would add up to 12 s more.
 */
export const SFN_MAX_ATTEMPTS = 4;

/** The Step Functions client, loaded on first use: the API functions start a timer on some commands only. */
export const sfn = onFirstUse(async () => {
  const { SFNClient } = await import('../../adapters/aws/sfn-sdk');
  const endpoint = optionalEnv(ENV.sfnEndpoint);
  return new SFNClient({ maxAttempts: SFN_MAX_ATTEMPTS, ...(endpoint && { endpoint }) });
});
