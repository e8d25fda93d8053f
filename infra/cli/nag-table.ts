/**
 * `npm run docs:nag`: rewrites the table of acknowledged cdk-nag findings in docs/security.md from
 * the acknowledgements the stacks really make (Sandun and Liangzhu, in and outside AWS China), so
 * the table cannot drift from `infra/stack/nag-suppressions.ts`. tests/infra/nag.test.ts checks
 * the two agree; this writes what it checks.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { buildDistrictApp, PROJECT_ROOT } from '../district-app';
import { nagAcknowledgements } from '../stack/nag-suppressions';

const DOC = join(PROJECT_ROOT, 'docs', 'security.md');
const CHINA = { region: 'cn-northwest-1', account: '123456789012' };
const CDK_CONTEXT = (
  JSON.parse(readFileSync(join(PROJECT_ROOT, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> }
).context;
const START = '| Rule ';
const END = '\nFixed rather than acknowledged';

interface Row {
  id: string;
  reason: string;
  /** Resource path → the stacks (district, China or not) that acknowledge it. */
  resources: Map<string, Set<string>>;
}

const collect = (): Row[] => {
  const outdir = mkdtempSync(join(tmpdir(), 'xietong-nag-table-'));
  const rows = new Map<string, Row>();
  try {
    for (const env of [undefined, CHINA]) {
      // cdk.json's feature flags decide what the stacks look like (the partition from the region, …).
      const app = new App({ outdir, context: { ...CDK_CONTEXT, 'aws:cdk:bundling-stacks': [] } });
      for (const district of ['sandun', 'liangzhu']) {
        const stack = buildDistrictApp(app, { district, env });
        for (const { id, reason, resources } of nagAcknowledgements(stack)) {
          const key = `${id} ${reason}`;
          const row = rows.get(key) ?? { id, reason, resources: new Map() };
          for (const resource of resources) {
            const path = resource.node.path.slice(stack.node.path.length + 1);
            const where = row.resources.get(path) ?? new Set<string>();
            where.add(`${district}${env ? ' (China)' : ''}`);
            row.resources.set(path, where);
          }
          rows.set(key, row);
        }
      }
    }
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
  return [...rows.values()];
};

/** Says where a resource is acknowledged when it is not in every stack. */
const noteOf = (where: Set<string>): string => {
  if (where.size === 4) return '';
  const china = [...where].every((s) => s.endsWith('(China)'));
  const outside = [...where].every((s) => !s.endsWith('(China)'));
  const sandunOnly = [...where].every((s) => s.startsWith('sandun'));
  const notes = [
    china && 'AWS China only',
    outside && 'outside AWS China',
    sandunOnly && 'districts without their own issuer, e.g. Sandun',
  ].filter(Boolean);
  return notes.length > 0 ? ` (${notes.join('; ')})` : '';
};

const table = (rows: Row[]): string => {
  const lines = rows.map((row) => {
    const resources = [...row.resources].map(([path, where]) => `\`${path}\`${noteOf(where)}`).join(', ');
    return `| \`${row.id}\` | ${resources} | ${row.reason} |`;
  });
  return ['| Rule | Resources | Reason |', '| --- | --- | --- |', ...lines].join('\n');
};

const doc = readFileSync(DOC, 'utf8');
const start = doc.indexOf(START);
const end = doc.indexOf(END, start);
if (start < 0 || end < 0) {
  process.stderr.write(`${DOC}: cannot find the acknowledgement table\n`);
  process.exit(1);
}
writeFileSync(DOC, `${doc.slice(0, start)}${table(collect())}\n${doc.slice(end)}`);
process.stdout.write(`${DOC}: table rewritten (run \`npx biome format --write docs/security.md\`)\n`);
