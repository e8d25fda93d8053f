/**
 * `npm run bench` (or `tsx bench/bundles.ts`): every function of FUNCTIONS bundled as CDK bundles it
 * (minified, AWS SDK inside), its size and the cold `import()` time of the bundle in a fresh Node
 * process (module evaluation and cold-start config, no network). Sizes are budgeted in
 * bench/bundle-budget.json (tests/infra/bundle-budget.test.ts); times are figures only.
 */
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../infra/local/paths';
import { examplesFileFor } from '../shared/district/examples';
import { ENV } from '../shared/runtime/env';
import { FUNCTIONS } from '../shared/runtime/functions';
import { bundleFunctions } from './bundle-sizes';
import { recordFigures } from './report';

const DISTRICT = join(REPO_ROOT, 'districts/sandun.json');
/** Plausible configuration: the handlers validate it at cold start. */
const environment: Record<string, string> = {
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
  POWERTOOLS_LOG_LEVEL: 'ERROR',
  POWERTOOLS_METRICS_DISABLED: 'true',
  [ENV.tableName]: 'xietong-bench',
  [ENV.intakeQueueUrl]: 'https://sqs.us-east-1.amazonaws.com/000000000000/intake',
  [ENV.districtFile]: 'district.json',
  [ENV.trustedIssuer]: 'urn:xietong:bench',
  [ENV.claimRole]: 'role',
  [ENV.claimDepartment]: 'department',
  [ENV.claimZone]: 'zone',
  [ENV.timerStateMachineArn]: 'arn:aws:states:us-east-1:000000000000:stateMachine:timers',
  [ENV.notificationQueueUrl]: 'https://sqs.us-east-1.amazonaws.com/000000000000/notifications',
  [ENV.evidenceBucket]: 'xietong-bench-evidence',
};

const IMPORT_PROBE =
  'const t = performance.now(); await import(process.argv[1]); process.stdout.write(String(performance.now() - t));';

const dir = mkdtempSync(join(tmpdir(), 'xietong-bundles-'));
try {
  const bundles = await bundleFunctions(FUNCTIONS);
  const rows: { name: string; kb: number; importMs: number | undefined }[] = [];
  for (const bundle of bundles) {
    const folder = join(dir, bundle.name);
    mkdirSync(folder);
    const file = join(folder, 'index.mjs');
    writeFileSync(file, bundle.code);
    copyFileSync(DISTRICT, join(folder, 'district.json'));
    // The deploy installs native modules (sharp) beside the bundle; here the repo's own build of them
    // for this machine stands in, so the probe imports what the function would load.
    const spec = FUNCTIONS.find((f) => f.name === bundle.name);
    if (spec?.nativeModules?.length)
      symlinkSync(join(REPO_ROOT, 'node_modules'), join(folder, 'node_modules'));
    if (existsSync(examplesFileFor(DISTRICT)))
      copyFileSync(examplesFileFor(DISTRICT), examplesFileFor(join(folder, 'district.json')));
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', IMPORT_PROBE, file], {
      cwd: folder,
      env: { PATH: process.env.PATH ?? '', ...environment },
      encoding: 'utf8',
    });
    const importMs = run.status === 0 ? Number(run.stdout) : undefined;
    if (importMs === undefined)
      process.stderr.write(`${bundle.name}: import failed: ${run.stderr.slice(0, 300)}\n`);
    rows.push({ name: bundle.name, kb: Math.round(bundle.bytes / 1024), importMs });
    console.log(
      `${bundle.name.padEnd(20)} ${String(rows.at(-1)!.kb).padStart(6)} KB   cold import ${importMs?.toFixed(0) ?? 'failed'} ms`,
    );
  }
  recordFigures(
    'bundles',
    rows.flatMap((r) => [
      { name: `${r.name} bundle`, value: r.kb, unit: 'KB', note: 'minified, AWS SDK bundled' },
      ...(r.importMs !== undefined
        ? [{ name: `${r.name} cold import()`, value: Math.round(r.importMs), unit: 'ms' }]
        : []),
    ]),
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
