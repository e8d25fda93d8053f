/**
 * `npm run bench` (or `tsx bench/bundles.ts [--runs N] [--sdk external] [--traced]`): every function of FUNCTIONS
 * bundled as CDK bundles it (minified, AWS SDK inside), its size and the cold `import()` time of the
 * bundle in a fresh Node process (module evaluation and cold-start config, no network), beside a
 * minimal middy + DynamoDB GetItem handler (bench/minimal-handler.ts) bundled the same way and timed in
 * the same run. Times are medians over the runs, taken round-robin so that a busy moment of the machine
 * falls on every bundle alike; the figure that counts is each function's ratio to the minimal handler.
 * `--sdk external` leaves @aws-sdk/* out of every bundle and loads it from node_modules, as a function
 * would from the Lambda runtime's copy. `--traced` sets AWS_EXECUTION_ENV as Lambda does, so the X-Ray
 * tracer loads as in a district with tracing on (all but AWS China). Sizes are budgeted in bench/bundle-budget.json
 * (tests/infra/bundle-budget.test.ts); times are figures only.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { NODE_MAJOR } from '../infra/node-runtime';
import { authorizerOf, FUNCTIONS, type FunctionSpec, unbundledModulesOf } from '../shared/runtime/functions';
import { type BundleEntry, bundleFunctions } from './bundle-sizes';
import { BENCH_ENVIRONMENT, stageFunction } from './function-folder';
import { recordFigures } from './report';

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '15' },
    sdk: { type: 'string', default: 'bundled' },
    traced: { type: 'boolean', default: false },
  },
});
const RUNS = Number(args.runs);
const sdkExternal = args.sdk === 'external';

/** The yardstick: named so that it cannot clash with a function's name. */
const MINIMAL: BundleEntry = { name: 'minimal handler', entry: 'bench/minimal-handler.ts' };
/** Targets of issue #20: API-facing functions within 1.5× the minimal handler, every function within 2×. */
const API_TARGET = 1.5;
const ALL_TARGET = 2;
/** Serves API Gateway: an HTTP route, or the authorizer in front of them. */
const apiFacing = (spec: FunctionSpec) => spec.routes.length > 0 || authorizerOf(spec) !== undefined;

const environment: Record<string, string> = {
  ...BENCH_ENVIRONMENT,
  ...(args.traced && { AWS_EXECUTION_ENV: `AWS_Lambda_nodejs${NODE_MAJOR}.x` }),
};

const IMPORT_PROBE =
  'const t = performance.now(); await import(process.argv[1]); process.stdout.write(String(performance.now() - t));';

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

const dir = mkdtempSync(join(tmpdir(), 'xietong-bundles-'));
try {
  const bundles = await bundleFunctions([MINIMAL, ...FUNCTIONS], {
    ...(sdkExternal && { external: ['@aws-sdk/*'] }),
  });
  const files = new Map<string, string>();
  for (const bundle of bundles) {
    const spec = FUNCTIONS.find((f) => f.name === bundle.name);
    const nodeModules = (spec !== undefined && unbundledModulesOf(spec).length > 0) || sdkExternal;
    files.set(bundle.name, stageFunction(join(dir, bundle.name.replace(/\W+/g, '-')), bundle, nodeModules));
  }

  const times = new Map<string, number[]>(bundles.map((b) => [b.name, []]));
  const failed = new Set<string>();
  for (let run = 0; run < RUNS; run++) {
    for (const bundle of bundles) {
      if (failed.has(bundle.name)) continue;
      const file = files.get(bundle.name)!;
      const probe = spawnSync(process.execPath, ['--input-type=module', '-e', IMPORT_PROBE, file], {
        cwd: join(file, '..'),
        env: { PATH: process.env.PATH ?? '', ...environment },
        encoding: 'utf8',
      });
      if (probe.status === 0) times.get(bundle.name)!.push(Number(probe.stdout));
      else {
        failed.add(bundle.name);
        process.stderr.write(`${bundle.name}: import failed: ${probe.stderr.slice(-600)}\n`);
      }
    }
  }

  const minimalMs = median(times.get(MINIMAL.name)!);
  const rows = bundles.map((bundle) => {
    const spec = FUNCTIONS.find((f) => f.name === bundle.name);
    const importMs = failed.has(bundle.name) ? undefined : median(times.get(bundle.name)!);
    return {
      name: bundle.name,
      kb: Math.round(bundle.startBytes / 1024),
      totalKb: Math.round(bundle.totalBytes / 1024),
      importMs,
      ratio: importMs === undefined ? undefined : importMs / minimalMs,
      api: spec ? apiFacing(spec) : false,
    };
  });
  const sdkNote = `${sdkExternal ? 'AWS SDK from node_modules' : 'AWS SDK bundled'}${args.traced ? ', X-Ray tracer on' : ''}`;
  console.log(`cold import(), median of ${RUNS} runs, ${sdkNote}, Node ${process.version}\n`);
  console.log(
    `${'function'.padEnd(20)} ${'at start'.padStart(9)} ${'in all'.padStart(9)} ${'import'.padStart(9)}  ratio   serves`,
  );
  for (const r of rows) {
    const target = r.name === MINIMAL.name ? '' : r.api ? `API, ≤ ${API_TARGET}×` : `≤ ${ALL_TARGET}×`;
    const miss =
      r.ratio !== undefined && r.name !== MINIMAL.name && r.ratio > (r.api ? API_TARGET : ALL_TARGET)
        ? ' ✗'
        : '';
    console.log(
      `${r.name.padEnd(20)} ${`${r.kb} KB`.padStart(9)} ${`${r.totalKb} KB`.padStart(9)} ${`${r.importMs?.toFixed(0) ?? 'failed'} ms`.padStart(9)}  ${r.ratio?.toFixed(2).padStart(5) ?? '    –'}×  ${target}${miss}`,
    );
  }
  const measured = rows.filter((r) => r.name !== MINIMAL.name && r.ratio !== undefined);
  const worstApi = Math.max(...measured.filter((r) => r.api).map((r) => r.ratio!));
  const worst = Math.max(...measured.map((r) => r.ratio!));
  console.log(
    `\nminimal handler ${minimalMs.toFixed(0)} ms; worst API-facing ${worstApi.toFixed(2)}× (target ≤ ${API_TARGET}×), worst of all ${worst.toFixed(2)}× (target ≤ ${ALL_TARGET}×)`,
  );

  recordFigures('bundles', [
    { name: 'minimal handler cold import()', value: Math.round(minimalMs), unit: 'ms', note: sdkNote },
    { name: 'worst API-facing function / minimal handler', value: Number(worstApi.toFixed(2)), unit: 'x' },
    { name: 'worst function / minimal handler', value: Number(worst.toFixed(2)), unit: 'x' },
    ...rows
      .filter((r) => r.name !== MINIMAL.name)
      .flatMap((r) => [
        {
          name: `${r.name} bundle read at start`,
          value: r.kb,
          unit: 'KB',
          note: `minified, ${sdkNote}; ${r.totalKb} KB with the chunks loaded later`,
        },
        ...(r.importMs !== undefined
          ? [
              { name: `${r.name} cold import()`, value: Math.round(r.importMs), unit: 'ms' },
              {
                name: `${r.name} cold import / minimal handler`,
                value: Number(r.ratio!.toFixed(2)),
                unit: 'x',
                note: r.api ? `API-facing, target ≤ ${API_TARGET}×` : `target ≤ ${ALL_TARGET}×`,
              },
            ]
          : []),
      ]),
  ]);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
