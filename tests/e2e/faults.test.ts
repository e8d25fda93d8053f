import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runFaults } from '../support/prove/fault-run';

/**
 * A small fault run (`npm run bench:faults` is the long one): 5 % of every function's DynamoDB, SQS,
 * S3 and Step Functions attempts fail with AWS's own errors while clients report, dispatch, accept
 * and upload photos, retrying as the API documents. Nothing is lost, doubled or left undone.
 */
describe('the local cloud under injected AWS faults', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'xietong-e2e-faults-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('keeps every promise with 5 % of every service call failing', async () => {
    const outcome = await runFaults({
      dataDir,
      reports: 40,
      clients: 4,
      faults: '*=0.05',
      seed: 19,
      settleTimeoutMs: 90_000,
    });
    const injected = Object.values(outcome.faults.injected).reduce((sum, n) => sum + n, 0);
    expect(injected, 'no fault was injected: the run proves nothing').toBeGreaterThan(0);
    expect(outcome.uploads).toBeGreaterThan(0);
    expect(outcome.problems).toEqual([]);
    expect({
      lost: outcome.lost,
      duplicated: outcome.duplicated,
      unrouted: outcome.unrouted,
      routedTwice: outcome.routedTwice,
      unarmed: outcome.unarmed,
      brokenChains: outcome.brokenChains,
      uploadsUnchecked: outcome.uploadsUnchecked,
      uploadsCheckedTwice: outcome.uploadsCheckedTwice,
      unrecovered5xx: outcome.unrecovered5xx,
    }).toEqual({
      lost: 0,
      duplicated: 0,
      unrouted: 0,
      routedTwice: 0,
      unarmed: 0,
      brokenChains: 0,
      uploadsUnchecked: 0,
      uploadsCheckedTwice: 0,
      unrecovered5xx: 0,
    });
  }, 300_000);
});
