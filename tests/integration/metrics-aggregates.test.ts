import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoCaseStore } from '../../shared/adapters/aws/dynamodb-case-store';
import { DynamoMetricsAggregates } from '../../shared/adapters/aws/dynamodb-metrics-aggregates';
import { type Actor, type Case, SYSTEM_ROUTER } from '../../shared/domain/case';
import { type BucketKind, bucketKeyString, contributionOf } from '../../shared/domain/metrics';
import { newReportedCase } from '../../shared/domain/report';
import { routeReport } from '../../shared/domain/routing';
import { type CommandInput, registerReport, runCommand } from '../../shared/domain/workflow';
import type { CaseStore } from '../../shared/ports';
import { mergeInto } from '../../shared/usecases/merge-cases';
import { MeteredCaseStore } from '../../shared/usecases/metered-case-store';
import { metricsReport, rebuildMetrics, sumContributions } from '../../shared/usecases/metrics';
import { distinctPointsIn, sandun } from '../support/cases-harness';
import { type Emulators, startEmulators } from '../support/emulators';

const CENTRE: Actor = { subject: 'cc-1', role: 'command_centre', department: 'command-centre' };
const CITIZEN: Actor = { subject: 'citizen-1', role: 'reporter' };
const KINDS: BucketKind[] = ['figures', 'month', 'cell', 'premises'];
const FROM = '2026-10-01';
const TO = '2027-12-31';

let emulators: Emulators;
let aggregates: DynamoMetricsAggregates;
let plain: DynamoCaseStore;
let store: CaseStore;

beforeAll(async () => {
  emulators = await startEmulators();
  plain = new DynamoCaseStore({ client: emulators.documents, tableName: emulators.tableName });
  aggregates = new DynamoMetricsAggregates({
    client: emulators.documents,
    tableName: emulators.tableName,
    district: sandun.config,
  });
  store = new MeteredCaseStore(plain, aggregates, (_c, error) => {
    throw error;
  });
}, 30_000);

afterAll(async () => {
  await emulators?.stop();
});

/** Aggregates whose process dies after its first bucket update: later SDK calls fail as a dead process's. */
const aggregatesDyingAfterFirstUpdate = () => {
  let updates = 0;
  const dying = {
    send: (command: unknown) => {
      if (command instanceof UpdateCommand && ++updates > 1) return Promise.reject(new Error('process died'));
      return emulators.documents.send(command as never);
    },
  } as unknown as typeof emulators.documents;
  return new DynamoMetricsAggregates({
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
  const sums = sumContributions(cases.map((c) => contributionOf(c, sandun.config)));
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
  it('after a random workload across days, live aggregates equal the sum of contributions, and the rebuild equals live', async () => {
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
    for (let round = 0; round < 10; round++) {
      for (const id of ids) {
        const stored = await plain.get(id);
        if (!stored) throw new Error('missing');
        // Mostly a step forward or sideways that the status allows; now and then a cancel or a merge.
        const rare: Move[] = ['cancel', 'merge'];
        const pool =
          random(12) === 0 ? rare : MOVES.filter((m) => !rare.includes(m) && commandFor(stored.case, m, 1));
        const move = pool[random(Math.max(pool.length, 1))] ?? 'dispatch';
        if (move === 'merge') {
          const other = ids[random(ids.length)] ?? id;
          const target = await plain.get(other);
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
        // A retried or duplicated apply (a redelivered message, a retry after a timeout) and a stale one.
        if (random(4) === 0) await aggregates.apply(next);
        if (random(6) === 0) await aggregates.apply(stored.case);
      }
    }
    const finals = (await plain.getMany(ids)).sort((a, b) => a.id.localeCompare(b.id));
    const statuses = new Set(finals.map((c) => c.status));
    expect(statuses.size).toBeGreaterThanOrEqual(4);
    expect(finals.some((c) => c.counters.returns > 0)).toBe(true);
    expect(finals.some((c) => c.counters.reworks > 0)).toBe(true);

    // Assess: live = the pure sum of the final cases' contributions.
    const live = await snapshot();
    expect(live).toEqual(expected(finals));
    expect(Object.keys(live).length).toBeGreaterThan(50);

    // Act: rebuild the whole period, then a part of it.
    await rebuildMetrics({ store: plain, aggregates, timezone: sandun.config.timezone }, FROM, TO);
    expect(await snapshot()).toEqual(live);
    await rebuildMetrics(
      { store: plain, aggregates, timezone: sandun.config.timezone },
      '2026-11-05',
      '2026-11-20',
    );
    expect(await snapshot()).toEqual(live);

    // A change saved while its apply was lost (the process died between the two writes): the rebuild
    // repairs it, and live updates after a rebuild still land exactly once.
    const one = finals.find((c) => c.status === 'registered');
    expect(one).toBeDefined();
    if (!one) return;
    const lost = runCommand(one, { command: 'dispatch' }, { district: sandun, actor: CENTRE, now: tick(5) });
    await plain.save({ case: lost }, one.version);
    const afterLost = finals.map((c) => (c.id === lost.id ? lost : c));
    expect(await snapshot()).not.toEqual(expected(afterLost));
    await rebuildMetrics({ store: plain, aggregates, timezone: sandun.config.timezone }, FROM, TO);
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
    expect(await snapshot()).toEqual(expected(afterLost.map((c) => (c.id === next.id ? next : c))));
  }, 600_000);

  it('a crash between the steps of an apply is finished by the next apply, without counting twice', async () => {
    const point = distinctPointsIn(ZONES[0] ?? sandun.config.zones[0]!)();
    const reported = newReportedCase(
      {
        source: 'hotline',
        category: 'event.illegal-parking',
        description: '违停',
        location: { ...point, crs: 'wgs84' },
      },
      { id: 'C-CRASH', district: sandun, actor: CITIZEN, now: '2026-12-01T01:00:00.000Z' },
    );
    await store.create(reported, { requestHash: 'crash' });
    const registered = registerReport(reported, routeReport(sandun, reported), {
      actor: SYSTEM_ROUTER,
      now: '2026-12-01T01:01:00.000Z',
    });
    await plain.save({ case: registered }, reported.version);
    // A process that dies at its second bucket update: the SDK calls fail as a dead process's would.
    const crashing = aggregatesDyingAfterFirstUpdate();
    await expect(crashing.apply(registered)).rejects.toThrow('process died');
    // The next apply (the retry, or the case's next change) finishes it; applying again changes nothing.
    await aggregates.apply(registered);
    await aggregates.apply(registered);
    const report = await metricsReport(aggregates, { from: '2026-12-01', to: '2026-12-01', scope: {} });
    expect(report.total.counters.reported).toBe(1);
  });

  it('applies a routed batch with one write per bucket, survives a crash mid-batch and never counts twice', async () => {
    const nextPoint = distinctPointsIn(ZONES[1] ?? sandun.config.zones[0]!);
    const at = '2026-12-02T01:00:00.000Z';
    const batch = Array.from({ length: 6 }, (_, i) => {
      const reported = newReportedCase(
        {
          source: 'hotline',
          category: CATEGORIES[i % 2] ?? 'event.illegal-parking',
          description: `批量 ${i}`,
          location: { ...nextPoint(), crs: 'wgs84' },
        },
        { id: `C-BATCH-${i}`, district: sandun, actor: CITIZEN, now: at },
      );
      return registerReport(reported, routeReport(sandun, reported), { actor: SYSTEM_ROUTER, now: at });
    });
    const before = await snapshot();
    // Dies after its first coalesced bucket write: some buckets have part of the batch, none whole.
    const crashing = aggregatesDyingAfterFirstUpdate();
    await expect(crashing.applyAll(batch)).rejects.toThrow('process died');
    // The redelivered batch (and a duplicate of it) finishes the job; nothing counts twice.
    await aggregates.applyAll(batch);
    await aggregates.applyAll([...batch, ...batch]);
    const after = await snapshot();
    const added = expected(batch);
    for (const [key, counters] of Object.entries(added)) {
      for (const [counter, value] of Object.entries(counters)) {
        expect(after[key]?.[counter] ?? 0, `${key} ${counter}`).toBe((before[key]?.[counter] ?? 0) + value);
      }
    }
  });
});
