import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { docFiles, PROJECT_ROOT } from '../../infra/docs/facts';

/** The text outside fenced code blocks and code spans (where a link is an example, not a link). */
const prose = (markdown: string) =>
  markdown
    .replace(/^(```|~~~)[\s\S]*?^\1/gm, '')
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/(`+)[\s\S]*?\1/g, '');

/** GitHub's heading anchors: lower case, punctuation dropped (letters of any script kept), spaces to hyphens. */
const anchorsOf = (markdown: string): Set<string> => {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  const withoutFences = markdown.replace(/^(```|~~~)[\s\S]*?^\1/gm, '');
  for (const match of withoutFences.matchAll(/^#{1,6}\s+(.+?)\s*#*$/gm)) {
    const text = (match[1] ?? '').replace(/\[([^\]]*)\]\([^)]*\)/g, '$1').replace(/[`*_]/g, '');
    const slug = text
      .toLowerCase()
      .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
      .replace(/ /g, '-');
    const count = seen.get(slug) ?? 0;
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
    seen.set(slug, count + 1);
  }
  return anchors;
};

const linksOf = (markdown: string): string[] => {
  const text = prose(markdown);
  return [
    ...[...text.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1] ?? ''),
    ...[...text.matchAll(/^\s*\[[^\]]+\]:\s*(\S+)/gm)].map((m) => m[1] ?? ''),
    ...[...text.matchAll(/<(?:img|a)\s[^>]*?(?:src|href)="([^"]+)"/g)].map((m) => m[1] ?? ''),
  ];
};

const docs = docFiles().map((file) => ({ file, markdown: readFileSync(join(PROJECT_ROOT, file), 'utf8') }));

describe('the docs', () => {
  it('are README.md and the pages under docs/', () => {
    expect(docs.map((d) => d.file)).toContain('README.md');
    expect(docs.length).toBeGreaterThan(5);
  });

  it('link only to files (and headings) that exist', () => {
    const broken: string[] = [];
    for (const { file, markdown } of docs) {
      for (const link of linksOf(markdown)) {
        if (/^[a-z][a-z0-9+.-]*:/i.test(link)) continue; // https:, mailto:
        const [path = '', anchor] = link.split('#');
        const target =
          path === '' ? join(PROJECT_ROOT, file) : join(PROJECT_ROOT, dirname(file), decodeURI(path));
        if (!existsSync(target)) {
          broken.push(`${file}: ${link} (no such file)`);
          continue;
        }
        if (anchor && target.endsWith('.md') && statSync(target).isFile()) {
          const anchors = anchorsOf(readFileSync(target, 'utf8'));
          if (!anchors.has(decodeURIComponent(anchor))) {
            broken.push(`${file}: ${link} (no heading #${anchor} in ${relative(PROJECT_ROOT, target)})`);
          }
        }
      }
    }
    expect(broken).toEqual([]);
  });

  it('name only npm scripts that package.json has', () => {
    const scripts = (
      JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as {
        scripts: Record<string, string>;
      }
    ).scripts;
    const missing: string[] = [];
    for (const { file, markdown } of docs) {
      for (const match of markdown.matchAll(/npm run ([\w:.-]+)/g)) {
        const name = match[1] ?? '';
        if (!(name in scripts)) missing.push(`${file}: npm run ${name}`);
      }
      for (const match of markdown.matchAll(/npm (start|test)\b/g)) {
        if (!((match[1] ?? '') in scripts)) missing.push(`${file}: npm ${match[1]}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('anchor as GitHub does, CJK headings included', () => {
    expect(anchorsOf('# Evaluation (分析研判)\n## Exports as jobs\n## Exports as jobs\n')).toEqual(
      new Set(['evaluation-分析研判', 'exports-as-jobs', 'exports-as-jobs-1']),
    );
  });
});
