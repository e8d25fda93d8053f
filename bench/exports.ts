/**
 * `npx tsx bench/exports.ts [--cases N] [--small N] [--large-format csv|xlsx]` (in `npm run bench`): exports as jobs on
 * the local cloud (its own process, dynalite in another), end to end through the HTTP API.
 *
 * N cases (default 100,000) are written straight into the local cloud's dynalite in bulk, `small`
 * of them (default 5,000) dispatched and the rest registered. Then, as the cockpit does it:
 * POST /v1/exports, poll GET /v1/exports/{id} every 200 ms until the job is done, follow the link.
 * 1. the `small` dispatched cases (status filter) as CSV and as XLSX: ready in ≤ 10 s is the goal;
 * 2. all N cases (no filter) as one job, XLSX by default.
 * The file's rows are counted (CSV) and its size recorded. Prints figures, asserts the row counts.
 *
 * The seed writes a month of cases in minutes, which no district does: their changes are a backlog
 * for the evaluation aggregator that a district's never has (it takes each change within seconds).
 * Its event source is turned off for the seed and the exports (POST /local/case-changes), so they
 * are not timed against it on the same two cores; then it is turned on and its catch-up measured
 * for `--catch-up` seconds (default 60), or until the backlog is gone (`--catch-up all`).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { REPO_ROOT } from '../infra/local/paths';
import { type SpawnedCloud, spawnLocalCloud } from '../infra/local/spawn';
import { toItem } from '../shared/adapters/aws/case-item';
import { DynamoExportJobStore } from '../shared/adapters/aws/dynamodb-export-job-store';
import { loadDistrict } from '../shared/district/load';
import { type Actor, type Case, SYSTEM_ROUTER } from '../shared/domain/case';
import { indexDistrict } from '../shared/domain/district-index';
import { newReportedCase } from '../shared/domain/report';
import { routeReport } from '../shared/domain/routing';
import { registerReport, runCommand } from '../shared/domain/workflow';
import { putAll, randomPointIn } from './bench-table';
import { type Figure, recordFigures } from './report';

const { values } = parseArgs({
  options: {
    cases: { type: 'string' },
    small: { type: 'string' },
    'large-format': { type: 'string' },
    'catch-up': { type: 'string' },
  },
  strict: true,
});
const CASES = Number(values.cases ?? 100_000);
const SMALL = Math.min(CASES, Number(values.small ?? 5_000));
const LARGE_FORMAT = values['large-format'] === 'csv' ? 'csv' : 'xlsx';
/** Seconds the aggregator's catch-up is watched after the exports; undefined: until it is done. */
const CATCH_UP_SECONDS = values['catch-up'] === 'all' ? undefined : Number(values['catch-up'] ?? 60);
/** The issue's goal for a 5,000-row export, from the click to the file ready. */
const SMALL_GOAL_SECONDS = 10;

const district = indexDistrict(loadDistrict(join(REPO_ROOT, 'districts/sandun.json')));
const categories = district.config.categories.map((c) => c.code);
const CENTRE: Actor = { subject: 'bench', role: 'command_centre', department: 'command-centre' };
const START = Date.parse('2026-10-31T16:00:00.000Z');

/** A registered case with a reporter who left a name and a phone number; the first `SMALL` dispatched. */
const caseNumber = (n: number): Case => {
  const at = (minutes: number) => new Date(START + n * 20_000 + minutes * 60_000).toISOString();
  let c = newReportedCase(
    {
      source: 'hotline',
      category: categories[n % categories.length],
      description: `导出压测 ${n}：回电13812341234`,
      location: { ...randomPointIn(district.config), crs: 'wgs84', address: `振华路 ${n % 300} 号` },
      reporter: { name: '王秀英', phone: '13812341234' },
    },
    { id: `C${String(n).padStart(25, '0')}`, district, actor: CENTRE, now: at(0) },
  );
  c = registerReport(c, routeReport(district, c), { actor: SYSTEM_ROUTER, now: at(1) });
  if (n < SMALL && !c.triage)
    c = runCommand(c, { command: 'dispatch' }, { district, actor: CENTRE, now: at(2) });
  return c;
};

const seed = async (documents: DynamoDBDocumentClient, tableName: string): Promise<number> => {
  let dispatched = 0;
  for (let from = 0; from < CASES; from += 5_000) {
    const items = Array.from({ length: Math.min(5_000, CASES - from) }, (_, i) => {
      const c = caseNumber(from + i);
      if (c.status === 'dispatched') dispatched++;
      return toItem(c);
    });
    await putAll(documents, tableName, items);
  }
  return dispatched;
};

interface JobReply {
  id: string;
  status: string;
  rows: number;
  progress: number;
  size?: number;
  failure?: { reason: string };
  download?: { url: string };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const main = async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'xietong-bench-exports-'));
  let cloud: SpawnedCloud | undefined;
  let client: DynamoDBClient | undefined;
  const figures: Figure[] = [];
  const lines: string[] = [];
  try {
    cloud = await spawnLocalCloud({ dataDir, timeoutMs: 120_000 });
    const base = cloud.info.url;
    client = new DynamoDBClient({
      endpoint: cloud.info.dynamodbEndpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const documents = DynamoDBDocumentClient.from(client, {
      marshallOptions: { removeUndefinedValues: true },
    });
    const jobs = new DynamoExportJobStore({ client: documents, tableName: cloud.info.tableName });
    const tokens = (await (await fetch(`${base}/local/tokens`)).json()) as {
      users: { role: string; token: string }[];
    };
    const centre = tokens.users.find((u) => u.role === 'command_centre');
    if (!centre) throw new Error('no command-centre demo user');
    const headers = { authorization: `Bearer ${centre.token}`, 'content-type': 'application/json' };

    /** The evaluation aggregator's event source on or off (answered once no batch is in flight). */
    const aggregator = async (enabled: boolean) => {
      const reply = await fetch(`${base}/local/case-changes`, {
        method: 'POST',
        body: JSON.stringify({ enabled }),
      });
      if (!reply.ok) throw new Error(`POST /local/case-changes: ${reply.status} ${await reply.text()}`);
    };
    const pendingChanges = async () =>
      ((await (await fetch(`${base}/local/stats`)).json()) as { changes?: { pending: number } }).changes
        ?.pending ?? 0;

    await aggregator(false);
    const seeded = performance.now();
    const dispatched = await seed(documents, cloud.info.tableName);
    const seedSeconds = (performance.now() - seeded) / 1000;
    const backlog = await pendingChanges();
    lines.push(
      `seeded ${CASES.toLocaleString('en')} cases (${dispatched.toLocaleString('en')} dispatched) into dynalite in ${seedSeconds.toFixed(1)} s; the evaluation aggregator is off for the exports (${backlog.toLocaleString('en')} case changes wait in the stream)`,
    );

    /** POST, poll every 200 ms until done, then fetch the file: the cockpit's way, timed. */
    const runJob = async (body: Record<string, unknown>, expectedRows: number) => {
      const started = performance.now();
      const posted = await fetch(`${base}/v1/exports`, {
        method: 'POST',
        headers,
        body: JSON.stringify(body),
      });
      if (posted.status !== 202) throw new Error(`POST /v1/exports: ${posted.status} ${await posted.text()}`);
      const acceptedMs = performance.now() - started;
      let job = (await posted.json()) as JobReply;
      let firstProgressMs: number | undefined;
      while (job.status !== 'done') {
        if (job.status === 'failed') throw new Error(`export job failed: ${job.failure?.reason}`);
        if (performance.now() - started > 15 * 60_000)
          throw new Error(`export job stuck at ${job.rows} rows`);
        await sleep(200);
        const reply = await fetch(`${base}/v1/exports/${job.id}`, { headers });
        job = (await reply.json()) as JobReply;
        if (firstProgressMs === undefined && job.rows > 0) firstProgressMs = performance.now() - started;
      }
      const readyMs = performance.now() - started;
      if (!job.download) throw new Error('a done job without a link');
      const file = Buffer.from(await (await fetch(job.download.url)).arrayBuffer());
      const downloadedMs = performance.now() - started;
      if (job.rows !== expectedRows)
        throw new Error(`expected ${expectedRows} rows, the job has ${job.rows}`);
      if (body.format === 'csv') {
        const fileRows = file.toString('utf8').trim().split('\r\n').length - 1;
        if (fileRows !== expectedRows) throw new Error(`the CSV has ${fileRows} rows, not ${expectedRows}`);
      }
      const stored = await jobs.get(job.id);
      return {
        acceptedMs,
        firstProgressMs,
        readyMs,
        downloadedMs,
        rows: job.rows,
        mb: file.length / 1e6,
        chunks: stored?.chunks?.length ?? 0,
      };
    };

    for (const format of ['csv', 'xlsx'] as const) {
      const small = await runJob({ kind: 'cases', format, filters: { status: 'dispatched' } }, dispatched);
      const ok = small.readyMs / 1000 <= SMALL_GOAL_SECONDS;
      lines.push(
        `${format.toUpperCase()} export of ${small.rows.toLocaleString('en')} rows: accepted in ${small.acceptedMs.toFixed(0)} ms, ready in ${(small.readyMs / 1000).toFixed(2)} s (goal ≤ ${SMALL_GOAL_SECONDS} s: ${ok ? 'met' : 'MISSED'}), downloaded at ${(small.downloadedMs / 1000).toFixed(2)} s, ${small.mb.toFixed(2)} MB`,
      );
      figures.push({
        name: `${small.rows.toLocaleString('en')}-row ${format.toUpperCase()} export job, POST to file ready`,
        value: Number((small.readyMs / 1000).toFixed(2)),
        unit: 's',
        note: `goal ≤ ${SMALL_GOAL_SECONDS} s; 202 in ${small.acceptedMs.toFixed(0)} ms; ${small.mb.toFixed(2)} MB`,
      });
    }

    const large = await runJob({ kind: 'cases', format: LARGE_FORMAT }, CASES);
    const rate = large.rows / (large.readyMs / 1000);
    lines.push(
      `${LARGE_FORMAT.toUpperCase()} export of ${large.rows.toLocaleString('en')} rows as a job: ready in ${(large.readyMs / 1000).toFixed(1)} s (${rate.toFixed(0)} rows/s, ${large.chunks} chunks), first progress at ${((large.firstProgressMs ?? 0) / 1000).toFixed(1)} s, ${large.mb.toFixed(1)} MB`,
    );
    figures.push(
      {
        name: `${large.rows.toLocaleString('en')}-row ${LARGE_FORMAT.toUpperCase()} export job, POST to file ready`,
        value: Number((large.readyMs / 1000).toFixed(1)),
        unit: 's',
        note: `finished as a job: ${large.chunks} chunks of ≤ 2,500 rows; ${large.mb.toFixed(1)} MB`,
      },
      {
        name: `${large.rows.toLocaleString('en')}-row export job throughput`,
        value: Number(rate.toFixed(0)),
        unit: 'rows/s',
        note: 'reading the case list pages, masking, composing, on the local dynalite',
      },
    );
    // The aggregator on again: how fast it takes the seed's backlog (it would keep pace with a
    // district's changes as they come).
    await aggregator(true);
    const caughtUpFrom = performance.now();
    let left = backlog;
    while (
      left > 0 &&
      (CATCH_UP_SECONDS === undefined || performance.now() - caughtUpFrom < CATCH_UP_SECONDS * 1000)
    ) {
      await sleep(1_000);
      left = await pendingChanges();
    }
    const watchedSeconds = (performance.now() - caughtUpFrom) / 1000;
    const catchUpRate = (backlog - left) / watchedSeconds;
    lines.push(
      `the evaluation aggregator, on again, took ${(backlog - left).toLocaleString('en')} of the ${backlog.toLocaleString('en')} seeded case changes in ${watchedSeconds.toFixed(1)} s: ${catchUpRate.toFixed(0)} changes/s${left > 0 ? ` (all of them would take about ${(backlog / catchUpRate / 60).toFixed(1)} min)` : ''}`,
    );
    figures.push({
      name: 'evaluation aggregator catching up on the seed’s backlog',
      value: Number(catchUpRate.toFixed(0)),
      unit: 'changes/s',
      note: `${(backlog - left).toLocaleString('en')} of ${backlog.toLocaleString('en')} in ${watchedSeconds.toFixed(0)} s, after the exports (it was off for them)`,
    });
    process.stdout.write(`${lines.join('\n')}\n`);
    recordFigures('exports', figures);
  } finally {
    client?.destroy();
    await cloud?.kill('SIGTERM');
    rmSync(dataDir, { recursive: true, force: true });
  }
};

await main();
