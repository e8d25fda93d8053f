import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeExecutionCommand, SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { REPO_ROOT } from '../../../infra/local/paths';
import { type SpawnedCloud, spawnLocalCloud } from '../../../infra/local/spawn';
import { DynamoCaseStore } from '../../../shared/adapters/aws/dynamodb-case-store';
import { DynamoEvaluationAggregates } from '../../../shared/adapters/aws/dynamodb-evaluation-aggregates';
import { loadDistrict } from '../../../shared/district/load';
import { auditCase } from '../../../shared/domain/audit';
import type { Case, CaseStatus } from '../../../shared/domain/case';
import { timerKeyOf, timerName } from '../../../shared/domain/escalation';
import {
  aggregatedContribution,
  type BucketKind,
  bucketKeyString,
  parseBucketKey,
} from '../../../shared/domain/evaluation';
import { sumContributions } from '../../../shared/usecases/evaluation';
import { pointInZone, sleep } from '../matrix-client';
import { CITIZEN_LIMITS_OFF } from './citizen-limits';

/**
 * One crash: the local cloud in a child process takes a burst of reports (and dispatches) from
 * concurrent clients, is killed with SIGKILL at a chosen moment, restarted on the same data folder,
 * and left to settle. Then the promises are checked against the table itself: every acknowledged
 * report exists exactly once (its Idempotency-Key returns the same case) and is routed, every
 * running deadline has a live timer, every case's timeline and audit chain is whole.
 */

export interface CrashOptions {
  dataDir: string;
  /** Acknowledged reports a round aims at before its clients slow down (the kill ends the round). */
  reportsPerRound: number;
  clients: number;
  /** One round per kill point: kill -9 this many ms after the round's first acknowledged report. */
  killPointsMs: number[];
  settleTimeoutMs?: number;
  log?: (line: string) => void;
}

export interface CrashOutcome {
  acknowledged: number;
  lost: number;
  duplicated: number;
  unrouted: number;
  unarmed: number;
  brokenChains: number;
  /** Evaluation buckets whose stored counters differ from the sum of the cases' contributions. */
  miscounted: number;
  cases: number;
  problems: string[];
}

interface DemoUser {
  role: string;
  token: string;
}

const CASE_STATUSES: CaseStatus[] = [
  'reported',
  'registered',
  'dispatched',
  'accepted',
  'handled',
  'verified',
  'closed',
  'cancelled',
  'merged',
];

const district = loadDistrict(join(REPO_ROOT, 'districts/sandun.json'));
const AUTO_DISPATCHED = district.categories.filter((c) => c.autoDispatch).map((c) => c.code);
const OTHERS = district.categories
  .filter((c) => !c.autoDispatch && c.code.startsWith('event.'))
  .map((c) => c.code);

export interface Acknowledged {
  id: string;
  key: string;
  body: unknown;
}

export type Post = (
  url: string,
  token: string,
  body: unknown,
  key?: string,
) => Promise<{ status: number; body: { id?: string; status?: string } }>;

const post: Post = async (url, token, body, key) => {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
      ...(key && { 'idempotency-key': key }),
    },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await response.text();
  return {
    status: response.status,
    body: text ? (JSON.parse(text) as { id?: string; status?: string }) : {},
  };
};

export const runCrash = async (options: CrashOptions): Promise<CrashOutcome> => {
  const log = options.log ?? (() => {});
  // The burst stands for many citizens reporting through the one demo reporter: no per-account limit.
  let cloud = await spawnLocalCloud({ dataDir: options.dataDir, env: CITIZEN_LIMITS_OFF });
  const tokens = (await (await fetch(`${cloud.info.url}/local/tokens`)).json()) as { users: DemoUser[] };
  // Tokens are signed with keys kept in the data folder: they stay valid across restarts.
  const token = (role: string) => tokens.users.find((u) => u.role === role)!.token;
  const acknowledged: Acknowledged[] = [];
  let next = 0;

  // Each kill point is one round on the same data folder: burst, kill -9, restart; the restarted
  // cloud takes the next round's burst, and the last one is checked once everything has settled.
  for (const killAfterMs of options.killPointsMs) {
    const url = cloud.info.url;
    const before = acknowledged.length;
    let dead = false;
    const client = async (c: number) => {
      while (!dead) {
        const i = next++;
        const zone = district.zones[i % district.zones.length]!;
        const categories = i % 3 === 0 ? AUTO_DISPATCHED : OTHERS;
        const centre = pointInZone(zone);
        // Spread the points so most reports are events of their own (dedup merges the rest: still one case each).
        const body = {
          source: 'hotline',
          category: categories[i % categories.length],
          description: `崩溃测试 ${randomUUID()}`,
          location: { lat: centre.lat + ((i % 7) - 3) * 0.0012, lng: centre.lng + ((i % 11) - 5) * 0.0012 },
        };
        const key = `crash-${c}-${i}-${randomUUID()}`;
        try {
          const reply = await post(`${url}/v1/cases`, token('reporter'), body, key);
          if (reply.status === 202 && reply.body.id) {
            acknowledged.push({ id: reply.body.id, key, body });
            // Every fifth: the command centre dispatches it (an action in flight at the kill).
            if (i % 5 === 0) {
              void post(`${url}/v1/cases/${reply.body.id}/dispatch`, token('command_centre'), {}).catch(
                () => {},
              );
            }
          }
        } catch {
          // The cloud died mid-request: not acknowledged, so not promised.
        }
        if (acknowledged.length - before >= options.reportsPerRound) await sleep(50);
      }
    };
    const t0 = Date.now();
    const burst = Promise.all(Array.from({ length: options.clients }, (_, c) => client(c)));
    // The kill point counts from the round's first acknowledgement: the burst is then really in flight.
    while (acknowledged.length === before && Date.now() - t0 < 30_000) await sleep(20);
    await sleep(killAfterMs);
    dead = true;
    await cloud.kill('SIGKILL');
    await burst;
    log(
      `kill -9 ${killAfterMs} ms into the burst: ${acknowledged.length - before} reports acknowledged this round`,
    );
    const restartedAt = Date.now();
    cloud = await spawnLocalCloud({ dataDir: options.dataDir, env: CITIZEN_LIMITS_OFF });
    log(`restarted in ${Date.now() - restartedAt} ms`);
  }
  try {
    return await checkPromises(cloud, acknowledged, token, options, log);
  } finally {
    await cloud.kill('SIGTERM');
  }
};

/**
 * The promises, checked against the table once the cloud has settled: every acknowledged report
 * exists once and is routed, every running deadline has a live timer, every chain is whole.
 * `repost` asks intake again with each report's key (the fault run's retries 5xx as documented).
 */
export const checkPromises = async (
  cloud: SpawnedCloud,
  acknowledged: Acknowledged[],
  token: (role: string) => string,
  options: Pick<CrashOptions, 'settleTimeoutMs'>,
  log: (line: string) => void,
  repost: Post = post,
): Promise<CrashOutcome> => {
  const dynamodb = new DynamoDBClient({
    region: 'us-east-1',
    endpoint: cloud.info.dynamodbEndpoint,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const store = new DynamoCaseStore({
    client: DynamoDBDocumentClient.from(dynamodb, { marshallOptions: { removeUndefinedValues: true } }),
    tableName: cloud.info.tableName,
  });
  const sfn = new SFNClient({
    region: 'us-east-1',
    endpoint: cloud.info.deadlines.sfnEndpoint,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const outcome: CrashOutcome = {
    acknowledged: acknowledged.length,
    lost: 0,
    duplicated: 0,
    unrouted: 0,
    unarmed: 0,
    brokenChains: 0,
    miscounted: 0,
    cases: 0,
    problems: [],
  };
  try {
    // Settle: the sweep re-sends what the crash left unrouted (fauxqs kept nothing in memory).
    const deadline = Date.now() + (options.settleTimeoutMs ?? 60_000);
    let pending = acknowledged.map((a) => a.id);
    while (pending.length > 0 && Date.now() < deadline) {
      const states = await Promise.all(pending.map(async (id) => ({ id, stored: await store.get(id) })));
      pending = states.filter((s) => !s.stored || s.stored.case.status === 'reported').map((s) => s.id);
      if (pending.length > 0) await sleep(500);
    }
    log(
      `settled in ${Date.now() - deadline + (options.settleTimeoutMs ?? 60_000)} ms; ${pending.length} still unrouted`,
    );

    for (const a of acknowledged) {
      const stored = await store.get(a.id);
      if (!stored) {
        outcome.lost++;
        outcome.problems.push(`acknowledged ${a.id} is missing`);
        continue;
      }
      if (stored.case.status === 'reported') {
        outcome.unrouted++;
        // What the restarted cloud logged about it (a contended claim, an error, nothing at all).
        const said = cloud
          .output()
          .split('\n')
          .filter((line) => line.includes(a.id))
          .slice(-3)
          .map((line) => line.slice(0, 400));
        outcome.problems.push(
          `${a.id} is still unrouted${said.length > 0 ? `; the cloud logged: ${said.join(' | ')}` : ''}`,
        );
      }
      // Exactly once: the same report with its key again is the same case, not a new one.
      const again = await repost(`${cloud.info.url}/v1/cases`, token('reporter'), a.body, a.key);
      if (again.body.id !== a.id) {
        outcome.duplicated++;
        outcome.problems.push(`${a.key} now answers ${again.status} ${again.body.id ?? ''}, not ${a.id}`);
      }
    }

    // Every case in the table (acknowledged or not): whole timeline, live timer where a deadline runs.
    const ids = new Set(acknowledged.map((a) => a.id));
    for (const status of CASE_STATUSES) {
      let cursor: string | undefined;
      do {
        const page = await store.list({
          status,
          now: new Date().toISOString(),
          limit: 100,
          ...(cursor && { cursor }),
        });
        for (const c of page.items) ids.add(c.id);
        cursor = page.cursor;
      } while (cursor);
    }
    outcome.cases = ids.size;
    const finals: Case[] = [];
    for (const id of ids) {
      const stored = await store.get(id);
      if (!stored) continue;
      finals.push(stored.case);
      const audit = auditCase(stored.case);
      if (!audit.intact) {
        outcome.brokenChains++;
        outcome.problems.push(`${id}: ${audit.reason}`);
      }
      const key = timerKeyOf(stored.case);
      if (!key) continue;
      const arn = `${cloud.info.deadlines.stateMachineArn.replace(':stateMachine:', ':execution:')}:${timerName(key)}`;
      const execution = await sfn
        .send(new DescribeExecutionCommand({ executionArn: arn }))
        .catch(() => undefined);
      if (execution?.status !== 'RUNNING') {
        outcome.unarmed++;
        outcome.problems.push(`${id} (${stored.case.status}) has no running timer ${timerName(key)}`);
      }
    }

    // The evaluation figures count every case exactly once: the change stream survived the kills.
    const aggregates = new DynamoEvaluationAggregates({
      client: DynamoDBDocumentClient.from(dynamodb),
      tableName: cloud.info.tableName,
      district,
    });
    const differences = await settledAggregates(aggregates, finals, options.settleTimeoutMs ?? 60_000);
    outcome.miscounted = differences.length;
    outcome.problems.push(...differences.slice(0, 10));
  } finally {
    dynamodb.destroy();
    sfn.destroy();
  }
  return outcome;
};

/**
 * Waits (the stream's batching window, a restart's redelivery) until the stored day and hotspot
 * buckets equal the sum of the cases' contributions; returns the buckets that still differ.
 */
const settledAggregates = async (
  aggregates: DynamoEvaluationAggregates,
  cases: Case[],
  timeoutMs: number,
): Promise<string[]> => {
  const expected = new Map<string, Record<string, number>>();
  for (const [key, counters] of sumContributions(cases.map((c) => aggregatedContribution(c, district)))) {
    if (parseBucketKey(key).kind === 'month') continue;
    const nonZero = Object.fromEntries(Object.entries(counters).filter(([, v]) => v !== 0));
    if (Object.keys(nonZero).length > 0) expected.set(key, nonZero);
  }
  const days = [...expected.keys()].map((key) => parseBucketKey(key).day).sort();
  const [from, to] = [days[0], days[days.length - 1]];
  if (!from || !to) return [];
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const stored = new Map<string, Record<string, number>>();
    for (const kind of ['figures', 'cell', 'premises'] as BucketKind[]) {
      for (const bucket of (await aggregates.read(kind, from, to)).buckets) {
        if (Object.keys(bucket.counters).length > 0) stored.set(bucketKeyString(bucket.key), bucket.counters);
      }
    }
    const differences = [...new Set([...expected.keys(), ...stored.keys()])]
      .filter((key) => JSON.stringify(sorted(expected.get(key))) !== JSON.stringify(sorted(stored.get(key))))
      .map(
        (key) =>
          `evaluation bucket ${key}: stored ${JSON.stringify(stored.get(key) ?? {})}, cases say ${JSON.stringify(expected.get(key) ?? {})}`,
      );
    if (differences.length === 0 || Date.now() > deadline) return differences;
    await sleep(1_000);
  }
};

const sorted = (counters: Record<string, number> | undefined) =>
  Object.fromEntries(Object.entries(counters ?? {}).sort(([a], [b]) => a.localeCompare(b)));
