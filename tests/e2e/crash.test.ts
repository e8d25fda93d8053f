import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PENDING_CLAIM_MS } from '../../shared/usecases/route-report';
import { runCrash } from '../support/prove/crash-run';

/**
 * kill -9 of the local cloud in the middle of a burst of reports and dispatches, at several kill
 * points, then a restart on the same data folder: nothing acknowledged is lost, duplicated, left
 * unrouted or unwatched, and every timeline is whole. The large run: `npm run crash -- --size N --kills K`.
 */
const KILL_POINTS_MS = [150, 900];
/**
 * How long "every report is routed" may take to come true after the last restart. A router killed
 * between claiming a report's area and registering it leaves the claim looking busy: nearby reports
 * wait for it, give up after their attempts and return through the queue. The claim counts as
 * abandoned after PENDING_CLAIM_MS, and a given-up message is back after the intake queue's 30 s
 * visibility timeout; on top, time for the backlog on a slow CI machine.
 */
const SETTLE_MS = PENDING_CLAIM_MS + 30_000 + 60_000;

describe('a crash of the local cloud in the middle of a burst', () => {
  it(`keeps every promise across kill -9 at ${KILL_POINTS_MS.join(' and ')} ms into bursts`, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'xietong-crash-'));
    try {
      const outcome = await runCrash({
        dataDir,
        reportsPerRound: 40,
        clients: 6,
        killPointsMs: KILL_POINTS_MS,
        settleTimeoutMs: SETTLE_MS,
      });
      console.info(`crash: ${JSON.stringify({ ...outcome, problems: outcome.problems.length })}`);
      expect(outcome.problems).toEqual([]);
      expect(outcome.acknowledged).toBeGreaterThan(0);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 300_000);
});
