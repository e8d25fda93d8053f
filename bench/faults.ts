/**
 * `npm run bench:faults -- --reports 400 --clients 8 --rate 0.05 --seed 19`: the long fault run.
 * The local cloud fails the given share of every function's DynamoDB, SQS, S3 and Step Functions
 * attempts with AWS's own errors (throttling, 500, SlowDown) while clients report, dispatch, accept
 * and upload photos, retrying as documented; then every promise is checked against the table
 * (tests/support/prove/fault-run.ts). Prints and records the counts; exits 1 on a broken promise.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { numberArg } from '../scripts/args';
import { runFaults } from '../tests/support/prove/fault-run';
import { recordFigures } from './report';

const reports = numberArg('reports', 400);
const clients = numberArg('clients', 8);
const rate = numberArg('rate', 0.05);
const seed = numberArg('seed', 19);
const faults = `*=${rate}`;
const dataDir = mkdtempSync(join(tmpdir(), 'xietong-faults-'));
let failed = false;
try {
  const startedAt = Date.now();
  const outcome = await runFaults({
    dataDir,
    reports,
    clients,
    faults,
    seed,
    settleTimeoutMs: 180_000,
    log: (line) => console.log(`  ${line}`),
  });
  const { problems, faults: stats, ...counts } = outcome;
  console.log(`--faults ${faults} --faults-seed ${seed}, ${Math.round((Date.now() - startedAt) / 1000)} s`);
  console.log(`  attempts by functions: ${JSON.stringify(stats.attempts)}`);
  console.log(`  failures injected:     ${JSON.stringify(stats.injected)}`);
  console.log(`  ${JSON.stringify(counts)}`);
  for (const problem of problems.slice(0, 30)) console.log(`    ${problem}`);
  failed = problems.length > 0 || outcome.unrecovered5xx > 0 || outcome.uploadsUnchecked > 0;
  const injected = Object.values(stats.injected).reduce((sum, n) => sum + n, 0);
  const attempts = Object.values(stats.attempts).reduce((sum, n) => sum + n, 0);
  const note = `--faults ${faults}, seed ${seed}`;
  recordFigures('faults', [
    { name: 'reports acknowledged', value: outcome.acknowledged, unit: 'reports', note },
    { name: 'cases dispatched (by hand)', value: outcome.dispatched, unit: 'cases' },
    { name: 'photos uploaded', value: outcome.uploads, unit: 'photos' },
    { name: 'service attempts by functions', value: attempts, unit: 'calls' },
    ...Object.entries(stats.injected).map(([kind, count]) => ({
      name: `injected ${kind}`,
      value: count,
      unit: 'failures',
    })),
    { name: 'failures injected in all', value: injected, unit: 'failures' },
    {
      name: 'client requests (retries included)',
      value: outcome.requests,
      unit: 'requests',
      note: 'a 5xx is retried with the same key',
    },
    { name: 'answers 5xx (then retried)', value: outcome.answered5xx, unit: 'answers' },
    { name: '5xx left after the documented retries', value: outcome.unrecovered5xx, unit: 'requests' },
    { name: 'acknowledged reports lost', value: outcome.lost, unit: 'reports' },
    {
      name: 'routed twice, duplicated or left unrouted',
      value: outcome.routedTwice + outcome.duplicated + outcome.unrouted,
      unit: 'reports',
    },
    {
      name: 'uploads unchecked or checked twice',
      value: outcome.uploadsUnchecked + outcome.uploadsCheckedTwice,
      unit: 'photos',
    },
    { name: 'running deadlines without a timer', value: outcome.unarmed, unit: 'cases' },
    { name: 'broken timeline chains', value: outcome.brokenChains, unit: 'cases' },
  ]);
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
