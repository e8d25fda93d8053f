import { join, relative } from 'node:path';
import { build, type Metafile } from 'esbuild';
import { REPO_ROOT } from '../infra/local/paths';
import { bundleOptionsFor, ENTRY_FILE } from '../infra/stack/bundling';
import type { FunctionSpec } from '../shared/runtime/functions';

/**
 * Bundles functions as the stack does (infra/stack/bundling.ts: ESM, the runtime's Node target,
 * minified, the AWS SDK bundled, the same banner, lazily loaded code split into chunks, sharp and
 * exceljs left outside since the deploy installs those beside the bundle). Used by the bundle bench
 * and by the budget test, so both measure what would be deployed.
 */
export interface FunctionBundle {
  name: string;
  /** The entry file: what every cold start reads and parses. */
  bytes: number;
  code: string;
  /** Every file written, the entry and its chunks, by path relative to the function's folder. */
  files: { path: string; text: string }[];
  /** The entry and the chunks it imports statically: what a cold start reads before the handler runs. */
  startBytes: number;
  /** The entry and all its chunks. */
  totalBytes: number;
  metafile: Metafile;
}

/** What a bundle is built from: a function of FUNCTIONS, or the bench's minimal handler. */
export type BundleEntry = Pick<FunctionSpec, 'name' | 'entry' | 'nativeModules' | 'lazyModules'>;

export interface BundleOptions {
  /** Extra modules left outside every bundle (the bench tries the AWS SDK from the runtime). */
  external?: string[];
  /** False for a readable bundle (esbuild then marks each module with a `// path` comment). */
  minify?: boolean;
}

/** The entry's bytes and those of every chunk it reaches through static imports. */
const startBytesOf = (metafile: Metafile, entryPath: string): number => {
  // The metafile names outputs relative to the working directory, and imports by those names.
  const outputs = metafile.outputs;
  const entry = Object.keys(outputs).find((path) => entryPath.endsWith(path.replace(/^(\.\.\/)+/, '/')));
  const reached = new Set<string>();
  const visit = (path: string) => {
    if (reached.has(path) || !outputs[path]) return;
    reached.add(path);
    for (const imported of outputs[path].imports) {
      if (imported.kind === 'import-statement' && !imported.external) visit(imported.path);
    }
  };
  if (entry) visit(entry);
  return [...reached].reduce((sum, path) => sum + (outputs[path]?.bytes ?? 0), 0);
};

/** One esbuild run per function, as the stack builds them: chunks are the function's own. */
export const bundleFunctions = (
  specs: BundleEntry[],
  options: BundleOptions = {},
): Promise<FunctionBundle[]> =>
  Promise.all(
    specs.map(async (spec) => {
      const base = bundleOptionsFor(spec, { minify: options.minify ?? true });
      const outdir = `/bundles/${spec.name.replace(/\W+/g, '-')}`;
      const result = await build({
        ...base,
        entryPoints: { [ENTRY_FILE.replace(/\.mjs$/, '')]: join(REPO_ROOT, spec.entry) },
        outdir,
        write: false,
        metafile: true,
        external: [...(base.external ?? []), ...(options.external ?? [])],
      });
      const files = result.outputFiles.map((file) => ({
        path: relative(outdir, file.path),
        text: file.text,
        bytes: file.contents.byteLength,
      }));
      const entry = files.find((file) => file.path === ENTRY_FILE);
      if (!entry) throw new Error(`esbuild wrote no ${ENTRY_FILE} for ${spec.name}`);
      return {
        name: spec.name,
        bytes: entry.bytes,
        startBytes: startBytesOf(result.metafile, join(outdir, ENTRY_FILE)),
        code: entry.text,
        files: files.map(({ path, text }) => ({ path, text })),
        totalBytes: files.reduce((sum, file) => sum + file.bytes, 0),
        metafile: result.metafile,
      };
    }),
  );
