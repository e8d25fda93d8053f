/**
 * `npm run crash -- --size N --kills K`: the large crash test (tests/e2e/crash.test.ts runs a small
 * one). K times: a burst of N reports from concurrent clients, kill -9 at a random moment, restart on
 * the same data folder, settle, check. Prints each round and the totals; exits 1 on any broken promise.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { recordFigures } from '../bench/report';
import { runCrash } from '../tests/support/prove/crash-run';
import { numberArg } from './args';

const size = numberArg('size', 300);
const kills = numberArg('kills', 5);
const clients = numberArg('clients', 8);
const dataDir = mkdtempSync(join(tmpdir(), 'xietong-crash-'));
const killPointsMs = Array.from({ length: kills }, () => 100 + Math.floor(Math.random() * 3_000));
let failed = false;
try {
  const outcome = await runCrash({
    dataDir,
    reportsPerRound: Math.ceil(size / kills),
    clients,
    killPointsMs,
    settleTimeoutMs: 120_000,
    log: (l) => console.log(`  ${l}`),
  });
  console.log(
    `kill points ${killPointsMs.join(', ')} ms: ${JSON.stringify({ ...outcome, problems: undefined })}`,
  );
  for (const problem of outcome.problems.slice(0, 30)) console.log(`    ${problem}`);
  failed = outcome.problems.length > 0;
  recordFigures('crash', [
    {
      name: 'reports acknowledged before the kills',
      value: outcome.acknowledged,
      unit: 'reports',
      note: `${kills} kill -9`,
    },
    { name: 'acknowledged reports lost', value: outcome.lost, unit: 'reports' },
    {
      name: 'duplicated, unrouted, unarmed or broken',
      value: outcome.duplicated + outcome.unrouted + outcome.unarmed + outcome.brokenChains,
      unit: 'cases',
    },
    {
      name: 'evaluation buckets miscounted',
      value: outcome.miscounted,
      unit: 'buckets',
      note: 'stored day and hotspot buckets vs the sum of the cases’ contributions, after the kills',
    },
  ]);
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
