import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { docFiles, FACTS, factsStatus, PROJECT_ROOT, regionsOf, withFacts } from '../../infra/docs/facts';

describe('generated facts in the docs', () => {
  it('are up to date in every region (else run `npm run docs:facts`)', () => {
    const status = factsStatus();
    expect(status.length).toBeGreaterThan(0);
    for (const { file, current, expected } of status) {
      expect(current, `${file}: a generated region is out of date, run \`npm run docs:facts\``).toBe(
        expected,
      );
    }
  });

  it('names only regions it can generate, and the function count among them', () => {
    const names = docFiles().flatMap((file) => regionsOf(readFileSync(join(PROJECT_ROOT, file), 'utf8')));
    expect(names.filter((name) => !(name in FACTS))).toEqual([]);
    expect(names).toContain('function-count');
  });

  it('rewrites block and inline regions and refuses an unknown one', () => {
    const doc = 'There are <!-- facts:begin index-count -->?<!-- facts:end --> indexes.\n';
    expect(withFacts(doc, 'x.md')).toMatch(/facts:begin index-count -->\d+<!-- facts:end/);
    expect(() => withFacts('<!-- facts:begin nonsense -->\n<!-- facts:end -->', 'x.md')).toThrow(/nonsense/);
  });
});
