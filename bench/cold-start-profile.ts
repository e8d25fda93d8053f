/**
 * `tsx bench/cold-start-profile.ts [function…]`: where a function's cold `import()` spends its time,
 * by module. Each function is bundled as bench/bundle-sizes.ts bundles it but not minified (esbuild
 * then marks each module's code, in the entry and its chunks, with a `// path` comment), imported in a fresh Node under the CPU
 * profiler, and the profile's samples are attributed to the module whose lines they fall on, grouped
 * by npm package (or by folder of ours). Compilation and GC show as Node's own rows. Figures only.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FUNCTIONS, unbundledModulesOf } from '../shared/runtime/functions';
import { type BundleEntry, bundleFunctions } from './bundle-sizes';
import { BENCH_ENVIRONMENT, stageFunction } from './function-folder';

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

/** `node_modules/@aws-sdk/client-s3/dist-es/…` → `@aws-sdk/client-s3`; `shared/domain/x.ts` → `shared/domain`. */
const groupOf = (path: string) => {
  const inPackage = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
  return inPackage ? inPackage[1]! : path.split('/').slice(0, 2).join('/');
};

const names = process.argv.slice(2);
/** `minimal`: the bundles bench's minimal handler, the yardstick, profiled the same way. */
const MINIMAL: BundleEntry = { name: 'minimal', entry: 'bench/minimal-handler.ts' };
const specs: BundleEntry[] = names.length
  ? [...(names.includes(MINIMAL.name) ? [MINIMAL] : []), ...FUNCTIONS.filter((f) => names.includes(f.name))]
  : FUNCTIONS;
const dir = mkdtempSync(join(tmpdir(), 'xietong-profile-'));
try {
  const bundles = await bundleFunctions(specs, { minify: false });
  for (const spec of specs) {
    const output = bundles.find((bundle) => bundle.name === spec.name)!;
    const folder = mkdtempSync(join(dir, `${spec.name}-`));
    const asFunction = FUNCTIONS.find((f) => f.name === spec.name);
    const file = stageFunction(
      folder,
      output,
      asFunction !== undefined && unbundledModulesOf(asFunction).length > 0,
    );

    // Line → module for the entry and every chunk, from the `// path` comments esbuild writes
    // before each module's code.
    const moduleAtOf = new Map<string, string[]>();
    for (const { path, text } of output.files) {
      const moduleAt: string[] = [];
      let current = '(banner)';
      text.split('\n').forEach((line, index) => {
        // In a git worktree whose node_modules links to another checkout, esbuild names the real
        // path (`../main/node_modules/…`): skip what comes before the folder.
        const marker = /^\/\/ (?:\.\.\/)*(?:[\w.-]+\/)??((?:node_modules|shared|functions|infra)\/\S+)$/.exec(
          line,
        );
        if (marker) current = groupOf(marker[1]!);
        moduleAt[index] = current;
      });
      moduleAtOf.set(path, moduleAt);
    }
    const bundleFileOf = (url: string) =>
      url.startsWith('file://') ? relative(folder, fileURLToPath(url)) : undefined;

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
      { cwd: folder, env: { PATH: process.env.PATH ?? '', ...BENCH_ENVIRONMENT }, encoding: 'utf8' },
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
        const inBundle = bundleFileOf(url);
        const moduleAt = inBundle === undefined ? undefined : moduleAtOf.get(inBundle);
        if (moduleAt) return moduleAt[lineNumber] ?? '(bundle)';
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
