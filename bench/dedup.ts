/**
 * `npm run bench:dedup -- [--probes N] [--history N]`: the duplicate check's cost as the table
 * grows. The check reads the geo index (the report's cell and its neighbours, reports within the
 * window) plus the area claim; this measures its latency with 1,000 cases in the table, then again
 * after adding N more (default 99,000) from the district's history, side by side in one run
 * against one dynalite. Prints figures, asserts nothing.
 */
import { rmSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { toItem } from '../shared/adapters/aws/case-item';
import { DynamoCaseStore } from '../shared/adapters/aws/dynamodb-case-store';
import { DynamoDedupClaims } from '../shared/adapters/aws/dynamodb-dedup-claims';
import { loadDistrict } from '../shared/district/load';
import type { Case } from '../shared/domain/case';
import { judgeDuplicates, radiusFor } from '../shared/domain/dedup';
import { indexDistrict } from '../shared/domain/district-index';
import { pointInPolygon } from '../shared/domain/geo';
import { cellsWithin } from '../shared/domain/geohash';
import { newReportedCase } from '../shared/domain/report';
import { benchTable } from './bench-table';
import { recordFigures } from './report';

const { values } = parseArgs({
  options: { probes: { type: 'string' }, history: { type: 'string' }, recent: { type: 'string' } },
  strict: true,
});
const PROBES = Number(values.probes ?? 500);
const RECENT = Number(values.recent ?? 1_000);
const HISTORY = Number(values.history ?? 99_000);

const district = indexDistrict(loadDistrict('districts/sandun.json'));
const categories = district.config.categories.map((c) => c.code);
const NOW = '2026-11-30T02:00:00.000Z';

/** A random point inside some zone of the district. */
const randomPoint = () => {
  for (;;) {
    const lat = 30.27 + Math.random() * 0.06;
    const lng = 120.06 + Math.random() * 0.07;
    if (district.config.zones.some((z) => pointInPolygon({ lat, lng }, z.boundary))) return { lat, lng };
  }
};

let serial = 0;
const caseAt = (reportedAt: string): Case => {
  const point = randomPoint();
  const c = newReportedCase(
    {
      source: 'hotline',
      category: categories[serial % categories.length]!,
      description: `历史工单 ${serial}`,
      location: { ...point, crs: 'wgs84' },
    },
    {
      id: `C${String(serial++).padStart(25, '0')}`,
      district,
      actor: { subject: 'bench', role: 'command_centre' },
      now: reportedAt,
    },
  );
  return { ...c, status: 'closed', closedAt: reportedAt };
};

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;

const main = async () => {
  const { dataDir, dynamo, client, documents, tableName } = await benchTable('dedup');
  const store = new DynamoCaseStore({ client: documents, tableName });
  const claims = new DynamoDedupClaims({ client: documents, tableName });

  const load = async (count: number, reportedAt: () => string) => {
    const started = Date.now();
    const items = Array.from({ length: count }, () => toItem(caseAt(reportedAt())));
    const batches: Record<string, unknown>[][] = [];
    for (let i = 0; i < items.length; i += 25) batches.push(items.slice(i, i + 25));
    let next = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < batches.length) {
          const batch = batches[next++]!;
          let request: Record<string, { PutRequest: { Item: Record<string, unknown> } }[]> | undefined = {
            [tableName]: batch.map((Item) => ({ PutRequest: { Item } })),
          };
          while (request && Object.keys(request).length > 0) {
            const result = await documents.send(new BatchWriteCommand({ RequestItems: request }));
            request = result.UnprocessedItems as typeof request;
          }
        }
      }),
    );
    return (count / (Date.now() - started)) * 1000;
  };

  /** What the router does per report before deciding: claim, geo index, claim's recent ids, judge. */
  const probe = async () => {
    const latencies: number[] = [];
    let candidatesSeen = 0;
    for (let i = 0; i < PROBES; i++) {
      const report = newReportedCase(
        {
          source: 'patrol',
          category: categories[i % categories.length]!,
          description: '巡查上报',
          location: { ...randomPoint(), crs: 'wgs84' },
        },
        {
          id: `CPROBE${String(i).padStart(20, '0')}`,
          district,
          actor: { subject: 'bench', role: 'command_centre' },
          now: NOW,
        },
      );
      const started = performance.now();
      const radius = radiusFor(district.config.dedup, district, report.category);
      const areaClaims = await Promise.all(
        cellsWithin(report.location, radius, 6).map((cell) => claims.read(`AREA#${cell}`)),
      );
      const since = new Date(Date.parse(NOW) - district.config.dedup.windowHours * 3_600_000).toISOString();
      const near = await store.findInCells(cellsWithin(report.location, radius), since);
      const recent = areaClaims
        .flatMap((claim) => claim.recent.map((r) => r.caseId))
        .filter((id) => !near.some((c) => c.id === id));
      const candidates = [...near, ...(recent.length > 0 ? await store.getMany(recent) : [])];
      judgeDuplicates(report, candidates, district, district.config.dedup, NOW);
      latencies.push(performance.now() - started);
      candidatesSeen += candidates.length;
    }
    latencies.sort((a, b) => a - b);
    return {
      p50: percentile(latencies, 0.5),
      p99: percentile(latencies, 0.99),
      candidates: candidatesSeen / PROBES,
    };
  };

  try {
    const windowMs = district.config.dedup.windowHours * 3_600_000;
    const recentRate = await load(RECENT, () =>
      new Date(Date.parse(NOW) - Math.random() * windowMs).toISOString(),
    );
    const small = await probe();
    // History: older than the window, as a district's table grows over the years.
    const historyRate = await load(HISTORY, () =>
      new Date(Date.parse(NOW) - windowMs - 3_600_000 - Math.random() * 365 * 86_400_000).toISOString(),
    );
    const large = await probe();
    const fmt = (n: number) => n.toFixed(2);
    recordFigures('dedup', [
      { name: `check p50 with ${RECENT.toLocaleString()} cases`, value: Number(fmt(small.p50)), unit: 'ms' },
      {
        name: `check p50 with ${(RECENT + HISTORY).toLocaleString()} cases`,
        value: Number(fmt(large.p50)),
        unit: 'ms',
      },
      {
        name: 'check p99 small / large table',
        value: Number(fmt(large.p99 / small.p99)),
        unit: 'x',
      },
      {
        name: 'check p50 large / small table',
        value: Number(fmt(large.p50 / small.p50)),
        unit: 'x',
      },
    ]);
    process.stdout.write(
      [
        `dedup check, ${PROBES} probes each, dynalite in its own process`,
        `  ${RECENT.toLocaleString()} cases in the table: p50 ${fmt(small.p50)} ms, p99 ${fmt(small.p99)} ms, ${fmt(small.candidates)} candidates/report`,
        `  ${(RECENT + HISTORY).toLocaleString()} cases in the table: p50 ${fmt(large.p50)} ms, p99 ${fmt(large.p99)} ms, ${fmt(large.candidates)} candidates/report`,
        `  ratio large/small: p50 ${fmt(large.p50 / small.p50)}, p99 ${fmt(large.p99 / small.p99)}`,
        `  (loaded at ${Math.round(recentRate)} and ${Math.round(historyRate)} items/s)`,
        JSON.stringify({
          bench: 'dedup',
          probes: PROBES,
          small: { cases: RECENT, ...small },
          large: { cases: RECENT + HISTORY, ...large },
        }),
        '',
      ].join('\n'),
    );
  } finally {
    client.destroy();
    await dynamo.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
};

await main();
