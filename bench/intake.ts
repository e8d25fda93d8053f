/**
 * `npm run bench -- [--reports N] [--concurrency C]`: how fast the local cloud accepts and routes a
 * burst of reports, against how fast its DynamoDB (dynalite) takes plain PutItems. Prints figures,
 * asserts nothing. Starts its own local cloud on a temporary data folder and removes it afterwards.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { REPO_ROOT } from '../infra/local/paths';
import { type SpawnedCloud, spawnLocalCloud } from '../infra/local/spawn';
import { loadDistrict } from '../shared/district/load';
import type { DistrictConfig } from '../shared/district/schema';
import { pointInPolygon } from '../shared/domain/geo';
import { recordFigures } from './report';

const USAGE =
  'Usage: npm run bench -- [--reports N (default 5000)] [--concurrency C (default 50)] [--warmup W] [--pollers P] [--district FILE] [--profile DIR]';

const positiveInt = (name: string, text: string | undefined, fallback: number) => {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < 1) {
    process.stderr.write(`--${name} must be a positive integer, not "${text}"\n${USAGE}\n`);
    process.exit(2);
  }
  return value;
};

const parseCli = () => {
  try {
    const { values } = parseArgs({
      options: {
        reports: { type: 'string' },
        concurrency: { type: 'string' },
        warmup: { type: 'string' },
        pollers: { type: 'string' },
        district: { type: 'string' },
        profile: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    });
    if (values.help) {
      process.stdout.write(`${USAGE}\n`);
      process.exit(0);
    }
    const reports = positiveInt('reports', values.reports, 5000);
    const warmup =
      values.warmup === '0'
        ? 0
        : positiveInt('warmup', values.warmup, Math.min(200, Math.ceil(reports / 10)));
    return {
      reports,
      warmup,
      pollers: positiveInt('pollers', values.pollers, 2),
      concurrency: positiveInt('concurrency', values.concurrency, 50),
      districtFile: values.district ?? join(REPO_ROOT, 'districts/sandun.json'),
      profileDir: values.profile,
    };
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
    process.exit(2);
  }
};

/** Deterministic pseudo-random numbers, so two runs submit the same reports. */
const random = (() => {
  let seed = 0x2f6b_1d3a;
  return () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return seed / 2_147_483_648;
  };
})();
const pick = <T>(items: readonly T[]): T => {
  const item = items[Math.floor(random() * items.length)];
  if (item === undefined) throw new Error('cannot pick from an empty list');
  return item;
};

const pointIn = (district: DistrictConfig) => {
  const zone = pick(district.zones);
  const ring = zone.boundary.coordinates[0] ?? [];
  const lngs = ring.map((p) => p[0]);
  const lats = ring.map((p) => p[1]);
  const [minLng, maxLng, minLat, maxLat] = [
    Math.min(...lngs),
    Math.max(...lngs),
    Math.min(...lats),
    Math.max(...lats),
  ];
  for (;;) {
    const point = {
      lat: Number((minLat + random() * (maxLat - minLat)).toFixed(6)),
      lng: Number((minLng + random() * (maxLng - minLng)).toFixed(6)),
    };
    if (pointInPolygon(point, zone.boundary)) return point;
  }
};

const SOURCES = ['patrol', 'hotline', 'citizen', 'camera'] as const;

const reportFor = (district: DistrictConfig, index: number) => {
  const category = pick(district.categories);
  return {
    source: pick(SOURCES),
    category: category.code,
    description: `压力测试第${index + 1}号上报：${category.name.zh}，${category.description}`.slice(0, 500),
    location: { ...pointIn(district), crs: 'wgs84' as const },
  };
};

const percentile = (sorted: number[], p: number) =>
  sorted.length === 0
    ? 0
    : (sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0);

const round = (value: number, digits = 1) => Number(value.toFixed(digits));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `task(i)` for i in [0, n) with at most `concurrency` in flight. */
const runPool = async (n: number, concurrency: number, task: (index: number) => Promise<void>) => {
  let next = 0;
  const worker = async () => {
    while (next < n) await task(next++);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, n) }, worker));
};

interface IntakeFigures {
  acceptedPerSecond: number;
  accepted: number;
  failed: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  intakeSeconds: number;
}

type Report = ReturnType<typeof reportFor>;

const submitReports = async (
  url: string,
  token: string,
  reports: Report[],
  label: string,
  concurrency: number,
): Promise<IntakeFigures> => {
  const n = reports.length;
  const latencies: number[] = [];
  const failures = new Map<string, number>();
  const started = performance.now();
  await runPool(n, concurrency, async (i) => {
    const begin = performance.now();
    let outcome: string;
    try {
      const response = await fetch(`${url}/v1/cases`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          'idempotency-key': `bench-${label}-${i}`,
        },
        body: JSON.stringify(reports[i]),
      });
      const text = await response.text();
      outcome = response.status === 202 ? 'ok' : `${response.status} ${text.slice(0, 200)}`;
    } catch (error) {
      outcome = `network: ${(error as Error).message}`;
    }
    if (outcome === 'ok') latencies.push(performance.now() - begin);
    else failures.set(outcome, (failures.get(outcome) ?? 0) + 1);
  });
  const intakeSeconds = (performance.now() - started) / 1000;
  for (const [outcome, count] of failures) process.stderr.write(`  ${count} × ${outcome}\n`);
  latencies.sort((a, b) => a - b);
  return {
    acceptedPerSecond: latencies.length / intakeSeconds,
    accepted: latencies.length,
    failed: n - latencies.length,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    maxMs: latencies.at(-1) ?? 0,
    intakeSeconds,
  };
};

/** Polls the list of unrouted cases until it is empty. */
const waitUntilRouted = async (url: string, token: string, timeoutMs: number) => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const response = await fetch(`${url}/v1/cases?status=reported&limit=1`, {
      headers: { authorization: `Bearer ${token}` },
    });
    if (response.status !== 200)
      throw new Error(`listing unrouted cases: ${response.status} ${await response.text()}`);
    const page = (await response.json()) as { items: unknown[] };
    if (page.items.length === 0) return true;
    if (Date.now() > deadline) return false;
    await sleep(100);
  }
};

const dlqDepth = async (cloud: SpawnedCloud) => {
  const sqs = new SQSClient({
    region: 'us-east-1',
    endpoint: cloud.info.sqsEndpoint,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  try {
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: cloud.info.dlqUrl,
        AttributeNames: ['ApproximateNumberOfMessages'],
      }),
    );
    return Number(Attributes?.ApproximateNumberOfMessages ?? 0);
  } finally {
    sqs.destroy();
  }
};

/** Plain PutItems of about a case's size into the same table, `concurrency` in flight. */
const rawPuts = async (
  dynamodb: DynamoDBClient,
  tableName: string,
  n: number,
  label: string,
  concurrency: number,
) => {
  const payload = '协同'.repeat(300);
  let failed = 0;
  const started = performance.now();
  await runPool(n, concurrency, async (i) => {
    try {
      await dynamodb.send(
        new PutItemCommand({
          TableName: tableName,
          Item: {
            pk: { S: `BENCH#${label}#${i}` },
            sk: { S: 'BENCH' },
            payload: { S: payload },
            n: { N: String(i) },
          },
        }),
      );
    } catch {
      failed++;
    }
  });
  const seconds = (performance.now() - started) / 1000;
  return { putsPerSecond: (n - failed) / seconds, failed, seconds };
};

const main = async () => {
  const options = parseCli();
  const district = loadDistrict(options.districtFile);
  const dataDir = mkdtempSync(join(tmpdir(), 'xietong-bench-'));
  let cloud: SpawnedCloud | undefined;
  const cleanup = async () => {
    await cloud?.kill('SIGTERM');
    rmSync(dataDir, { recursive: true, force: true });
  };
  process.once('SIGINT', () => void cleanup().then(() => process.exit(130)));

  try {
    process.stdout.write(`starting the local cloud on ${dataDir}…\n`);
    cloud = await spawnLocalCloud({
      dataDir,
      args: ['--district', options.districtFile, '--pollers', String(options.pollers)],
      ...(options.profileDir && { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${options.profileDir}`] }),
    });
    const { url } = cloud.info;
    const tokens = (await (await fetch(`${url}/local/tokens`)).json()) as {
      users: { role: string; token: string }[];
    };
    const token = tokens.users.find((user) => user.role === 'command_centre')?.token;
    if (!token) throw new Error('the local cloud offers no command_centre token');

    const routingTimeoutMs = Math.max(60_000, options.reports * 50);
    if (options.warmup > 0) {
      process.stdout.write(`warming up with ${options.warmup} reports…\n`);
      const warmupReports = Array.from({ length: options.warmup }, (_, i) => reportFor(district, i));
      await submitReports(url, token, warmupReports, 'warmup', options.concurrency);
      await waitUntilRouted(url, token, routingTimeoutMs);
    }
    const reports = Array.from({ length: options.reports }, (_, i) => reportFor(district, i));
    process.stdout.write(`submitting ${options.reports} reports from ${options.concurrency} clients…\n`);
    const runStarted = performance.now();
    const intake = await submitReports(url, token, reports, 'run', options.concurrency);
    const intakeDone = performance.now();
    const routedInTime = await waitUntilRouted(url, token, routingTimeoutMs);
    const routedAt = performance.now();
    const deadLettered = await dlqDepth(cloud);

    process.stdout.write(`measuring raw PutItem with ${options.concurrency} in flight…\n`);
    const dynamodb = new DynamoDBClient({
      region: 'us-east-1',
      endpoint: cloud.info.dynamodbEndpoint,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      requestHandler: { httpAgent: { keepAlive: true, maxSockets: options.concurrency } },
    });
    const { tableName } = cloud.info;
    await rawPuts(dynamodb, tableName, options.warmup, 'warmup', options.concurrency);
    const raw = await rawPuts(dynamodb, tableName, options.reports, 'run', options.concurrency);
    dynamodb.destroy();

    const figures = {
      bench: 'intake',
      reports: options.reports,
      concurrency: options.concurrency,
      warmup: options.warmup,
      pollers: options.pollers,
      accepted: intake.accepted,
      failed: intake.failed,
      acceptedPerSecond: round(intake.acceptedPerSecond),
      acceptLatencyMs: { p50: round(intake.p50Ms), p99: round(intake.p99Ms), max: round(intake.maxMs) },
      allRouted: routedInTime,
      routedAfterSeconds: round((routedAt - runStarted) / 1000, 2),
      routedAfterLastAcceptSeconds: round((routedAt - intakeDone) / 1000, 2),
      deadLettered,
      rawPutItemPerSecond: round(raw.putsPerSecond),
      rawPutItemFailed: raw.failed,
      intakeToRawRatio: round(intake.acceptedPerSecond / raw.putsPerSecond, 3),
      node: process.version,
    };
    recordFigures('intake', [
      {
        name: 'reports accepted',
        value: figures.acceptedPerSecond,
        unit: 'reports/s',
        note: `${options.reports} reports, ${options.concurrency} clients`,
      },
      { name: 'accept latency p50', value: figures.acceptLatencyMs.p50, unit: 'ms' },
      { name: 'accept latency p99', value: figures.acceptLatencyMs.p99, unit: 'ms' },
      { name: 'all routed after', value: figures.routedAfterSeconds, unit: 's' },
      {
        name: 'raw PutItem',
        value: figures.rawPutItemPerSecond,
        unit: 'puts/s',
        note: 'dynalite, same concurrency',
      },
      { name: 'intake / raw PutItem', value: figures.intakeToRawRatio, unit: 'x' },
    ]);
    process.stdout.write(
      [
        '',
        `reports accepted      ${intake.accepted}/${options.reports} in ${round(intake.intakeSeconds, 2)} s → ${figures.acceptedPerSecond} reports/s`,
        `accept latency        p50 ${figures.acceptLatencyMs.p50} ms · p99 ${figures.acceptLatencyMs.p99} ms · max ${figures.acceptLatencyMs.max} ms`,
        `all routed            ${routedInTime ? '' : 'NOT '}after ${figures.routedAfterSeconds} s (${figures.routedAfterLastAcceptSeconds} s after the last accept)`,
        `dead-lettered         ${deadLettered}`,
        `raw PutItem           ${figures.rawPutItemPerSecond} puts/s (${options.concurrency} in flight)`,
        `intake / raw          ${figures.intakeToRawRatio}`,
        '',
        JSON.stringify(figures),
        '',
      ].join('\n'),
    );
  } finally {
    await cleanup();
  }
};

await main();
