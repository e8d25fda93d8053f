/**
 * `npm run bench:burst -- [--reports N] [--radius M] [--pollers 2,16] [--clients C] [--runs R]`: a burst of
 * reports against a fresh local cloud, routed while the cockpit keeps listing cases, as a district
 * meets it on a typhoon evening. `--radius 0` spreads the reports over the district; `--radius 400`
 * puts them all within 400 m of one corner (a hotspot), in a realistic mix: a few categories of the
 * same events, about one in six a true repeat of an earlier report (same thing, a few metres away,
 * other words). `npm run bench:hotspot` runs both at 2 and at 16 consumers, side by side.
 *
 * `--profile <dir>` writes the CPU profiles of the local cloud and of its dynalite (each file named
 * by its process id, both printed); `--record <file>` writes every DynamoDB
 * request of each run to `<file>.<consumers>.jsonl`, for `bench/dynamodb-replay.ts`.
 *
 * `--runs R` runs each consumer count R times, the counts taken in turn (2, 16, 2, 16…) so that a
 * slow spell of the machine falls on both alike, and records the median of each figure; the checks
 * record the worst run. A single run of a burst moves by ±15 % on this shared machine.
 *
 * Per run it prints and records: routed/s (all reports, from the first submission until none is
 * left `reported`), CPU-ms per report (the local cloud's process and dynalite's, from /proc, over
 * the same span), DynamoDB reads and writes per routed report (requests dynalite served, all of
 * intake and routing included; a batch request counts once), the list request's p99 while the
 * burst is routed, and the checks: all accepted, none dead-lettered, none registered twice.
 * Asserts nothing.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { REPO_ROOT } from '../infra/local/paths';
import { type SpawnedCloud, spawnLocalCloud } from '../infra/local/spawn';
import { loadDistrict } from '../shared/district/load';
import type { DistrictConfig } from '../shared/district/schema';
import { pointInPolygon } from '../shared/domain/geo';
import { recordFigures } from './report';

const { values } = parseArgs({
  options: {
    reports: { type: 'string' },
    radius: { type: 'string' },
    pollers: { type: 'string' },
    clients: { type: 'string' },
    label: { type: 'string' },
    profile: { type: 'string' },
    record: { type: 'string' },
    runs: { type: 'string' },
  },
});
const REPORTS = Number(values.reports ?? 600);
const RADIUS = Number(values.radius ?? 400);
const POLLERS = (values.pollers ?? '2,16').split(',').map(Number);
const CLIENTS = Number(values.clients ?? 32);
const RUNS = Number(values.runs ?? 1);
const district = loadDistrict(join(REPO_ROOT, 'districts/sandun.json'));
const CENTRE = { lat: 30.2905, lng: 120.0851 };

const SEED = 0x5eed_1234;
let seed = SEED;
const random = () => {
  seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
  return seed / 2_147_483_648;
};
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;

const metresToLat = (m: number) => m / 111_195;
const metresToLng = (m: number) => m / (111_195 * Math.cos((CENTRE.lat * Math.PI) / 180));
const around = (point: { lat: number; lng: number }, metres: number) => {
  const r = metres * Math.sqrt(random());
  const a = random() * 2 * Math.PI;
  return {
    lat: Number((point.lat + metresToLat(r * Math.sin(a))).toFixed(6)),
    lng: Number((point.lng + metresToLng(r * Math.cos(a))).toFixed(6)),
  };
};

const anywhereIn = (config: DistrictConfig) => {
  const zone = pick(config.zones);
  const ring = zone.boundary.coordinates[0] ?? [];
  const lngs = ring.map((p) => p[0]);
  const lats = ring.map((p) => p[1]);
  for (;;) {
    const point = {
      lat: Math.min(...lats) + random() * (Math.max(...lats) - Math.min(...lats)),
      lng: Math.min(...lngs) + random() * (Math.max(...lngs) - Math.min(...lngs)),
    };
    if (pointInPolygon(point, zone.boundary)) return point;
  }
};

interface Report {
  source: string;
  category: string;
  description: string;
  location: { lat: number; lng: number; crs: 'wgs84' };
}

/** The burst: spread over the district, or a hotspot mix with about one true repeat in six. */
const burst = (radius: number): Report[] => {
  const categories = radius > 0 ? district.categories.slice(0, 8) : district.categories;
  const reports: Report[] = [];
  for (let i = 0; i < REPORTS; i++) {
    const earlier = reports[Math.floor(random() * reports.length)];
    if (radius > 0 && earlier && random() < 1 / 6) {
      reports.push({
        ...earlier,
        source: pick(['hotline', 'citizen', 'patrol']),
        description: `又有人反映：${earlier.description.slice(0, 30)}，情况还在`,
        location: { ...around(earlier.location, 10), crs: 'wgs84' },
      });
      continue;
    }
    const category = pick(categories);
    const place = radius > 0 ? around(CENTRE, radius) : anywhereIn(district);
    reports.push({
      source: pick(['hotline', 'citizen', 'patrol', 'camera']),
      category: category.code,
      description:
        `第${i + 1}号上报（${Math.floor(random() * 900 + 100)}号门前）：${category.name.zh}，${category.description}`.slice(
          0,
          300,
        ),
      location: { ...place, crs: 'wgs84' },
    });
  }
  return reports;
};

/** User + system CPU seconds of a process so far (Linux /proc, clock ticks of 10 ms). */
const cpuSeconds = (pid: number) => {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
};

const READS = new Set(['GetItem', 'BatchGetItem', 'Query', 'Scan']);
const WRITES = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem']);
const opsOf = (counts: Record<string, number>, kinds: Set<string>) =>
  Object.entries(counts).reduce((sum, [op, n]) => sum + (kinds.has(op) ? n : 0), 0);

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
const round = (value: number, digits = 1) => Number(value.toFixed(digits));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const runOnce = async (pollers: number, radius: number) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'xietong-burst-'));
  let cloud: SpawnedCloud | undefined;
  try {
    cloud = await spawnLocalCloud({
      dataDir,
      args: ['--pollers', String(pollers), '--log-level', 'ERROR'],
      ...(values.profile && { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${values.profile}`] }),
      // One file per run: `bench/dynamodb-replay.ts` replays it.
      ...(values.record && { env: { XIETONG_RECORD_DYNAMODB: `${values.record}.${pollers}.jsonl` } }),
    });
    const { url } = cloud.info;
    const tokens = (await (await fetch(`${url}/local/tokens`)).json()) as {
      users: { role: string; token: string }[];
    };
    const token = tokens.users.find((u) => u.role === 'command_centre')?.token ?? '';
    const headers = { authorization: `Bearer ${token}` };
    const stats = async () =>
      ((await (await fetch(`${url}/local/stats`)).json()) as { dynamodb: Record<string, number> }).dynamodb;
    const { pid: cloudPid, dynamodbPid } = cloud.info;
    const cloudCpu = () => cpuSeconds(cloudPid);
    const cpu = () => cloudCpu() + cpuSeconds(dynamodbPid);
    if (values.profile) {
      process.stdout.write(
        `CPU profiles in ${values.profile}: local cloud pid ${cloudPid}, dynalite pid ${dynamodbPid}\n`,
      );
    }

    // The same reports for every consumer count: the runs differ only in what they measure.
    seed = SEED;
    const reports = burst(radius);
    const before = { cpu: cpu(), cloudCpu: cloudCpu(), ops: await stats() };
    const started = performance.now();
    let done = false;
    // The cockpit keeps listing while the burst is routed.
    const listLatencies: number[] = [];
    const lister = (async () => {
      while (!done) {
        const begin = performance.now();
        const response = await fetch(`${url}/v1/cases?limit=50`, { headers });
        await response.text();
        listLatencies.push(performance.now() - begin);
        await sleep(100);
      }
    })();

    let next = 0;
    let accepted = 0;
    const refusals: string[] = [];
    await Promise.all(
      Array.from({ length: CLIENTS }, async () => {
        while (next < reports.length) {
          const i = next++;
          const response = await fetch(`${url}/v1/cases`, {
            method: 'POST',
            headers: { ...headers, 'content-type': 'application/json', 'idempotency-key': `burst-${i}` },
            body: JSON.stringify(reports[i]),
          });
          if (response.status === 202) accepted++;
          else refusals.push(`${response.status} ${(await response.text()).slice(0, 120)}`);
          await response.body?.cancel();
        }
      }),
    );
    const acceptedAt = performance.now();
    const deadline = Date.now() + 300_000;
    let routed = false;
    let polls = 0;
    while (Date.now() < deadline) {
      polls++;
      const page = (await (await fetch(`${url}/v1/cases?status=reported&limit=1`, { headers })).json()) as {
        items: unknown[];
      };
      if (page.items.length === 0) {
        routed = true;
        break;
      }
      await sleep(50);
    }
    const routedAt = performance.now();
    done = true;
    await lister;
    const after = { cpu: cpu(), cloudCpu: cloudCpu(), ops: await stats() };

    const sqs = new SQSClient({
      region: 'us-east-1',
      endpoint: cloud.info.sqsEndpoint,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: cloud.info.dlqUrl,
        AttributeNames: ['ApproximateNumberOfMessages'],
      }),
    );
    sqs.destroy();

    // Every case once: no report registered twice, every report in one case.
    const listAll = async (query: string) => {
      const items: { status: string; timeline: { action: string }[] }[] = [];
      let cursor: string | undefined;
      do {
        const reply = await fetch(
          `${url}/v1/cases?limit=100${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
          {
            headers,
          },
        );
        const page = (await reply.json()) as { items?: typeof items; cursor?: string };
        if (!page.items)
          throw new Error(`listing cases: ${reply.status} ${JSON.stringify(page).slice(0, 200)}`);
        items.push(...page.items);
        cursor = page.cursor;
      } while (cursor);
      return items;
    };
    const all = await listAll('');
    const cases = all.length;
    const registeredTwice = all.filter(
      (c) => c.timeline.filter((e) => e.action === 'registered').length > 1,
    ).length;
    const merged = (await listAll('&status=merged')).length;

    const ops: Record<string, number> = {};
    for (const [op, n] of Object.entries(after.ops)) ops[op] = n - (before.ops[op] ?? 0);
    // The stats calls themselves and the checks above read nothing from dynalite before `after`,
    // but the lister's list queries do: count them apart.
    const listQueries = listLatencies.length;
    listLatencies.sort((a, b) => a - b);
    const seconds = (routedAt - started) / 1000;
    return {
      pollers,
      radius,
      reports: reports.length,
      accepted,
      refused: refusals.length,
      allRouted: routed,
      deadLettered: Number(Attributes?.ApproximateNumberOfMessages ?? 0),
      registeredTwice,
      cases,
      merged,
      acceptSeconds: round((acceptedAt - started) / 1000, 2),
      routedSeconds: round(seconds, 2),
      routedPerSecond: round(accepted / seconds),
      cpuMsPerReport: round(((after.cpu - before.cpu) * 1000) / accepted),
      // The split shows which process a change relieved: the local cloud (API, consumers,
      // emulated SQS and S3) or dynalite.
      cloudCpuMsPerReport: round(((after.cloudCpu - before.cloudCpu) * 1000) / accepted),
      readsPerReport: round((opsOf(ops, READS) - listQueries - polls) / accepted, 2),
      writesPerReport: round(opsOf(ops, WRITES) / accepted, 2),
      listP99Ms: round(percentile(listLatencies, 99)),
      listP50Ms: round(percentile(listLatencies, 50)),
      operations: ops,
      refusals: refusals.slice(0, 3),
    };
  } finally {
    await cloud?.kill('SIGTERM');
    rmSync(dataDir, { recursive: true, force: true });
  }
};

const label = (radius: number) =>
  radius > 0 ? `hotspot ${REPORTS} within ${radius} m` : `spread ${REPORTS}`;
type RunResult = Awaited<ReturnType<typeof runOnce>>;
const runs = new Map<number, RunResult[]>(POLLERS.map((pollers) => [pollers, []]));
for (let run = 1; run <= RUNS; run++) {
  for (const pollers of POLLERS) {
    process.stdout.write(
      `\n${label(RADIUS)}, ${pollers} consumers${RUNS > 1 ? `, run ${run} of ${RUNS}` : ''}…\n`,
    );
    const result = await runOnce(pollers, RADIUS);
    runs.get(pollers)?.push(result);
    process.stdout.write(`${JSON.stringify(result)}\n`);
  }
}
const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
};
/** Each figure's median over the runs; the checks' worst run; the counts of the first. */
const summary = (all: RunResult[]): RunResult => {
  const [first] = all as [RunResult, ...RunResult[]];
  const mid = (pick: (r: RunResult) => number, digits = 1) => round(median(all.map(pick)), digits);
  const worst = (pick: (r: RunResult) => number) => Math.max(...all.map(pick));
  return {
    ...first,
    accepted: Math.min(...all.map((r) => r.accepted)),
    refused: worst((r) => r.refused),
    allRouted: all.every((r) => r.allRouted),
    deadLettered: worst((r) => r.deadLettered),
    registeredTwice: worst((r) => r.registeredTwice),
    merged: mid((r) => r.merged, 0),
    routedPerSecond: mid((r) => r.routedPerSecond),
    cpuMsPerReport: mid((r) => r.cpuMsPerReport),
    cloudCpuMsPerReport: mid((r) => r.cloudCpuMsPerReport),
    readsPerReport: mid((r) => r.readsPerReport, 2),
    writesPerReport: mid((r) => r.writesPerReport, 2),
    listP99Ms: mid((r) => r.listP99Ms),
    listP50Ms: mid((r) => r.listP50Ms),
  };
};
const results = POLLERS.map((pollers) => summary(runs.get(pollers) ?? []));
/**
 * The consumer counts compared run by run: each round runs them back to back, so a pair shares the
 * machine's spell, and the median of the pairs' ratios is steadier than a ratio of two medians.
 */
const pairedRatios = (() => {
  const first = POLLERS[0];
  const last = POLLERS[POLLERS.length - 1];
  if (first === undefined || last === undefined || first === last) return undefined;
  const slow = runs.get(first) ?? [];
  const fast = runs.get(last) ?? [];
  const ratios = fast.map((run, i) =>
    round(run.routedPerSecond / (slow[i]?.routedPerSecond ?? Number.NaN), 2),
  );
  return { first, last, ratios, median: round(median(ratios), 2) };
})();
const runsNote = RUNS > 1 ? `, median of ${RUNS} runs` : '';
const name = values.label ?? (RADIUS > 0 ? 'hotspot' : 'spread');
recordFigures(
  `burst: ${label(RADIUS)}`,
  results
    .flatMap((r) => [
      {
        name: `routed/s, ${r.pollers} consumers`,
        value: r.routedPerSecond,
        unit: 'reports/s',
        note: `${r.accepted} accepted, ${r.merged} merged, all routed: ${r.allRouted}${runsNote}`,
      },
      {
        name: `CPU per report, ${r.pollers} consumers`,
        value: r.cpuMsPerReport,
        unit: 'ms',
        note: `local cloud ${r.cloudCpuMsPerReport} + dynalite ${round(r.cpuMsPerReport - r.cloudCpuMsPerReport)}${runsNote}`,
      },
      {
        name: `DynamoDB reads per report, ${r.pollers} consumers`,
        value: r.readsPerReport,
        unit: 'requests',
        note: 'intake + routing; the bench’s own list and poll queries left out',
      },
      {
        name: `DynamoDB writes per report, ${r.pollers} consumers`,
        value: r.writesPerReport,
        unit: 'requests',
        note: 'intake + routing + aggregates',
      },
      {
        name: `list p99 during the burst, ${r.pollers} consumers`,
        value: r.listP99Ms,
        unit: 'ms',
        note: `p50 ${r.listP50Ms} ms${runsNote}`,
      },
      {
        name: `refused / dead-lettered / registered twice, ${r.pollers} consumers`,
        value: r.refused + r.deadLettered + r.registeredTwice,
        unit: 'reports',
        note: `${r.refused} / ${r.deadLettered} / ${r.registeredTwice}${RUNS > 1 ? `, the worst of ${RUNS} runs` : ''}`,
      },
    ])
    .concat(
      pairedRatios
        ? [
            {
              name: `routed/s, ${pairedRatios.last} ÷ ${pairedRatios.first} consumers`,
              value: pairedRatios.median,
              unit: 'x',
              note: `run by run: ${pairedRatios.ratios.join(', ')}${RUNS > 1 ? '; the median' : ''}`,
            },
          ]
        : [],
    ),
);
process.stdout.write(
  `\n${name}: ${results.map((r) => `${r.pollers} consumers ${r.routedPerSecond}/s`).join(', ')}${pairedRatios ? `; ${pairedRatios.last} ÷ ${pairedRatios.first} run by run ${pairedRatios.ratios.join(', ')}` : ''}\n`,
);
