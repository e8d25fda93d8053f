import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bundleFunctions } from '../../bench/bundle-sizes';
import { FUNCTIONS } from '../../shared/runtime/functions';

/**
 * What every function's cold start reads (its entry and the chunks that imports statically), built
 * as the stack builds it, stays within its size budget (bench/bundle-budget.json). Sizes only: cold-start times are figures for `npm run bench`.
 */
const budget = JSON.parse(readFileSync('bench/bundle-budget.json', 'utf8')) as {
  defaultKb: number;
  functions: Record<string, number>;
};

describe('function bundle sizes', () => {
  it('stay within bench/bundle-budget.json for every function in FUNCTIONS', async () => {
    const bundles = await bundleFunctions(FUNCTIONS);
    const over = bundles
      .map((b) => ({
        name: b.name,
        kb: Math.ceil(b.startBytes / 1024),
        budgetKb: budget.functions[b.name] ?? budget.defaultKb,
      }))
      .filter((b) => b.kb > b.budgetKb);
    expect(over).toEqual([]);
    expect(bundles.map((b) => b.name)).toEqual(FUNCTIONS.map((f) => f.name));
    // The district arrives in its parsed form (validated at synth): no function carries its schema.
    const withSchema = bundles.filter((b) =>
      Object.keys(b.metafile.inputs).some((path) => path.endsWith('shared/district/schema.ts')),
    );
    expect(withSchema.map((b) => b.name)).toEqual([]);
  }, 180_000);
});

describe('request schemas', () => {
  /** Every TypeScript file under `dir`, recursively. */
  const sources = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
      entry.isDirectory()
        ? sources(join(dir, entry.name))
        : entry.name.endsWith('.ts')
          ? [join(dir, entry.name)]
          : [],
    );

  it('are built by calls marked pure, so a bundle leaves out the schemas its function never reads', () => {
    const unmarked = sources('shared').flatMap((file) =>
      readFileSync(file, 'utf8')
        .split('\n')
        .map((line, i) => ({ line, at: `${file}:${i + 1}` }))
        .filter(({ line }) => /\blazySchema\(/.test(line) && !line.includes('/* @__PURE__ */ lazySchema('))
        .filter(({ line }) => !/^export const lazySchema\b/.test(line))
        .map(({ at }) => at),
    );
    expect(unmarked).toEqual([]);
  });
});
