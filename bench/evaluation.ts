/**
 * `npm run bench:evaluation -- [--cases N] [--export N] [--queries N]`: the evaluation's two costs.
 *
 * 1. Metrics query latency for a month with N cases (default 100,000): the cases and their aggregate
 *    buckets (with each case's marker, as live updates leave them) are written straight into dynalite
 *    in bulk, then GET /v1/metrics's use case runs for the month, whole district and grouped; the
 *    number of items it read is checked to be buckets only — never more than the buckets stored, and
 *    far fewer than the cases.
 * 2. Export time for M rows (default 50,000): reading them through the case list's pages, then
 *    building the CSV and the XLSX.
 * Prints figures, asserts only that the query did not read cases.
 */
import { rmSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { toItem } from '../shared/adapters/aws/case-item';
import { DynamoCaseStore } from '../shared/adapters/aws/dynamodb-case-store';
import { bucketAddress, bucketItem } from '../shared/adapters/aws/dynamodb-evaluation-aggregates';
import { loadDistrict } from '../shared/district/load';
import { type Actor, type Case, SYSTEM_ROUTER } from '../shared/domain/case';
import { indexDistrict } from '../shared/domain/district-index';
import { contributionOf, parseBucketKey } from '../shared/domain/evaluation';
import { newReportedCase } from '../shared/domain/report';
import { routeReport } from '../shared/domain/routing';
import { type CommandInput, registerReport, runCommand } from '../shared/domain/workflow';
import { evaluationReport, sumContributions } from '../shared/usecases/evaluation';
import { casesCsv, casesXlsx, collectCases } from '../shared/usecases/exports';
import { benchTable, putAll, randomPointIn } from './bench-table';
import { recordFigures } from './report';

const { values } = parseArgs({
  options: { cases: { type: 'string' }, export: { type: 'string' }, queries: { type: 'string' } },
  strict: true,
});
const CASES = Number(values.cases ?? 100_000);
const EXPORT_ROWS = Math.min(CASES, Number(values.export ?? 50_000));
const QUERIES = Number(values.queries ?? 10);

const district = indexDistrict(loadDistrict('districts/sandun.json'));
const categories = district.config.categories.map((c) => c.code);
const CENTRE: Actor = { subject: 'bench', role: 'command_centre', department: 'command-centre' };
const MONTH_START = Date.parse('2026-10-31T16:00:00.000Z'); // 2026-11-01 00:00 in Shanghai

/** A case of November walked a random way: most closed, some returned, reworked or cancelled. */
const caseNumber = (n: number): Case => {
  const start = MONTH_START + Math.random() * 29 * 86_400_000;
  let minutes = 0;
  const at = (more: number) => {
    minutes += more;
    return new Date(start + minutes * 60_000).toISOString();
  };
  let c = newReportedCase(
    {
      source: 'hotline',
      category: categories[n % categories.length],
      description: `工单 ${n} 回电13812341234`,
      location: { ...randomPointIn(district.config), crs: 'wgs84' },
      reporter: { name: '王秀英', phone: '13812341234' },
    },
    { id: `C${String(n).padStart(25, '0')}`, district, actor: CENTRE, now: at(0) },
  );
  c = registerReport(c, routeReport(district, c), { actor: SYSTEM_ROUTER, now: at(2) });
  if (c.triage) return c;
  const run = (input: CommandInput, after: number, actor: Actor = CENTRE) => {
    c = runCommand(c, input, { district, actor, now: at(after) });
  };
  const staff = (): Actor => ({ subject: 's', role: 'department_staff', department: c.assignee ?? '' });
  const roll = Math.random();
  run({ command: 'dispatch' }, 5 + Math.random() * 60);
  if (roll < 0.1) run({ command: 'return', reason: '非本部门' }, 20, staff());
  if (roll < 0.1) run({ command: 'dispatch' }, 30);
  if (roll > 0.95) {
    run({ command: 'cancel', reason: '无效' }, 10);
    return c;
  }
  run({ command: 'accept' }, 5 + Math.random() * 60, staff());
  run({ command: 'resolve', result: '已处理' }, 60 + Math.random() * 1500, staff());
  if (roll > 0.85) {
    run({ command: 'verify', passed: false, note: '未整改到位' }, 30);
    run({ command: 'resolve', result: '已整改' }, 120, staff());
  }
  run({ command: 'verify', passed: true }, 30);
  if (roll < 0.8) run({ command: 'close' }, 10);
  return c;
};

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;

const main = async () => {
  const { dataDir, dynamo, client, documents, tableName } = await benchTable('evaluation');

  const writeAll = (items: Record<string, unknown>[]) => putAll(documents, tableName, items);

  try {
    // Seed: cases and the buckets they add up to, with each case's marker (as a rebuild writes them).
    let started = performance.now();
    const contributions = new Map<string, ReturnType<typeof contributionOf>>();
    const markers = new Map<string, Record<string, number>>();
    for (let from = 0; from < CASES; from += 5_000) {
      const cases = Array.from({ length: Math.min(5_000, CASES - from) }, (_, i) => caseNumber(from + i));
      const items: Record<string, unknown>[] = [];
      for (const c of cases) {
        const contribution = contributionOf(c, district.config);
        contributions.set(c.id, contribution);
        for (const key of Object.keys(contribution)) {
          const marks = markers.get(key) ?? {};
          marks[`v:${c.id}`] = c.version;
          markers.set(key, marks);
        }
        items.push(toItem(c));
      }
      await writeAll(items);
    }
    const sums = sumContributions([...contributions.values()]);
    // Buckets that share an item (a zone's day of figures or cells) are written as that one item.
    const bucketItems = new Map<
      string,
      { address: ReturnType<typeof bucketAddress>; attributes: Record<string, number> }
    >();
    for (const [key, counters] of sums) {
      const address = bucketAddress(parseBucketKey(key));
      const id = `${address.key.pk} ${address.key.sk}`;
      const entry = bucketItems.get(id) ?? { address, attributes: {} };
      for (const [counter, value] of Object.entries(counters))
        entry.attributes[`${address.prefix}${counter}`] = value;
      Object.assign(entry.attributes, markers.get(key));
      bucketItems.set(id, entry);
    }
    await writeAll(
      [...bucketItems.values()].map(({ address, attributes }) => bucketItem(address, attributes)),
    );
    const seedSeconds = (performance.now() - started) / 1000;
    const novemberBuckets = [...sums.keys()].filter((k) => {
      const { kind, day } = parseBucketKey(k);
      return kind === 'figures' && day.startsWith('2026-11');
    }).length;

    // 1. The month's figures, as GET /v1/metrics computes them.
    const { DynamoEvaluationAggregates } = await import(
      '../shared/adapters/aws/dynamodb-evaluation-aggregates'
    );
    const aggregates = new DynamoEvaluationAggregates({
      client: documents,
      tableName,
      district: district.config,
    });
    const latencies: Record<string, number[]> = { total: [], department: [] };
    let itemsRead = 0;
    let reported = 0;
    for (let i = 0; i < QUERIES; i++) {
      for (const groupBy of ['total', 'department'] as const) {
        const t = performance.now();
        const report = await evaluationReport(aggregates, {
          from: '2026-11-01',
          to: '2026-11-30',
          ...(groupBy === 'department' && { groupBy }),
          scope: {},
        });
        latencies[groupBy]?.push(performance.now() - t);
        itemsRead = report.itemsRead;
        reported = report.total.counters.reported ?? 0;
      }
    }
    if (itemsRead > novemberBuckets) {
      throw new Error(
        `the query read ${itemsRead} items for ${novemberBuckets} buckets: it read more than buckets`,
      );
    }
    const t0 = performance.now();
    const zone = await evaluationReport(aggregates, {
      from: '2026-11-01',
      to: '2026-11-30',
      scope: { zone: district.config.zones[0]?.id ?? '' },
    });
    const zoneMs = performance.now() - t0;
    for (const list of Object.values(latencies)) list.sort((a, b) => a - b);

    // 2. Exports: read the rows through the case list, then build the files.
    const store = new DynamoCaseStore({ client: documents, tableName });
    started = performance.now();
    const { cases } = await collectCases(store, { now: new Date().toISOString() }, EXPORT_ROWS);
    const readSeconds = (performance.now() - started) / 1000;
    started = performance.now();
    const csv = casesCsv(cases, district, CENTRE, new Date().toISOString());
    const csvSeconds = (performance.now() - started) / 1000;
    started = performance.now();
    const xlsx = await casesXlsx(cases, district, CENTRE, new Date().toISOString());
    const xlsxSeconds = (performance.now() - started) / 1000;

    const fmt = (n: number, digits = 1) => n.toFixed(digits);
    const total = latencies.total ?? [];
    const byDepartment = latencies.department ?? [];
    process.stdout.write(
      [
        `metrics, ${CASES.toLocaleString()} cases in November 2026 (seeded in ${fmt(seedSeconds)} s), dynalite in its own process`,
        `  month query (whole district): p50 ${fmt(percentile(total, 0.5))} ms, max ${fmt(percentile(total, 1))} ms over ${QUERIES} runs`,
        `  month query grouped by department: p50 ${fmt(percentile(byDepartment, 0.5))} ms`,
        `  month query, one zone (filtered buckets): ${fmt(zoneMs)} ms, ${zone.itemsRead} items read`,
        `  items read: ${itemsRead.toLocaleString()} buckets (${novemberBuckets.toLocaleString()} figure buckets stored for the month; ${CASES.toLocaleString()} cases not read); reported = ${reported.toLocaleString()}`,
        `export of ${cases.length.toLocaleString()} rows: read ${fmt(readSeconds)} s, CSV ${fmt(csvSeconds, 2)} s (${fmt(csv.length / 1e6)} MB), XLSX ${fmt(xlsxSeconds, 2)} s (${fmt(xlsx.length / 1e6)} MB)`,
        '',
      ].join('\n'),
    );
    recordFigures('evaluation', [
      {
        name: `metrics query p50, a month of ${CASES.toLocaleString()} cases`,
        value: Number(fmt(percentile(total, 0.5))),
        unit: 'ms',
        note: `reads ${itemsRead.toLocaleString()} aggregate buckets, no cases`,
      },
      {
        name: 'metrics query p50, grouped by department',
        value: Number(fmt(percentile(byDepartment, 0.5))),
        unit: 'ms',
      },
      { name: 'aggregate items read per month query', value: itemsRead, unit: 'items' },
      {
        name: `export read of ${cases.length.toLocaleString()} rows (case list pages)`,
        value: Number(fmt(readSeconds, 2)),
        unit: 's',
      },
      {
        name: `CSV build, ${cases.length.toLocaleString()} rows`,
        value: Number(fmt(csvSeconds, 2)),
        unit: 's',
      },
      {
        name: `XLSX build, ${cases.length.toLocaleString()} rows`,
        value: Number(fmt(xlsxSeconds, 2)),
        unit: 's',
      },
      {
        name: `XLSX size, ${cases.length.toLocaleString()} rows`,
        value: Number(fmt(xlsx.length / 1e6, 2)),
        unit: 'MB',
      },
    ]);
  } finally {
    client.destroy();
    await dynamo.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
};

await main();
