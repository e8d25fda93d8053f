import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeHandler } from '../../functions/aggregate-cases/app';
import { type ChangeRecord, captureChanges, StreamLog } from '../../infra/local/dynamodb-stream';
import { lambdaRecordOf } from '../../infra/local/stream-mapping';
import { DynamoCaseStore } from '../../shared/adapters/aws/dynamodb-case-store';
import {
  bucketAddress,
  DynamoEvaluationAggregates,
} from '../../shared/adapters/aws/dynamodb-evaluation-aggregates';
import { type Actor, type Case, SYSTEM_ROUTER } from '../../shared/domain/case';
import {
  aggregatedContribution,
  type BucketKind,
  bucketKeyString,
  parseBucketKey,
} from '../../shared/domain/evaluation';
import { newReportedCase } from '../../shared/domain/report';
import { routeReport } from '../../shared/domain/routing';
import { type CommandInput, registerReport, runCommand } from '../../shared/domain/workflow';
import { evaluationReport, rebuildEvaluation, sumContributions } from '../../shared/usecases/evaluation';
import { mergeInto } from '../../shared/usecases/merge-cases';
import { lambdaContext } from '../support/api-event';
import { distinctPointsIn, sandun } from '../support/cases-harness';
import { type Emulators, startEmulators } from '../support/emulators';

const CENTRE: Actor = { subject: 'cc-1', role: 'command_centre', department: 'command-centre' };
const CITIZEN: Actor = { subject: 'citizen-1', role: 'reporter' };
const KINDS: BucketKind[] = ['figures', 'month', 'cell', 'premises'];
const FROM = '2026-10-01';
const TO = '2027-12-31';

let emulators: Emulators;
let aggregates: DynamoEvaluationAggregates;
let store: DynamoCaseStore;
/** The table's change stream, as dynalite records it: the tests deliver it by hand. */
const changes = new StreamLog();
let stopCapture: () => void;

beforeAll(async () => {
  emulators = await startEmulators();
  stopCapture = captureChanges(emulators.tableName, changes);
  store = new DynamoCaseStore({ client: emulators.documents, tableName: emulators.tableName });
  aggregates = new DynamoEvaluationAggregates({
    client: emulators.documents,
    tableName: emulators.tableName,
    district: sandun.config,
  });
}, 30_000);

afterAll(async () => {
  stopCapture?.();
  await emulators?.stop();
});

/** Everything recorded since the last take, off the stream. */
const take = (): ChangeRecord[] => {
  const records = changes.read(changes.pending);
  const last = records[records.length - 1];
  if (last) changes.checkpoint(last.sequenceNumber);
  return records;
};

/** One delivery of `records` to the aggregate-cases function, through `with` aggregates. */
const deliver = (records: ChangeRecord[], through: DynamoEvaluationAggregates = aggregates) =>
  makeHandler({ aggregates: through })(
    { Records: records.map((r) => lambdaRecordOf(r, 'arn:aws:dynamodb:local:table/test/stream/local')) },
    lambdaContext(),
  );

/** Aggregates whose process dies after its first bucket update: later SDK calls fail as a dead process's. */
const aggregatesDyingAfterFirstUpdate = () => {
  let updates = 0;
  const dying = {
    send: (command: unknown) => {
      if (command instanceof UpdateCommand && ++updates > 1) return Promise.reject(new Error('process died'));
      return emulators.documents.send(command as never);
    },
  } as unknown as typeof emulators.documents;
  return new DynamoEvaluationAggregates({
    client: dying,
    tableName: emulators.tableName,
    district: sandun.config,
  });
};

/** Every stored bucket of the period, as key → non-zero counters. */
const snapshot = async () => {
  const all = new Map<string, Record<string, number>>();
  for (const kind of KINDS) {
    const [from, to] = kind === 'month' ? [FROM.slice(0, 7), TO.slice(0, 7)] : [FROM, TO];
    for (const bucket of (await aggregates.read(kind, from, to)).buckets) {
      if (Object.keys(bucket.counters).length > 0) all.set(bucketKeyString(bucket.key), bucket.counters);
    }
  }
  return Object.fromEntries([...all.entries()].sort(([a], [b]) => a.localeCompare(b)));
};

const expected = (cases: Case[]) => {
  const sums = sumContributions(cases.map((c) => aggregatedContribution(c, sandun.config)));
  const nonZero = [...sums.entries()]
    .map(
      ([key, counters]) =>
        [key, Object.fromEntries(Object.entries(counters).filter(([, v]) => v !== 0))] as const,
    )
    .filter(([, counters]) => Object.keys(counters).length > 0);
  return Object.fromEntries(nonZero.sort(([a], [b]) => a.localeCompare(b)));
};

const ZONES = sandun.config.zones.slice(0, 3);
const CATEGORIES = [
  'event.household-workshop',
  'event.illegal-parking',
  'event.garbage-overflow',
  'event.dispute',
];
const DEPARTMENTS = ['market-regulation', 'traffic-police', 'urban-management', 'police'];

type Move =
  | 'dispatch'
  | 'accept'
  | 'return'
  | 'reassign'
  | 'resolve'
  | 'pass'
  | 'rework'
  | 'close'
  | 'cancel'
  | 'merge'
  | 'reopen';

/** The command a random move means for a case in its status, or undefined when it can't be made. */
const commandFor = (c: Case, move: Move, pick: number): { input: CommandInput; actor: Actor } | undefined => {
  const staff: Actor = { subject: 's', role: 'department_staff', department: c.assignee ?? '' };
  const department = DEPARTMENTS[pick % DEPARTMENTS.length] ?? 'police';
  switch (move) {
    case 'dispatch':
      return c.status === 'registered' ? { input: { command: 'dispatch' }, actor: CENTRE } : undefined;
    case 'reassign':
      return (c.status === 'dispatched' || c.status === 'accepted') && c.assignee !== department
        ? { input: { command: 'dispatch', department, reason: '改派' }, actor: CENTRE }
        : undefined;
    case 'accept':
      return c.status === 'dispatched' ? { input: { command: 'accept' }, actor: staff } : undefined;
    case 'return':
      return c.status === 'dispatched' || c.status === 'accepted'
        ? { input: { command: 'return', reason: '非本部门职责' }, actor: staff }
        : undefined;
    case 'resolve':
      return c.status === 'accepted'
        ? { input: { command: 'resolve', result: '已处理' }, actor: staff }
        : undefined;
    case 'pass':
    case 'rework':
      return c.status === 'handled'
        ? { input: { command: 'verify', passed: move === 'pass', note: '核查' }, actor: CENTRE }
        : undefined;
    case 'close':
      return c.status === 'verified' ? { input: { command: 'close' }, actor: CENTRE } : undefined;
    case 'reopen':
      return c.status === 'closed'
        ? { input: { command: 'reopen', reason: '市民反映未解决' }, actor: CENTRE }
        : undefined;
    case 'cancel':
      return ['registered', 'dispatched', 'accepted'].includes(c.status)
        ? { input: { command: 'cancel', reason: '无效' }, actor: CENTRE }
        : undefined;
    case 'merge':
      return undefined;
  }
};

const MOVES: Move[] = [
  'dispatch',
  'accept',
  'return',
  'reassign',
  'resolve',
  'pass',
  'rework',
  'close',
  'cancel',
  'merge',
  'reopen',
];

describe('materialized evaluation aggregates', () => {
  it('fed a random workload’s change stream in random batches, replayed and stale ones too, live aggregates equal the sum of contributions, and the rebuild equals live', async () => {
    // Prepare: 30 cases over ~6 weeks, each walked through random workflow moves, some merged.
    const rng = fc.sample(fc.integer({ min: 0, max: 1_000_000 }), { numRuns: 4000, seed: 20261130 });
    let r = 0;
    const random = (n: number) => (rng[r++ % rng.length] ?? 0) % n;
    const points = ZONES.map((zone) => distinctPointsIn(zone));
    const ids: string[] = [];
    let now = Date.parse('2026-10-20T02:00:00.000Z');
    const tick = (minutes: number) => {
      now += minutes * 60_000;
      return new Date(now).toISOString();
    };
    for (let i = 0; i < 30; i++) {
      const zoneIndex = random(ZONES.length);
      const reported = newReportedCase(
        {
          source: 'hotline',
          category: CATEGORIES[random(CATEGORIES.length)],
          description: `第${i}号`,
          location: {
            ...(points[zoneIndex]?.() ?? { lat: 0, lng: 0 }),
            crs: 'wgs84',
            address: `紫金港路${random(3)}号`,
          },
        },
        {
          id: `C-METRICS-${String(i).padStart(3, '0')}`,
          district: sandun,
          actor: CITIZEN,
          now: tick(random(900)),
        },
      );
      await store.create(reported, { requestHash: `h${i}` });
      const registered = registerReport(reported, routeReport(sandun, reported), {
        actor: SYSTEM_ROUTER,
        now: tick(random(60)),
      });
      await store.save({ case: registered }, reported.version);
      ids.push(reported.id);
    }
    /** Delivers what the stream recorded, in random batches, with now and then a replay of old ones. */
    const delivered: ChangeRecord[] = [];
    const deliverRandomly = async () => {
      const fresh = take();
      while (fresh.length > 0) {
        const batch = fresh.splice(0, 1 + random(40));
        await deliver(batch);
        delivered.push(...batch);
        if (random(3) === 0) {
          // A retried batch, or one overlapping an earlier one: a contiguous window of what went before.
          const from = random(delivered.length);
          await deliver(delivered.slice(from, from + 1 + random(60)));
        }
      }
    };
    await deliverRandomly();
    for (let round = 0; round < 10; round++) {
      for (const id of ids) {
        const stored = await store.get(id);
        if (!stored) throw new Error('missing');
        // Mostly a step forward or sideways that the status allows; now and then a cancel or a merge.
        const rare: Move[] = ['cancel', 'merge'];
        const pool =
          random(12) === 0 ? rare : MOVES.filter((m) => !rare.includes(m) && commandFor(stored.case, m, 1));
        const move = pool[random(Math.max(pool.length, 1))] ?? 'dispatch';
        if (move === 'merge') {
          const other = ids[random(ids.length)] ?? id;
          const target = await store.get(other);
          const open = ['registered', 'dispatched', 'accepted'];
          if (
            other !== id &&
            target &&
            open.includes(stored.case.status) &&
            open.includes(target.case.status) &&
            !target.case.mergedInto
          ) {
            await mergeInto(store, stored, other, { actor: CENTRE, now: tick(random(120)), mode: 'manual' });
          }
          continue;
        }
        const command = commandFor(stored.case, move, random(100));
        if (!command) continue;
        const next = runCommand(stored.case, command.input, {
          district: sandun,
          actor: command.actor,
          now: tick(random(600)),
        });
        await store.save({ ...stored, case: next }, stored.case.version);
      }
      await deliverRandomly();
    }
    const finals = (await store.getMany(ids)).sort((a, b) => a.id.localeCompare(b.id));
    const statuses = new Set(finals.map((c) => c.status));
    expect(statuses.size).toBeGreaterThanOrEqual(4);
    expect(finals.some((c) => c.counters.returns > 0)).toBe(true);
    expect(finals.some((c) => c.counters.reworks > 0)).toBe(true);

    // Assess: live = the pure sum of the final cases' contributions.
    const live = await snapshot();
    expect(live).toEqual(expected(finals));
    expect(Object.keys(live).length).toBeGreaterThan(50);

    // Act: rebuild the whole period, then a part of it.
    await rebuildEvaluation({ store, aggregates, timezone: sandun.config.timezone }, FROM, TO);
    expect(await snapshot()).toEqual(live);
    await rebuildEvaluation(
      { store, aggregates, timezone: sandun.config.timezone },
      '2026-11-05',
      '2026-11-20',
    );
    expect(await snapshot()).toEqual(live);

    // A change whose stream batch was parked (its retries ran out): the rebuild repairs it; the parked
    // batch redriven after the rebuild changes nothing, and live changes after it land exactly once.
    const one = finals.find((c) => c.status === 'registered');
    expect(one).toBeDefined();
    if (!one) return;
    const lost = runCommand(one, { command: 'dispatch' }, { district: sandun, actor: CENTRE, now: tick(5) });
    await store.save({ case: lost }, one.version);
    const parked = take();
    const afterLost = finals.map((c) => (c.id === lost.id ? lost : c));
    expect(await snapshot()).not.toEqual(expected(afterLost));
    await rebuildEvaluation({ store, aggregates, timezone: sandun.config.timezone }, FROM, TO);
    expect(await snapshot()).toEqual(expected(afterLost));
    await deliver(parked);
    expect(await snapshot()).toEqual(expected(afterLost));
    const next = runCommand(
      lost,
      { command: 'accept' },
      {
        district: sandun,
        actor: { subject: 's', role: 'department_staff', department: lost.assignee ?? '' },
        now: tick(5),
      },
    );
    await store.save({ case: next }, lost.version);
    await deliver(take());
    expect(await snapshot()).toEqual(expected(afterLost.map((c) => (c.id === next.id ? next : c))));
  }, 600_000);

  it('a batch cut short by a crash is finished by its redelivery, which may hold more, without counting twice', async () => {
    const nextPoint = distinctPointsIn(ZONES[0] ?? sandun.config.zones[0]!);
    const at = '2026-12-01T01:00:00.000Z';
    const before = await snapshot();
    const registered: Case[] = [];
    for (let i = 0; i < 6; i++) {
      const reported = newReportedCase(
        {
          source: 'hotline',
          category: CATEGORIES[i % 2] ?? 'event.illegal-parking',
          description: `崩溃 ${i}`,
          location: { ...nextPoint(), crs: 'wgs84' },
        },
        { id: `C-CRASH-${i}`, district: sandun, actor: CITIZEN, now: at },
      );
      await store.create(reported, { requestHash: `crash-${i}` });
      const next = registerReport(reported, routeReport(sandun, reported), { actor: SYSTEM_ROUTER, now: at });
      await store.save({ case: next }, reported.version);
      registered.push(next);
    }
    const first = take();
    // Dies after its first bucket write: some buckets have part of the batch, none the whole.
    await expect(deliver(first, aggregatesDyingAfterFirstUpdate())).rejects.toThrow('process died');
    // Meanwhile two cases moved on: the redelivery holds the first batch and their new changes.
    const dispatched = registered
      .slice(0, 2)
      .map((c) => runCommand(c, { command: 'dispatch' }, { district: sandun, actor: CENTRE, now: at }));
    for (const [i, c] of dispatched.entries()) await store.save({ case: c }, registered[i]?.version ?? 0);
    const redelivery = [...first, ...take()];
    await deliver(redelivery);
    await deliver(redelivery);
    const finals = [...dispatched, ...registered.slice(2)];
    const after = await snapshot();
    for (const [key, counters] of Object.entries(expected(finals))) {
      for (const [counter, value] of Object.entries(counters)) {
        expect(after[key]?.[counter] ?? 0, `${key} ${counter}`).toBe((before[key]?.[counter] ?? 0) + value);
      }
    }
    const report = await evaluationReport(aggregates, { from: '2026-12-01', to: '2026-12-01', scope: {} });
    expect(report.total.counters.reported).toBe(6);
  });

  it('adds a batch’s changes to one item in one write, and counts a report once routed', async () => {
    const nextPoint = distinctPointsIn(ZONES[1] ?? sandun.config.zones[0]!);
    const at = '2026-12-02T01:00:00.000Z';
    const reports = Array.from({ length: 8 }, (_, i) =>
      newReportedCase(
        {
          source: 'hotline',
          category: 'event.illegal-parking',
          description: `批量 ${i}`,
          location: { ...nextPoint(), crs: 'wgs84' },
        },
        { id: `C-BATCH-${i}`, district: sandun, actor: CITIZEN, now: at },
      ),
    );
    for (const [i, r] of reports.entries()) await store.create(r, { requestHash: `batch-${i}` });
    // Unrouted reports add nothing yet.
    await deliver(take());
    const routedOnly = await evaluationReport(aggregates, {
      from: '2026-12-02',
      to: '2026-12-02',
      scope: {},
    });
    expect(routedOnly.total.counters.reported ?? 0).toBe(0);

    for (const r of reports) {
      const next = registerReport(r, routeReport(sandun, r), { actor: SYSTEM_ROUTER, now: at });
      await store.save({ case: next }, r.version);
    }
    let updates = 0;
    const counting = new DynamoEvaluationAggregates({
      client: {
        send: (command: unknown) => {
          if (command instanceof UpdateCommand) updates++;
          return emulators.documents.send(command as never);
        },
      } as unknown as typeof emulators.documents,
      tableName: emulators.tableName,
      district: sandun.config,
    });
    const batch = take();
    await deliver(batch, counting);
    const routed = reports.map((r) =>
      registerReport(r, routeReport(sandun, r), { actor: SYSTEM_ROUTER, now: at }),
    );
    // One write per item the batch touches (a zone's day holds all its figures and all its cells),
    // fewer than one per bucket, far fewer than one per case and bucket.
    const items = new Set(
      Object.keys(expected(routed)).map((key) => {
        const { pk, sk } = bucketAddress(parseBucketKey(key)).key;
        return `${pk} ${sk}`;
      }),
    );
    expect(updates).toBe(items.size);
    expect(updates).toBeLessThan(Object.keys(expected(routed)).length);
    const perCase = routed.reduce(
      (sum, c) => sum + Object.keys(aggregatedContribution(c, sandun.config)).length,
      0,
    );
    expect(updates).toBeLessThan(perCase);
    const report = await evaluationReport(aggregates, { from: '2026-12-02', to: '2026-12-02', scope: {} });
    expect(report.total.counters.reported).toBe(8);
  });

  it('sweeps an item of markers older than the stream keeps a change, keeps young and legacy ones, and still counts once', async () => {
    const sweeping = new DynamoEvaluationAggregates({
      client: emulators.documents,
      tableName: emulators.tableName,
      district: sandun.config,
      sweepEveryMarkers: 3,
    });
    const nextPoint = distinctPointsIn(ZONES[2] ?? sandun.config.zones[0]!);
    const at = '2026-12-04T01:00:00.000Z';
    const registerSome = async (prefix: string, count: number) => {
      const cases: Case[] = [];
      for (let i = 0; i < count; i++) {
        const reported = newReportedCase(
          {
            source: 'hotline',
            category: 'event.dispute',
            description: `${prefix} ${i}`,
            location: { ...nextPoint(), crs: 'wgs84' },
          },
          { id: `C-${prefix}-${i}`, district: sandun, actor: CITIZEN, now: at },
        );
        await store.create(reported, { requestHash: `${prefix}-${i}` });
        const next = registerReport(reported, routeReport(sandun, reported), {
          actor: SYSTEM_ROUTER,
          now: at,
        });
        await store.save({ case: next }, reported.version);
        cases.push(next);
      }
      return cases;
    };
    const before = await snapshot();
    // Prepare: three cases whose changes the stream recorded three days ago (a stream keeps 24 hours).
    const old = await registerSome('SWEEP-OLD', 3);
    const threeDaysAgo = Math.floor(Date.now() / 1000) - 3 * 24 * 3600;
    await deliver(
      take().map((r) => ({ ...r, approximateCreationDateTime: threeDaysAgo })),
      sweeping,
    );
    const zoneItem = bucketAddress({
      kind: 'figures',
      day: '2026-12-04',
      department: old[0]?.assignee ?? '',
      zone: old[0]?.zone?.id ?? '',
      subject: 'event.dispute',
    }).key;
    const read = async () =>
      (
        await emulators.documents.send(
          new GetCommand({ TableName: emulators.tableName, Key: zoneItem, ConsistentRead: true }),
        )
      ).Item ?? {};
    expect(Object.keys(await read()).filter((name) => name.startsWith('v:C-SWEEP-OLD'))).toHaveLength(3);
    // A marker written before markers expired (a whole version) never expires.
    await emulators.documents.send(
      new UpdateCommand({
        TableName: emulators.tableName,
        Key: zoneItem,
        UpdateExpression: 'SET #legacy = :version',
        ExpressionAttributeNames: { '#legacy': 'v:C-SWEEP-LEGACY' },
        ExpressionAttributeValues: { ':version': 4 },
      }),
    );

    // Act: today's changes take the item past a sweep.
    const young = await registerSome('SWEEP-NEW', 3);
    const batch = take();
    await deliver(batch, sweeping);

    // Assess: the old markers are gone, the young and the legacy one kept, the counters untouched.
    const markers = Object.keys(await read()).filter((name) => name.startsWith('v:'));
    expect(markers.filter((name) => name.startsWith('v:C-SWEEP-OLD'))).toEqual([]);
    expect(markers.filter((name) => name.startsWith('v:C-SWEEP-NEW'))).toHaveLength(3);
    expect(markers).toContain('v:C-SWEEP-LEGACY');
    const counted = (cases: Case[]) => {
      const after = expected(cases);
      return Object.fromEntries(
        Object.entries(after).map(([key, counters]) => [
          key,
          Object.fromEntries(
            Object.entries(counters).map(([counter, value]) => [
              counter,
              (before[key]?.[counter] ?? 0) + value,
            ]),
          ),
        ]),
      );
    };
    const afterSweep = await snapshot();
    for (const [key, counters] of Object.entries(counted([...old, ...young])))
      expect(afterSweep[key], key).toEqual(counters);

    // A redelivery of today's batch (its markers are young) counts nothing; a new change of an old
    // case (its marker swept) counts once.
    await deliver(batch, sweeping);
    const dispatched = runCommand(
      old[0] as Case,
      { command: 'dispatch' },
      { district: sandun, actor: CENTRE, now: at },
    );
    await store.save({ case: dispatched }, old[0]?.version ?? 0);
    const last = take();
    await deliver(last, sweeping);
    await deliver(last, sweeping);
    const finals = await snapshot();
    for (const [key, counters] of Object.entries(counted([dispatched, ...old.slice(1), ...young])))
      expect(finals[key], key).toEqual(counters);
  });

  it('reads buckets written one item each before zone items, and the rebuild rewrites them as zone items', async () => {
    // A district deployed before: its day's figures bucket is an item of its own.
    const day = '2026-12-03';
    const old = {
      kind: 'figures',
      day,
      department: 'urban-management',
      zone: 'gudun',
      subject: 'event.garbage-overflow',
    };
    await emulators.documents.send(
      new PutCommand({
        TableName: emulators.tableName,
        Item: {
          pk: `METRICS#figures#${day.slice(0, 7)}`,
          sk: [day, old.department, old.zone, old.subject].join('|'),
          entity: 'metrics-bucket',
          ...old,
          reported: 3,
        },
      }),
    );
    const before = await evaluationReport(aggregates, { from: day, to: day, scope: {} });
    expect(before.total.counters.reported).toBe(3);
    const scoped = await evaluationReport(aggregates, {
      from: day,
      to: day,
      scope: { department: 'police' },
    });
    expect(scoped.total.counters.reported ?? 0).toBe(0);
    // No case was reported that day: the rebuild zeroes the old item.
    await rebuildEvaluation({ store, aggregates, timezone: sandun.config.timezone }, day, day);
    const after = await evaluationReport(aggregates, { from: day, to: day, scope: {} });
    expect(after.total.counters.reported ?? 0).toBe(0);
  });
});
