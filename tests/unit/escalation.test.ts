import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadDistrict } from '../../shared/district/load';
import { type Actor, type Case, SYSTEM_ROUTER } from '../../shared/domain/case';
import { nextDue } from '../../shared/domain/deadlines';
import { indexDistrict } from '../../shared/domain/district-index';
import { VersionConflictError } from '../../shared/domain/errors';
import { escalateOverdue, nextWakeAt, timerKeyOf, timerName } from '../../shared/domain/escalation';
import { notificationsBetween } from '../../shared/domain/notifications';
import { newReportedCase } from '../../shared/domain/report';
import { routeReport } from '../../shared/domain/routing';
import { verifyTimeline } from '../../shared/domain/timeline';
import { type CommandInput, registerReport, runCommand } from '../../shared/domain/workflow';
import type { CaseStore, DueCheckResult, StoredCase } from '../../shared/ports';
import { checkDeadline } from '../../shared/usecases/check-deadline';

const config = loadDistrict(fileURLToPath(new URL('../../districts/sandun.json', import.meta.url)));
const district = indexDistrict(config);
const T0 = '2026-11-25T02:00:00.000Z'; // Wednesday 10:00 in Sandun
const at = (minutes: number) => new Date(Date.parse(T0) + minutes * 60_000).toISOString();
const MR = 'market-regulation';
const CENTRE: Actor = { subject: 'cc-1', role: 'command_centre', department: 'command-centre' };
const STAFF: Actor = { subject: 'staff-mr', role: 'department_staff', department: MR };

const run = (c: Case, input: CommandInput, actor: Actor, minutes: number): Case =>
  runCommand(c, input, { district, actor, now: at(minutes) });

/** A household workshop (accept 60 min, handle 1 day) dispatched at T0 + 2 min. */
const dispatched = (): Case => {
  const reported = newReportedCase(
    {
      source: 'hotline',
      category: 'event.household-workshop',
      description: '出租房内有人加工服装',
      location: { lat: 30.28525, lng: 120.0688, crs: 'wgs84' },
    },
    { id: 'C01HZXTESTCASE000000000009', district, actor: { subject: 'citizen', role: 'reporter' }, now: T0 },
  );
  const registered = registerReport(
    reported,
    routeReport(district, { category: reported.category, location: reported.location }),
    {
      actor: SYSTEM_ROUTER,
      now: at(1),
    },
  );
  return run(registered, { command: 'dispatch' }, CENTRE, 2);
};

const levelsOf = (c: Case) =>
  c.timeline.filter((e) => e.action === 'escalated').map((e) => [e.details?.level, e.details?.repeat ?? 0]);

describe('the escalation ladder (Sandun: area chief at +0, command centre at +60 min, town leader at +240, 3 reminders every 240)', () => {
  it('reaches nothing before the deadline, then each level in order, one entry per level', () => {
    const c = dispatched();
    expect(c.deadlines?.acceptBy).toBe(at(62));
    expect(escalateOverdue(c, config, { now: at(61) })).toBeUndefined();
    const first = escalateOverdue(c, config, { now: at(62) })!;
    expect(first.version).toBe(c.version + 1);
    expect(first.escalation).toMatchObject({ deadline: 'accept', level: 1, repeats: 0 });
    expect(escalateOverdue(first, config, { now: at(100) })).toBeUndefined();
    // Down through levels 2 and 3: both are reached, in order, in one write.
    const later = escalateOverdue(first, config, { now: at(62 + 241) })!;
    expect(levelsOf(later)).toEqual([
      [1, 0],
      [2, 0],
      [3, 0],
    ]);
    expect(later.version).toBe(first.version + 1);
    expect(verifyTimeline(later.timeline).intact).toBe(true);
    const notified = notificationsBetween(first, later, config);
    expect(notified.map((n) => n.recipient)).toEqual([{ type: 'command_centre' }, { type: 'town_leader' }]);
    expect(new Set(notified.map((n) => n.key)).size).toBe(2);
  });

  it('repeats the last level as configured, then stops watching', () => {
    let c = escalateOverdue(dispatched(), config, { now: at(62 + 240 + 3 * 240) })!;
    expect(levelsOf(c)).toEqual([
      [1, 0],
      [2, 0],
      [3, 0],
      [3, 1],
      [3, 2],
      [3, 3],
    ]);
    expect(nextWakeAt(c, config, at(2000))).toBeUndefined();
    c = run(c, { command: 'accept' }, STAFF, 2001);
    // Accepting meets the acceptance deadline: the ladder starts over for the handling deadline.
    expect(c.escalation).toBeUndefined();
    expect(nextWakeAt(c, config, at(2001))).toBe(c.deadlines?.handleBy);
  });

  it('wakes the timer at the next step, at most a week ahead', () => {
    const c = dispatched();
    expect(nextWakeAt(c, config, at(2))).toBe(at(62));
    const first = escalateOverdue(c, config, { now: at(62) })!;
    expect(nextWakeAt(first, config, at(62))).toBe(at(122));
  });

  it('escalates by hand to the next level, and the timer carries on from there', () => {
    const c = run(dispatched(), { command: 'escalate', reason: '群众多次来电' }, CENTRE, 10);
    expect(c.escalation).toMatchObject({ level: 1 });
    expect(c.timeline.at(-1)).toMatchObject({
      action: 'escalated',
      reason: '群众多次来电',
      details: { manual: true },
    });
    expect(escalateOverdue(c, config, { now: at(62) })).toBeUndefined();
    expect(levelsOf(escalateOverdue(c, config, { now: at(122) })!)).toEqual([
      [1, 0],
      [2, 0],
    ]);
  });

  it('names the timer after the deadlines version and the running deadline', () => {
    const c = dispatched();
    expect(timerName(timerKeyOf(c)!)).toBe(`${c.id}-${c.version}-accept`);
    const accepted = run(c, { command: 'accept' }, STAFF, 5);
    expect(timerName(timerKeyOf(accepted)!)).toBe(`${c.id}-${c.version}-handle`);
    const reassigned = run(
      accepted,
      { command: 'dispatch', department: 'urban-management', reason: '属城管' },
      CENTRE,
      6,
    );
    expect(timerName(timerKeyOf(reassigned)!)).toBe(`${c.id}-${reassigned.version}-accept`);
  });
});

describe('hold and resume (挂起)', () => {
  it('stops the deadline while on hold and gives back the time that was left', () => {
    const c = dispatched();
    const held = run(c, { command: 'hold', reason: '等待市民补充地址' }, STAFF, 32);
    expect(held.hold).toMatchObject({
      since: at(32),
      remaining: { acceptMinutes: 30, handleMinutes: 1440 - 30 },
    });
    expect(nextDue(held)).toBeUndefined();
    expect(timerKeyOf(held)).toBeUndefined();
    expect(escalateOverdue(held, config, { now: at(500) })).toBeUndefined();
    expect(() => run(held, { command: 'accept' }, STAFF, 40)).toThrow(/on hold/);
    const resumed = run(held, { command: 'resume', note: '地址已补充' }, STAFF, 600);
    expect(resumed.hold).toBeUndefined();
    expect(resumed.deadlines).toMatchObject({
      acceptBy: at(630),
      handleBy: at(600 + 1410),
      schedule: held.version + 1,
    });
    expect(timerKeyOf(resumed)).toMatchObject({ schedule: held.version + 1, deadline: 'accept' });
  });
});

describe('the due check', () => {
  const harness = (stored: StoredCase, beforeSave?: () => void) => {
    const saved: Case[] = [];
    const replies: DueCheckResult[] = [];
    const published: string[] = [];
    let current = stored;
    const store = {
      get: async () => current,
      save: async (next: StoredCase, expected: number) => {
        beforeSave?.();
        if (current.case.version !== expected) throw new VersionConflictError(next.case.id, expected);
        current = next;
        saved.push(next.case);
      },
      set: (c: Case) => {
        current = { case: c };
      },
    };
    const deps = {
      store: store as unknown as CaseStore,
      district,
      clock: { now: () => at(62) },
      notifications: { publish: async (m: { key: string }[]) => void published.push(...m.map((x) => x.key)) },
      replies: { reply: async (_token: string, result: DueCheckResult) => void replies.push(result) },
    };
    return { deps, store, saved, replies, published };
  };

  it('does not escalate a case closed a moment before the timer fires', async () => {
    const c = dispatched();
    const h = harness({ case: c });
    // The close lands between the check's read and its write.
    let closedOnce = false;
    const raced = harness({ case: c }, () => {
      if (closedOnce) return;
      closedOnce = true;
      raced.store.set({ ...run(c, { command: 'cancel', reason: '重复上报' }, CENTRE, 61) });
    });
    const key = timerKeyOf(c)!;
    const check = { ...key, taskToken: 't1', recheck: false, redelivered: false };
    expect(await checkDeadline(raced.deps, check)).toEqual({ outcome: 'stale' });
    expect(raced.saved).toEqual([]);
    expect(raced.published).toEqual([]);
    expect(raced.replies).toEqual([{ watch: false, recheck: false }]);
    // Without the race the same check escalates.
    expect(await checkDeadline(h.deps, check)).toMatchObject({
      outcome: 'escalated',
      level: 1,
      wakeAt: at(122),
    });
    expect(h.published).toEqual([`${c.id}:${c.timeline.length + 1}:area_chief:zijingang`]);
  });

  it('is a no-op for a superseded timer and re-sends only on a redelivery', async () => {
    const c = dispatched();
    const h = harness({ case: escalateOverdue(c, config, { now: at(62) })! });
    const key = timerKeyOf(c)!;
    expect(
      await checkDeadline(h.deps, {
        ...key,
        schedule: key.schedule - 1,
        taskToken: 't',
        recheck: false,
        redelivered: false,
      }),
    ).toEqual({
      outcome: 'stale',
    });
    expect(
      await checkDeadline(h.deps, { ...key, taskToken: 't', recheck: false, redelivered: false }),
    ).toMatchObject({
      outcome: 'waiting',
    });
    expect(h.published).toEqual([]);
    await checkDeadline(h.deps, { ...key, taskToken: 't', recheck: false, redelivered: true });
    expect(h.published).toHaveLength(1);
    expect(h.saved).toEqual([]);
  });
});
