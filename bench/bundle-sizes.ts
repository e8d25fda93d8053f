import { join } from 'node:path';
import { build, type Metafile } from 'esbuild';
import { REPO_ROOT } from '../infra/local/paths';
import { BUNDLE_TARGET } from '../infra/node-runtime';
import { ESM_REQUIRE_BANNER } from '../infra/stack/functions';
import { type FunctionSpec, unbundledModulesOf } from '../shared/runtime/functions';

/**
 * Bundles one function as CDK's NodejsFunction does in infra/stack/functions.ts: ESM, the runtime's
 * Node target, minified, the AWS SDK bundled, the same banner, and only the native modules (sharp) left
 * outside, since the deploy installs those beside the bundle. Used by the bundle bench and by the
 * budget test, so both measure what would be deployed.
 */
export interface FunctionBundle {
  name: string;
  bytes: number;
  code: string;
}

/** What a bundle is built from: a function of FUNCTIONS, or the bench's minimal handler. */
export type BundleEntry = Pick<FunctionSpec, 'name' | 'entry' | 'nativeModules' | 'lazyModules'>;

export interface BundleOptions {
  /** Extra modules left outside every bundle (the bench tries the AWS SDK from the runtime). */
  external?: string[];
  /** False for a readable bundle (esbuild then marks each module with a `// path` comment). */
  minify?: boolean;
}

/** All of them in one esbuild run (it shares the parsing; each output is still self-contained). */
export const bundleFunctions = async (
  specs: BundleEntry[],
  options: BundleOptions = {},
): Promise<FunctionBundle[]> => (await bundleWithMetafile(specs, options)).bundles;

/** The same, with esbuild's metafile: which inputs each bundle carries and how many bytes of each. */
export const bundleWithMetafile = async (
  specs: BundleEntry[],
  options: BundleOptions = {},
): Promise<{ bundles: FunctionBundle[]; metafile: Metafile }> => {
  const result = await build({
    entryPoints: Object.fromEntries(specs.map((spec) => [spec.name, join(REPO_ROOT, spec.entry)])),
    outdir: '/bundles',
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: BUNDLE_TARGET,
    mainFields: ['module', 'main'],
    banner: { js: ESM_REQUIRE_BANNER },
    minify: options.minify ?? true,
    write: false,
    metafile: true,
    logLevel: 'silent',
    // An unbundled module is only external to the functions that import it, so the union is safe here.
    external: [...new Set(specs.flatMap(unbundledModulesOf)), ...(options.external ?? [])],
  });
  const bundles = specs.map((spec) => {
    const output = result.outputFiles.find((file) => file.path === `/bundles/${spec.name}.js`);
    if (!output) throw new Error(`esbuild wrote no bundle for ${spec.name}`);
    return { name: spec.name, bytes: output.contents.byteLength, code: output.text };
  });
  return { bundles, metafile: result.metafile };
};
