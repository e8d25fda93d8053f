import type { BuildOptions } from 'esbuild';
import { type FunctionSpec, unbundledModulesOf } from '../../shared/runtime/functions';
import { BUNDLE_TARGET } from '../node-runtime';

/**
 * esbuild's ESM output still meets CommonJS `require` calls from bundled dependencies; give the
 * module a real `require` so they work.
 */
export const ESM_REQUIRE_BANNER =
  "import { createRequire as xietongCreateRequire } from 'node:module'; const require = xietongCreateRequire(import.meta.url);";

/**
 * The package.json `imports` condition a function bundle resolves with: `#district-loader` is then
 * the parsed-form reader, since CDK bundles the district as the schema parsed it at synth.
 */
export const FUNCTION_BUNDLE_CONDITION = 'xietong-function-bundle';

/** The entry Lambda loads (`index.handler`), and where the code it loads later lives beside it. */
export const ENTRY_FILE = 'index.mjs';
export const CHUNK_FOLDER = 'chunks';

/**
 * How every function is bundled, for the stack (infra/stack/functions.ts) and for the benches and the
 * budget test, so both measure what is deployed: ESM for the runtime's Node, minified, the AWS SDK
 * inside (the exact versions the lockfile pins and the tests exercised, not the runtime's copy).
 *
 * Code splitting: what a function loads with `import()` (the S3 client on the routes that store
 * files, the SQS and Step Functions clients on the routes that send or start timers, the tracer where
 * X-Ray records, the SDK's credential links after the environment
 * variables, the triage model, exceljs' callers) goes into its own file under `chunks/`, read only when
 * that path runs. A single-file bundle would make every cold start parse it.
 *
 * Modules with native binaries (sharp) and big ones that one path loads lazily (exceljs) stay out
 * and are installed beside the bundle for Lambda's platform (`nativeModuleInstall`).
 */
export const bundleOptionsFor = (
  spec: Pick<FunctionSpec, 'nativeModules' | 'lazyModules'>,
  options: { minify?: boolean } = {},
): BuildOptions => ({
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: BUNDLE_TARGET,
  mainFields: ['module', 'main'],
  banner: { js: ESM_REQUIRE_BANNER },
  minify: options.minify ?? true,
  splitting: true,
  entryNames: '[name]',
  chunkNames: `${CHUNK_FOLDER}/[name]-[hash]`,
  outExtension: { '.js': '.mjs' },
  // package.json "imports": the district loader without the schema (the stack bundles the parsed
  // form). `module` is esbuild's default, dropped as soon as any condition is named: keep it.
  conditions: [FUNCTION_BUNDLE_CONDITION, 'module'],
  external: unbundledModulesOf(spec),
  logLevel: 'silent',
});
