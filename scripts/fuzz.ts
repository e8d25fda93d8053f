/**
 * `npm run fuzz -- --runs N --seed S`: the long fuzz run (tests/e2e/fuzz.test.ts runs a fixed seed).
 * Starts the local cloud in a child process on a temporary data folder, fuzzes every operation of
 * its OpenAPI document and prints the counts; on a broken promise it prints fast-check's report
 * (seed, path, the shrunk request) and the tail of the cloud's log, and exits 1.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { recordFigures } from '../bench/report';
import { spawnLocalCloud } from '../infra/local/spawn';
import { runFuzz } from '../tests/support/prove/api-fuzzer';
import { prepareFuzz } from '../tests/support/prove/fuzz-fixtures';
import { numberArg } from './args';

const runs = numberArg('runs', 5_000);
const seed = numberArg('seed', Date.now() % 2 ** 31);
const dataDir = mkdtempSync(join(tmpdir(), 'xietong-fuzz-'));
const cloud = await spawnLocalCloud({ dataDir });
let exitCode = 0;
const started = performance.now();
try {
  const prepared = await prepareFuzz(cloud.info.url);
  console.log(`fuzzing ${cloud.info.url}: ${runs} requests, seed ${seed}`);
  const outcome = await runFuzz({
    baseUrl: cloud.info.url,
    document: prepared.document,
    fixtures: prepared.fixtures,
    runs,
    seed,
    assertAlive: () => {
      const { exitCode: code, signalCode } = cloud.process;
      if (code !== null || signalCode !== null)
        throw new Error(`the local cloud died (${code ?? signalCode})`);
    },
    onProgress: (o) => process.stdout.write(`  ${o.sent} sent, ${o.serverErrors} 5xx\r`),
  });
  const seconds = (performance.now() - started) / 1000;
  console.log(
    `\n${outcome.sent} requests, ${outcome.serverErrors} 5xx, ${Object.keys(outcome.byOperation).length} operations`,
  );
  console.log(`statuses: ${JSON.stringify(outcome.byStatus)}`);
  recordFigures('fuzz', [
    { name: 'fuzz requests sent', value: outcome.sent, unit: 'requests', note: `seed ${seed}` },
    { name: 'fuzz 5xx replies', value: outcome.serverErrors, unit: 'replies' },
    { name: 'fuzz rate', value: Math.round(outcome.sent / seconds), unit: 'requests/s' },
  ]);
} catch (error) {
  exitCode = 1;
  console.error(error instanceof Error ? error.message : error);
  console.error(`── local cloud log (tail)\n${cloud.output().slice(-4000)}`);
} finally {
  await cloud.kill('SIGTERM');
  rmSync(dataDir, { recursive: true, force: true });
}
process.exit(exitCode);
