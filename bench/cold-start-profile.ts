/**
 * `tsx bench/cold-start-profile.ts [function…]`: where a function's cold `import()` spends its time,
 * by module. Each function is bundled as bench/bundle-sizes.ts bundles it but not minified (esbuild
 * then marks each module's code with a `// path` comment), imported in a fresh Node under the CPU
 * profiler, and the profile's samples are attributed to the module whose lines they fall on, grouped
 * by npm package (or by folder of ours). Compilation and GC show as Node's own rows. Figures only.
 */
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { REPO_ROOT } from '../infra/local/paths';
import { BUNDLE_TARGET } from '../infra/node-runtime';
import { ESM_REQUIRE_BANNER } from '../infra/stack/functions';
import { examplesFileFor, loadExamples, triageCountsFileFor } from '../shared/district/examples';
import { loadDistrict, parsedDistrictDocument } from '../shared/district/load';
import { countFeatures } from '../shared/domain/classifier/model';
import { indexDistrict } from '../shared/domain/district-index';
import { ENV } from '../shared/runtime/env';
import { FUNCTIONS, unbundledModulesOf } from '../shared/runtime/functions';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const DISTRICT = join(REPO_ROOT, 'districts/sandun.json');
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
  [ENV.timerStateMachineArn]: 'arn:aws:states:us-east-1:000000000000:stateMachine:timers',
  [ENV.notificationQueueUrl]: 'https://sqs.us-east-1.amazonaws.com/000000000000/notifications',
  [ENV.evidenceBucket]: 'xietong-bench-evidence',
};

/** `node_modules/@aws-sdk/client-s3/dist-es/…` → `@aws-sdk/client-s3`; `shared/domain/x.ts` → `shared/domain`. */
const groupOf = (path: string) => {
  const inPackage = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
  return inPackage ? inPackage[1]! : path.split('/').slice(0, 2).join('/');
};

const names = process.argv.slice(2);
const specs = names.length ? FUNCTIONS.filter((f) => names.includes(f.name)) : FUNCTIONS;
const dir = mkdtempSync(join(tmpdir(), 'xietong-profile-'));
try {
  const result = await build({
    entryPoints: Object.fromEntries(specs.map((spec) => [spec.name, join(REPO_ROOT, spec.entry)])),
    outdir: dir,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: BUNDLE_TARGET,
    mainFields: ['module', 'main'],
    banner: { js: ESM_REQUIRE_BANNER },
    write: false,
    logLevel: 'silent',
    external: [...new Set(specs.flatMap(unbundledModulesOf))],
  });
  for (const spec of specs) {
    const output = result.outputFiles.find((file) => file.path === join(dir, `${spec.name}.js`))!;
    const folder = mkdtempSync(join(dir, `${spec.name}-`));
    const file = join(folder, 'index.mjs');
    writeFileSync(file, output.text);
    writeFileSync(join(folder, 'district.json'), parsedDistrictDocument(loadDistrict(DISTRICT)));
    copyFileSync(examplesFileFor(DISTRICT), examplesFileFor(join(folder, 'district.json')));
    const district = indexDistrict(loadDistrict(DISTRICT));
    writeFileSync(
      triageCountsFileFor(join(folder, 'district.json')),
      JSON.stringify(countFeatures(district, loadExamples(examplesFileFor(DISTRICT), district.config))),
    );
    if (unbundledModulesOf(spec).length)
      symlinkSync(join(REPO_ROOT, 'node_modules'), join(folder, 'node_modules'));

    // Line → module, from the `// path` comments esbuild writes before each module's code.
    const lines = output.text.split('\n');
    const moduleAt: string[] = [];
    let current = '(banner)';
    lines.forEach((line, index) => {
      const marker = /^\/\/ ((?:node_modules|shared|functions|infra)\/\S+)$/.exec(line);
      if (marker) current = groupOf(marker[1]!);
      moduleAt[index] = current;
    });

    const probe = spawnSync(
      process.execPath,
      [
        '--cpu-prof',
        '--cpu-prof-dir',
        folder,
        '--cpu-prof-interval',
        '100',
        '--input-type=module',
        '-e',
        'const t = performance.now(); await import(process.argv[1]); process.stdout.write(String(performance.now() - t));',
        file,
      ],
      { cwd: folder, env: { PATH: process.env.PATH ?? '', ...environment }, encoding: 'utf8' },
    );
    if (probe.status !== 0) {
      process.stderr.write(`${spec.name}: import failed: ${probe.stderr.slice(0, 300)}\n`);
      continue;
    }
    const profileFile = readdirSync(folder).find((name) => name.endsWith('.cpuprofile'))!;
    const profile = JSON.parse(readFileSync(join(folder, profileFile), 'utf8')) as CpuProfile;
    const byId = new Map(profile.nodes.map((node) => [node.id, node]));
    const parentOf = new Map<number, number>();
    for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
    // A sample in Node's own code (a built-in's require, a file read, the JSON parser) counts for
    // the bundle module that called it; samples with no bundle frame above them are Node's own.
    const attribute = (id: number): string => {
      const frame = byId.get(id)!.callFrame;
      for (let at: number | undefined = id; at !== undefined; at = parentOf.get(at)) {
        const { url, lineNumber } = byId.get(at)!.callFrame;
        if (url.endsWith('index.mjs')) return moduleAt[lineNumber] ?? '(bundle)';
        if (url !== '' && !url.startsWith('node:')) return groupOf(url);
      }
      return frame.functionName ? `(node: ${frame.functionName})` : '(node)';
    };
    const spent = new Map<string, number>();
    profile.samples.forEach((id, index) => {
      const where = attribute(id);
      spent.set(where, (spent.get(where) ?? 0) + (profile.timeDeltas[index] ?? 0) / 1000);
    });
    const total = [...spent.values()].reduce((a, b) => a + b, 0);
    const top = [...spent.entries()].sort((a, b) => b[1] - a[1]).slice(0, 12);
    console.log(
      `\n${spec.name}: import ${Number(probe.stdout).toFixed(0)} ms (profiled process ${total.toFixed(0)} ms)`,
    );
    for (const [where, ms] of top) console.log(`  ${ms.toFixed(1).padStart(7)} ms  ${where}`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
