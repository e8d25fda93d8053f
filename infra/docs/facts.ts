/**
 * Facts the docs state that the code already knows (the functions and their triggers, the routes,
 * the table's indexes, the evaluation figures, the catalogue, the triage classifier's accuracy) are
 * written into marked regions of README.md and docs/**\/*.md, never typed by hand:
 *
 *   <!-- facts:begin NAME -->…<!-- facts:end -->
 *
 * A region whose begin marker ends its line is a block (blank lines around the content); otherwise
 * it is inline, inside a sentence. `npm run docs:facts` rewrites every region (infra/cli/docs-facts.ts);
 * tests/unit/docs-facts.test.ts fails when one is out of date.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ALL_INDEXES, TABLE_KEYS } from '../../shared/adapters/aws/table-design';
import {
  examplesFileFor,
  heldOutFilesFor,
  loadCalibrationSet,
  loadExamples,
  loadHeldOut,
} from '../../shared/district/examples';
import { loadCatalogue, loadDistrict } from '../../shared/district/load';
import { evaluate } from '../../shared/domain/classifier/evaluate';
import { train } from '../../shared/domain/classifier/model';
import { indexDistrict } from '../../shared/domain/district-index';
import { FIGURES, type FigureDefinition } from '../../shared/domain/evaluation-figures';
import {
  API_KEY_HEADER,
  authOf,
  FUNCTIONS,
  type FunctionSpec,
  JOINT_VISIT_COMMANDS,
  type QueueName,
  rateExpression,
  WORKFLOW_COMMANDS,
} from '../../shared/runtime/functions';

export const PROJECT_ROOT = join(import.meta.dirname, '..', '..');

const code = (text: string) => `\`${text}\``;
const cell = (text: string) => text.replaceAll('|', '\\|');
const table = (header: string[], rows: string[][]): string =>
  [
    `| ${header.join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...rows.map((row) => `| ${row.map(cell).join(' | ')} |`),
  ].join('\n');

/** The names of the queues in the docs. */
const QUEUES: Record<QueueName, string> = {
  intake: 'intake queue (SQS FIFO)',
  dueChecks: 'due-check queue (the deadline timers)',
  notifications: 'notification queue',
  exportJobs: 'export job queue',
};

/** What makes a function run on AWS: its routes and its triggers, as the manifest (shared/runtime/functions.ts) declares them. */
export const triggersOf = (spec: FunctionSpec): string[] => {
  const triggers: string[] = [];
  if (spec.routes.length > 0) {
    triggers.push(`HTTP API (${spec.routes.length} route${spec.routes.length === 1 ? '' : 's'})`);
  }
  for (const trigger of spec.triggers ?? []) {
    if (trigger.kind === 'authorizer')
      triggers.push(`Lambda authorizer of the ${code(API_KEY_HEADER)} routes`);
    if (trigger.kind === 'queue') triggers.push(QUEUES[trigger.queue]);
    if (trigger.kind === 'objectCreated') triggers.push(`S3 ObjectCreated on the ${trigger.bucket} bucket`);
    if (trigger.kind === 'caseChanges') triggers.push('the table’s change stream (case items)');
    if (trigger.kind === 'schedule') triggers.push(`schedule, ${code(rateExpression(trigger))}`);
  }
  return triggers;
};

const functionsTable = () =>
  table(
    ['function', 'trigger', 'what it does'],
    FUNCTIONS.map((spec) => [code(spec.name), triggersOf(spec).join('; '), spec.description]),
  );

const routesTable = () =>
  table(
    ['method', 'path', 'function', 'caller'],
    FUNCTIONS.flatMap((spec) =>
      spec.routes.map((route) => {
        const auth = authOf(route);
        const caller =
          auth === 'none' ? 'public at the gateway' : auth === 'apiKey' ? 'integration key' : 'user (JWT)';
        return [route.method, code(route.path), code(spec.name), caller];
      }),
    ),
  );

/** Each index's doc comment in table-design.ts, so the purposes are the code's own words. */
const indexPurposes = (): Map<string, string> => {
  const source = readFileSync(join(PROJECT_ROOT, 'shared/adapters/aws/table-design.ts'), 'utf8');
  const purposes = new Map<string, string>();
  for (const match of source.matchAll(/\/\*\*((?:(?!\*\/)[\s\S])*)\*\/\s*\w+: \{ name: '([^']+)'/g)) {
    const text = (match[1] ?? '')
      .split('\n')
      .map((line) => line.replace(/^\s*\*\s?/, '').trim())
      .filter(Boolean)
      .join(' ');
    purposes.set(match[2] ?? '', text);
  }
  return purposes;
};

const indexesTable = () => {
  const purposes = indexPurposes();
  return table(
    ['index', 'keys', 'what it lists'],
    ALL_INDEXES.map((index) => [
      code(index.name),
      `${code(index.partitionKey)} / ${code(index.sortKey)}`,
      purposes.get(index.name) ?? '',
    ]),
  );
};

const formulaOf = (figure: FigureDefinition) => {
  const numerator = figure.minus
    ? `${code(figure.numerator)} − ${code(figure.minus)}`
    : code(figure.numerator);
  return figure.denominator ? `${numerator} / ${code(figure.denominator)}` : numerator;
};

const figuresTable = () =>
  table(
    ['指标', 'Figure', 'kind', 'formula (counters)', '口径', 'Which cases, which clock'],
    FIGURES.map((figure) => [
      figure.name.zh,
      figure.name.en,
      figure.kind,
      formulaOf(figure),
      figure.rule.zh,
      figure.rule.en,
    ]),
  );

const districtFile = (id: string) => join(PROJECT_ROOT, 'districts', `${id}.json`);

const triageTable = () => {
  const file = districtFile('sandun');
  const district = loadDistrict(file);
  const model = train(indexDistrict(district), loadExamples(examplesFileFor(file), district));
  const threshold = district.triage.autoCategorizeScore;
  const calibration = loadCalibrationSet(file, district);
  const sets = [
    { file: calibration.file, examples: calibration.examples },
    ...heldOutFilesFor(file)
      .reverse()
      .map((heldOut) => ({ file: heldOut, examples: loadHeldOut(heldOut, district) })),
  ];
  const pct = (n: number) => `${(n * 100).toFixed(1)} %`;
  return table(
    [
      `Sandun (${district.categories.length} categories, threshold ${threshold})`,
      'category top-1 / top-3',
      'department top-1 / top-3',
      'routed directly, right (category / department)',
    ],
    sets.map(({ file: setFile, examples }) => {
      const result = evaluate(model, examples, threshold);
      return [
        `${code(setFile.replace(/^.*\//, ''))} (n = ${result.n})`,
        `${pct(result.top1)} / ${pct(result.top3)}`,
        `${pct(result.departmentTop1)} / ${pct(result.departmentTop3)}`,
        `${pct(result.autoShare)} of reports, ${pct(result.autoPrecision)} / ${pct(result.autoDepartmentPrecision)}`,
      ];
    }),
  );
};

const catalogueFacts = () => {
  const catalogue = loadCatalogue(join(PROJECT_ROOT, 'districts', 'catalogue.json'));
  const districts = ['sandun', 'liangzhu'].map((id) => loadDistrict(districtFile(id)));
  const sandunExamples = loadExamples(examplesFileFor(districtFile('sandun')), districts[0]!);
  return [
    `- ${code('districts/catalogue.json')}: ${catalogue.entries.length} entries.`,
    ...districts.map(
      (district) =>
        `- ${district.name.en} (${code(district.id)}): ${district.categories.length} active categories, ${district.departments.length} departments, ${district.zones.length} grid zones.`,
    ),
    `- Triage examples for Sandun (${code('districts/sandun.examples.json')}): ${sandunExamples.length}.`,
  ].join('\n');
};

const list = (items: readonly string[]) => items.map(code).join(', ');

/**
 * The burst benchmark's requests per routed report, as bench/RESULTS.md (written by `npm run bench`)
 * last measured them: a table per burst and consumer count.
 */
const burstRequests = (): string => {
  const results = readFileSync(join(PROJECT_ROOT, 'bench/RESULTS.md'), 'utf8');
  const date = /^- Date: (\S+)/m.exec(results)?.[1]?.slice(0, 10) ?? 'unknown';
  const rows: string[][] = [];
  for (const section of results.split(/^## /m)) {
    const title = /^burst: (.+)$/m.exec(section)?.[1];
    if (!title) continue;
    const figure = (name: string) =>
      new RegExp(`^\\| ${name} \\| ([\\d.]+) \\|`, 'm').exec(section)?.[1] ?? '?';
    for (const consumers of [2, 16]) {
      rows.push([
        title,
        String(consumers),
        figure(`DynamoDB reads per report, ${consumers} consumers`),
        figure(`DynamoDB writes per report, ${consumers} consumers`),
        figure(`routed/s, ${consumers} consumers`),
        figure(`CPU per report, ${consumers} consumers`),
      ]);
    }
  }
  return [
    table(['burst', 'consumers', 'reads / report', 'writes / report', 'routed/s', 'CPU-ms / report'], rows),
    '',
    `From [bench/RESULTS.md](bench/RESULTS.md) (${date}): intake and routing together, evaluation aggregates included.`,
  ].join('\n');
};

/** Every region the docs may hold, by name: block regions return markdown, inline ones a phrase. */
export const FACTS: Record<string, () => string> = {
  'function-count': () => String(FUNCTIONS.length),
  'route-count': () => String(FUNCTIONS.reduce((n, spec) => n + spec.routes.length, 0)),
  'index-count': () => String(ALL_INDEXES.length),
  'table-keys': () => `${code(TABLE_KEYS.partitionKey)} / ${code(TABLE_KEYS.sortKey)}`,
  functions: functionsTable,
  routes: routesTable,
  indexes: indexesTable,
  'workflow-commands': () => list(WORKFLOW_COMMANDS),
  'joint-visit-commands': () => list(JOINT_VISIT_COMMANDS),
  'evaluation-figures': figuresTable,
  'figure-count': () => String(FIGURES.length),
  catalogue: catalogueFacts,
  'triage-accuracy': triageTable,
  'burst-requests': burstRequests,
};

const REGION = /<!-- facts:begin ([\w-]+) -->(\n?)([\s\S]*?)<!-- facts:end -->/g;

/** The regions a document holds, by name. */
export const regionsOf = (markdown: string): string[] =>
  [...markdown.matchAll(REGION)].map((m) => m[1] ?? '');

/** The document with every region's content generated afresh (unformatted). */
export const withFacts = (markdown: string, file: string, memo = new Map<string, string>()): string =>
  markdown.replace(REGION, (_whole, name: string, newline: string) => {
    const fact = FACTS[name];
    if (!fact)
      throw new Error(`${file}: unknown facts region "${name}" (known: ${Object.keys(FACTS).join(', ')})`);
    const content = memo.get(name) ?? fact();
    memo.set(name, content);
    return newline
      ? `<!-- facts:begin ${name} -->\n\n${content}\n\n<!-- facts:end -->`
      : `<!-- facts:begin ${name} -->${content}<!-- facts:end -->`;
  });

/** Formats markdown exactly as `biome check` wants it (tables padded), so the regions stay lint-clean. */
export const formatMarkdown = (markdown: string, file: string): string => {
  const biome = join(PROJECT_ROOT, 'node_modules', '.bin', 'biome');
  const result = spawnSync(biome, ['format', `--stdin-file-path=${file}`], {
    cwd: PROJECT_ROOT,
    input: markdown,
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`biome format ${file} failed: ${result.stderr}`);
  return result.stdout;
};

/** README.md and every page under docs/, relative to the repository root. */
export const docFiles = (): string[] => {
  const walk = (dir: string): string[] =>
    readdirSync(join(PROJECT_ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory()) return walk(path);
      return entry.name.endsWith('.md') ? [path] : [];
    });
  return ['README.md', ...walk('docs')].sort();
};

/** Each doc with regions: its text now and the text it should have. */
export const factsStatus = (): { file: string; current: string; expected: string }[] => {
  const memo = new Map<string, string>();
  return docFiles().flatMap((file) => {
    const current = readFileSync(join(PROJECT_ROOT, file), 'utf8');
    if (regionsOf(current).length === 0) return [];
    const expected = formatMarkdown(withFacts(current, file, memo), file);
    return [{ file: relative(PROJECT_ROOT, join(PROJECT_ROOT, file)), current, expected }];
  });
};
