/**
 * `npm run bench`: every benchmark, one after another in one run (so their figures come from the same
 * machine state), then `bench/RESULTS.md` generated from the figures they record (bench/report.ts):
 * intake throughput against raw PutItem, the duplicate check's cost against table size, the triage
 * classifier, the evaluation (metrics query, exports), the nearest-camera lookup and camera alert
 * storm, the evidence check, the cockpit in Chromium, the deadline timers, bundle sizes and the cost
 * model; then the proofs' long runs, so the report also carries their counts: the crash test
 * (300 reports, 5 kill -9), the fault run (400 reports, 5 % of every service call failing), the
 * fuzzer (5,000 requests) and the race test (150 runs). Arguments go
 * to the intake bench. The timer bench runs here with 1,000 cases over 20 s; its full size (10,000
 * cases) is `npm run bench:timers`.
 *
 * To add a benchmark: one line in `runs` — the script and its arguments.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { localCloudProcesses, machineStateLines } from './machine-state';
import type { BenchRecord } from './report';

// `--only cockpit,evidence` runs a subset (by file name): it replaces those sections of the last
// report, keeps the others and says so at the top.
const argv = process.argv.slice(2);
const onlyAt = argv.indexOf('--only');
const only = onlyAt >= 0 ? (argv[onlyAt + 1] ?? '').split(',').filter(Boolean) : undefined;
const intakeArgs = onlyAt >= 0 ? argv.filter((_, i) => i !== onlyAt && i !== onlyAt + 1) : argv;

const VITEST = join(import.meta.dirname, '../node_modules/vitest/vitest.mjs');

/** [script, arguments, extra environment]; a script under bench/ or scripts/ runs with tsx. */
const allRuns: [string, string[], Record<string, string>?][] = [
  ['bench/intake.ts', intakeArgs],
  // A burst in one neighbourhood and one over the district, each at 2 and at 16 consumers.
  ['bench/burst.ts', ['--reports', '600', '--radius', '400', '--pollers', '2,16', '--runs', '5']],
  ['bench/burst.ts', ['--reports', '2000', '--radius', '0', '--pollers', '2,16', '--runs', '5']],
  ['bench/dedup.ts', []],
  ['bench/classifier.ts', []],
  ['bench/evaluation.ts', []],
  ['bench/exports.ts', []],
  ['bench/cameras.ts', []],
  ['bench/evidence.ts', []],
  ['bench/cockpit.ts', []],
  ['bench/timers.ts', ['--cases', '1000', '--spread', '20']],
  ['bench/bundles.ts', []],
  ['bench/cost.ts', []],
  ['scripts/crash.ts', ['--size', '300', '--kills', '5']],
  ['bench/faults.ts', ['--reports', '400', '--rate', '0.05']],
  ['scripts/fuzz.ts', ['--runs', '5000']],
  // The race test is a vitest file; XT_RACE_RUNS makes it the long run, and it records its counts.
  ['tests/integration/races.test.ts', [], { XT_RACE_RUNS: '150' }],
];
const runs = only
  ? allRuns.filter(([script]) => only.includes(script.replace(/^.*\/|(\.test)?\.ts$/g, '')))
  : allRuns;

// Taken before any bench starts a cloud of its own: whatever is found now is someone else's.
const strays = localCloudProcesses();
const startState = machineStateLines(strays);
if (strays.length > 0) {
  process.stderr.write(
    `warning: a local cloud is already running (${strays.map((p) => p.pid).join(', ')}): it will share the cores with every figure\n`,
  );
}

const dir = mkdtempSync(join(tmpdir(), 'xietong-bench-'));
const out = join(dir, 'figures.jsonl');
writeFileSync(out, '');
const failed: string[] = [];
for (const [script, args, env] of runs) {
  process.stdout.write(`\n── ${script} ${args.join(' ')}\n`);
  const argv = script.endsWith('.test.ts')
    ? [VITEST, 'run', script, ...args]
    : ['--import', 'tsx', script, ...args];
  const result = spawnSync(process.execPath, argv, {
    stdio: 'inherit',
    env: { ...process.env, ...env, XT_BENCH_OUT: out },
  });
  if (result.status !== 0) failed.push(script);
}

const records = readFileSync(out, 'utf8')
  .split('\n')
  .filter((line) => line.trim() !== '')
  .map((line) => JSON.parse(line) as BenchRecord);
rmSync(dir, { recursive: true, force: true });

const cell = (text: string) => text.replace(/\|/g, '\\|');
/** Four significant digits at most (77.24 %, 0.0322 ms, 1285 KB): the benches hand over raw floats. */
const shown = (value: number) =>
  Number.isInteger(value)
    ? String(value)
    : String(Number(value.toPrecision(Math.max(4, String(Math.trunc(Math.abs(value))).length))));
const cpu = cpus();
const runsText = runs
  .map(
    ([script, args, env]) =>
      `\`${[...Object.entries(env ?? {}).map(([k, v]) => `${k}=${v}`), script, ...args].join(' ')}\``,
  )
  .join(', ');
const sectionOf = (record: BenchRecord): string => {
  const ratios = record.figures.filter((f) => f.unit === 'x');
  const others = record.figures.filter((f) => f.unit !== 'x');
  const section = [
    `## ${record.bench}`,
    '',
    '| figure | value | unit | note |',
    '| --- | ---: | --- | --- |',
  ];
  for (const f of others)
    section.push(`| ${cell(f.name)} | ${shown(f.value)} | ${f.unit} | ${cell(f.note ?? '')} |`);
  if (ratios.length > 0) {
    // A note column only where a ratio has something to say beside its name.
    const noted = ratios.some((f) => f.note);
    section.push(
      '',
      noted ? '| ratio | value | note |' : '| ratio | value |',
      noted ? '| --- | ---: | --- |' : '| --- | ---: |',
    );
    for (const f of ratios)
      section.push(`| ${cell(f.name)} | ${shown(f.value)} × |${noted ? ` ${cell(f.note ?? '')} |` : ''}`);
  }
  return `${section.join('\n')}\n`;
};
const resultsFile = join(import.meta.dirname, 'RESULTS.md');
const previous = only && existsSync(resultsFile) ? readFileSync(resultsFile, 'utf8') : undefined;

let report: string;
if (previous) {
  // A partial run updates its own sections and keeps the others from the last run, saying which.
  const [head = '', ...oldSections] = previous.split(/\n(?=## )/);
  const fresh = new Map(records.map((record) => [record.bench, sectionOf(record)]));
  const rerun = new Set(fresh.keys());
  const sections = oldSections.flatMap((section) => {
    const name = section.slice(3, section.indexOf('\n')).trim();
    const replaced = fresh.get(name);
    fresh.delete(name);
    // A second old section of a name this run replaced goes too (one bench, one section).
    if (replaced === undefined && rerun.has(name)) return [];
    return [replaced ?? section.trimEnd().concat('\n')];
  });
  // An earlier partial update of only these benchmarks is superseded by this one.
  const keptHead = head
    .split('\n')
    .filter((line) => {
      const names = /re-ran (.*?); the other sections/.exec(line)?.[1];
      return !(line.startsWith('- **Updated**') && names)
        ? true
        : ![...names.matchAll(/`([^`]+)`/g)].every((match) => rerun.has(match[1] ?? ''));
    })
    .join('\n');
  const update = `- **Updated** ${new Date().toISOString()} by \`--only ${only?.join(',')}\` (${runsText}) re-ran ${records.map((r) => `\`${r.bench}\``).join(', ')}; the other sections are from the date above${failed.length > 0 ? `; **failed**: ${failed.join(', ')}` : ''}${strays.length > 0 ? `; **a local cloud was already running**: ${strays.map((p) => p.pid).join(', ')}` : ''}`;
  report = [`${keptHead.trimEnd()}\n${update}\n`, ...sections, ...fresh.values()].join('\n');
} else {
  const lines = [
    '# Benchmark results',
    '',
    '<!-- Generated by `npm run bench` (bench/index.ts): do not edit by hand. -->',
    '',
    `- Date: ${new Date().toISOString()}`,
    `- Machine: ${cpu.length} × ${cpu[0]?.model.trim() ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, ${process.platform} ${process.arch}`,
    `- Node ${process.version}`,
    ...startState,
    `- Runs: ${runsText}`,
    ...(only
      ? [`- **Partial run** (\`--only ${only.join(',')}\`): the other benchmarks were not run this time`]
      : []),
    ...(failed.length > 0 ? [`- **Failed** (no or partial figures): ${failed.join(', ')}`] : []),
    '',
  ];
  report = [lines.join('\n'), ...records.map(sectionOf)].join('\n');
}
writeFileSync(resultsFile, report.endsWith('\n') ? report : `${report}\n`);
process.stdout.write(`\nwrote bench/RESULTS.md (${records.length} benchmarks)\n`);
// The README quotes some of these figures in a generated region: keep it in step.
spawnSync('npm', ['run', '--silent', 'docs:facts'], { stdio: 'inherit' });
process.exit(failed.length > 0 ? 1 : 0);
