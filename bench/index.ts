/**
 * `npm run bench`: the benchmarks that belong together, one after another in one run (so their
 * figures come from the same machine state): intake throughput against raw PutItem, the duplicate
 * check's cost against table size, the triage classifier, the evaluation (metrics query, exports),
 * the nearest-camera lookup and camera alert storm, and the evidence check (200 photos of 3 MB).
 * Arguments go to the intake bench.
 * The timer bench is longer and runs on its own: `npm run bench:timers`.
 */
import { spawnSync } from 'node:child_process';

const runs: [string, string[]][] = [
  ['bench/intake.ts', process.argv.slice(2)],
  ['bench/dedup.ts', []],
  ['bench/classifier.ts', []],
  ['bench/metrics.ts', []],
  ['bench/cameras.ts', []],
  ['bench/evidence.ts', []],
];

for (const [script, args] of runs) {
  process.stdout.write(`\n── ${script} ${args.join(' ')}\n`);
  const result = spawnSync(process.execPath, ['--import', 'tsx', script, ...args], {
    stdio: 'inherit',
    env: { ...process.env, NODE_NO_WARNINGS: '1' },
  });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
