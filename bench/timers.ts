/**
 * `npm run bench:timers -- [--cases N] [--spread S] [--lead L]`: N cases with live deadline timers
 * on the local cloud. Seeds N dispatched cases straight into its table, due over S seconds from L
 * seconds ahead (default 120: the seeding and the restart must fit in it), restarts the cloud (which
 * re-arms a timer per case from the due index), then reports the
 * re-arm time, the memory of the local runtime with N live timers, and the firing lag (fire time −
 * due time) p50/p99. Prints figures, asserts nothing.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import { REPO_ROOT } from '../infra/local/paths';
import { type SpawnedCloud, spawnLocalCloud } from '../infra/local/spawn';
import { DynamoCaseStore } from '../shared/adapters/aws/dynamodb-case-store';
import { loadDistrict } from '../shared/district/load';
import { SYSTEM_ROUTER } from '../shared/domain/case';
import { indexDistrict } from '../shared/domain/district-index';
import { newReportedCase } from '../shared/domain/report';
import { routeReport } from '../shared/domain/routing';
import { registerReport, runCommand } from '../shared/domain/workflow';
import { recordFigures } from './report';

const { values } = parseArgs({
  options: { cases: { type: 'string' }, spread: { type: 'string' }, lead: { type: 'string' } },
});
const CASES = Number(values.cases ?? 10_000);
const SPREAD_S = Number(values.spread ?? 60);
/** Seconds from the start to the first due time: seeding and the restart must fit in it. */
const LEAD_S = Number(values.lead ?? 120);
const CATEGORY = 'event.household-workshop';

const district = indexDistrict(loadDistrict(join(REPO_ROOT, 'districts/sandun.json')));
const category = district.category(CATEGORY)!;
const zone = district.config.zones[0]!;
const ring = zone.boundary.coordinates[0]!.slice(0, -1);
const location = {
  lat: ring.reduce((s, p) => s + p[1], 0) / ring.length,
  lng: ring.reduce((s, p) => s + p[0], 0) / ring.length,
  crs: 'wgs84' as const,
};
const centre = {
  subject: 'bench',
  role: 'command_centre' as const,
  department: district.config.commandCentre,
};

interface Stats {
  live: number;
  started: number;
  fired: number;
  lagMs: { p50: number | null; p99: number | null; max: number | null };
  memory: NodeJS.MemoryUsage;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

const main = async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'xietong-bench-timers-'));
  let cloud: SpawnedCloud | undefined;
  try {
    cloud = await spawnLocalCloud({ dataDir });
    const dynamodb = new DynamoDBClient({
      region: 'us-east-1',
      endpoint: cloud.info.dynamodbEndpoint,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const store = new DynamoCaseStore({
      client: DynamoDBDocumentClient.from(dynamodb, { marshallOptions: { removeUndefinedValues: true } }),
      tableName: cloud.info.tableName,
    });
    const idle = (await (await fetch(`${cloud.info.deadlines.sfnEndpoint}/local/stats`)).json()) as Stats;

    // Due times from LEAD_S on (after the restart) over SPREAD_S seconds: the accept deadline is
    // acceptMinutes after dispatch, so dispatch that much earlier.
    const firstDue = Date.now() + LEAD_S * 1000;
    const seedStart = Date.now();
    let next = 0;
    const seedOne = async (i: number) => {
      const due = firstDue + Math.floor((i * SPREAD_S * 1000) / CASES);
      const dispatchedAt = new Date(due - category.deadlines.acceptMinutes * 60_000).toISOString();
      const reported = newReportedCase(
        { source: 'patrol', category: CATEGORY, description: `bench ${i}`, location },
        { id: `C${ulid()}`, district, actor: centre, now: dispatchedAt },
      );
      const routed = registerReport(reported, routeReport(district, { category: CATEGORY, location }), {
        actor: SYSTEM_ROUTER,
        now: dispatchedAt,
      });
      const dispatched = runCommand(
        routed,
        { command: 'dispatch' },
        { district, actor: centre, now: dispatchedAt },
      );
      await store.create(dispatched, { requestHash: 'bench' });
    };
    await Promise.all(
      Array.from({ length: 50 }, async () => {
        while (next < CASES) await seedOne(next++);
      }),
    );
    const seedMs = Date.now() - seedStart;
    dynamodb.destroy();

    await cloud.kill('SIGTERM');
    const restartAt = Date.now();
    cloud = await spawnLocalCloud({ dataDir, timeoutMs: 180_000 });
    const restartMs = Date.now() - restartAt;
    const stats = async () =>
      (await (await fetch(`${cloud!.info.deadlines.sfnEndpoint}/local/stats`)).json()) as Stats;
    const armed = await stats();
    const lastDue = firstDue + SPREAD_S * 1000;
    while (Date.now() < lastDue + 5_000) await sleep(1_000);
    let fired = await stats();
    for (let i = 0; i < 30 && fired.fired < CASES; i++) {
      await sleep(1_000);
      fired = await stats();
    }
    const figures = {
      cases: CASES,
      seedMs,
      restartWithRearmMs: restartMs,
      liveTimersAfterRestart: armed.live,
      armedBeforeFirstDue: restartAt + restartMs < firstDue,
      memoryIdle: { rss: mb(idle.memory.rss), heapUsed: mb(idle.memory.heapUsed) },
      memoryWithLiveTimers: { rss: mb(armed.memory.rss), heapUsed: mb(armed.memory.heapUsed) },
      fired: fired.fired,
      lagMs: fired.lagMs,
      liveAfterFiring: fired.live,
    };
    recordFigures('timers', [
      {
        name: 'live timers re-armed after restart',
        value: armed.live,
        unit: 'timers',
        note: `${CASES} cases`,
      },
      { name: 'restart with re-arm', value: restartMs, unit: 'ms' },
      { name: 'fired', value: fired.fired, unit: 'timers' },
      { name: 'firing lag p50', value: fired.lagMs.p50 ?? -1, unit: 'ms' },
      { name: 'firing lag p99', value: fired.lagMs.p99 ?? -1, unit: 'ms' },
      { name: 'RSS with live timers', value: Math.round(armed.memory.rss / 1024 / 1024), unit: 'MB' },
    ]);
    process.stdout.write(`${JSON.stringify({ timers: figures }, null, 2)}\n`);
  } finally {
    await cloud?.kill('SIGTERM');
    rmSync(dataDir, { recursive: true, force: true });
  }
};

await main();
