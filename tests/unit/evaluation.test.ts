import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadDistrict } from '../../shared/district/load';
import { type Actor, type Case, SYSTEM_ROUTER } from '../../shared/domain/case';
import { type DistrictIndex, indexDistrict } from '../../shared/domain/district-index';
import {
  addCounters,
  COUNTERS,
  type Contribution,
  contributionDelta,
  contributionOf,
  districtDay,
  figuresOf,
  parseBucketKey,
} from '../../shared/domain/evaluation';
import { linkReport, markMerged } from '../../shared/domain/merge';
import { recordRepeat, repeatLinkTo } from '../../shared/domain/repeat';
import { newReportedCase } from '../../shared/domain/report';
import { routeReport } from '../../shared/domain/routing';
import { type CommandInput, registerReport, runCommand } from '../../shared/domain/workflow';

const sandunConfig = loadDistrict(fileURLToPath(new URL('../../districts/sandun.json', import.meta.url)));
const district = indexDistrict(sandunConfig);
/** The same district with the household-workshop category on working hours (08:30–12:00, 13:30–17:30, Mon–Fri). */
const workingHoursDistrict = indexDistrict({
  ...sandunConfig,
  categories: sandunConfig.categories.map((c) =>
    c.code === 'event.household-workshop' ? { ...c, workingHours: true } : c,
  ),
});

const MR = 'market-regulation';
const POLICE = 'police';
const CITIZEN: Actor = { subject: 'citizen-1', role: 'reporter' };
const CENTRE: Actor = { subject: 'cc-1', role: 'command_centre', department: 'command-centre' };
const CHIEF: Actor = {
  subject: 'chief-zj',
  role: 'area_chief',
  zone: 'zijingang',
  department: 'urban-management',
};
const staff = (department: string): Actor => ({
  subject: `staff-${department}`,
  role: 'department_staff',
  department,
});
const POINT = { lat: 30.28525, lng: 120.0688 };

/** Monday 2024-05-06 08:00 UTC = 16:00 in Shanghai. */
const T0 = '2024-05-06T08:00:00.000Z';
const at = (minutes: number, from = T0) => new Date(Date.parse(from) + minutes * 60_000).toISOString();

/** A case history written step by step: [minutes after start, actor, command]. */
const history = (
  steps: [number, Actor, CommandInput][],
  options: { d?: DistrictIndex; start?: string; id?: string; registerAt?: number } = {},
): Case => {
  const d = options.d ?? district;
  const start = options.start ?? T0;
  let c = newReportedCase(
    {
      source: 'hotline',
      category: 'event.household-workshop',
      description: '家庭作坊',
      location: { ...POINT, crs: 'wgs84' },
    },
    { id: options.id ?? 'C-1', district: d, actor: CITIZEN, now: start },
  );
  c = registerReport(c, routeReport(d, { category: c.category, location: c.location }), {
    actor: SYSTEM_ROUTER,
    now: at(options.registerAt ?? 1, start),
  });
  for (const [minutes, actor, input] of steps)
    c = runCommand(c, input, { district: d, actor, now: at(minutes, start) });
  return c;
};

/** Every counter of the figures buckets summed, zeros included (a contribution leaves zeros out). */
const figuresTotal = (contribution: Contribution) => {
  const total: Record<string, number> = Object.fromEntries(COUNTERS.map((c) => [c, 0]));
  for (const [key, counters] of Object.entries(contribution)) {
    if (parseBucketKey(key).kind === 'figures') addCounters(total, counters);
  }
  return total;
};

const nonZero = (counters: Record<string, number>) =>
  Object.fromEntries(Object.entries(counters).filter(([, n]) => n !== 0));

const CLOSED_PATH: [number, Actor, CommandInput][] = [
  [2, CENTRE, { command: 'dispatch' }],
  [3, staff(MR), { command: 'accept' }],
  [30, staff(MR), { command: 'resolve', result: '已取缔' }],
  [40, CHIEF, { command: 'verify', passed: true }],
  [50, CENTRE, { command: 'close' }],
];

describe('contributionOf: the standard rates on hand-built histories', () => {
  it('a case closed on time counts once in every rate, on the days its events happened', () => {
    const c = history(CLOSED_PATH);
    const contribution = contributionOf(c, district.config);
    expect(nonZero(figuresTotal(contribution))).toEqual({
      reported: 1,
      dispatched: 1,
      dispatchedOnTime: 1,
      handled: 1,
      handledOnTime: 1,
      handlingMinutes: 28,
      dueToClose: 1,
      closedOnTime: 1,
      closed: 1,
      verifications: 1,
      rightAccepted: 1,
      rightAcceptMinutes: 1,
    });
    // Handling deadline 1,440 minutes after dispatch: due to close on the next Shanghai day.
    const due =
      Object.entries(contribution).find(([k, v]) => k.startsWith('figures|') && v.dueToClose)?.[0] ?? '';
    expect(parseBucketKey(due)).toMatchObject({ day: '2024-05-07', department: MR, zone: 'zijingang' });
    expect(districtDay(c.reportedAt, 'Asia/Shanghai')).toBe('2024-05-06');
    // The month's roll-up holds the same counters.
    const month: Record<string, number> = {};
    for (const [key, counters] of Object.entries(contribution)) {
      if (key.startsWith('month|2024-05|')) addCounters(month, counters);
    }
    expect(month).toEqual(nonZero(figuresTotal(contribution)));
  });

  it('a repeat after closure counts once, on the repeat’s report day, to its department', () => {
    const closed = history(CLOSED_PATH);
    const repeat = { ...history([], { id: 'C-2' }), repeatOf: repeatLinkTo(closed, 0.9) };
    const contribution = contributionOf(repeat, district.config);
    expect(figuresTotal(contribution).repeatsAfterClosure).toBe(1);
    const key = Object.entries(contribution).find(
      ([k, v]) => k.startsWith('figures|') && v.repeatsAfterClosure,
    )?.[0];
    expect(parseBucketKey(key ?? '')).toMatchObject({ day: districtDay(repeat.reportedAt, 'Asia/Shanghai') });
    // The closed case's own figures do not change when it is reported again.
    expect(
      contributionOf(
        recordRepeat(closed, repeat, { actor: SYSTEM_ROUTER, now: repeat.reportedAt }),
        district.config,
      ),
    ).toEqual(contributionOf(closed, district.config));
  });

  it('rework: two verifications, one failed; the last handling is the one timed', () => {
    const c = history([
      ...CLOSED_PATH.slice(0, 3),
      [40, CHIEF, { command: 'verify', passed: false, note: '仍在生产' }],
      [100, staff(MR), { command: 'resolve', result: '设备已查封' }],
      [110, CHIEF, { command: 'verify', passed: true }],
      [120, CENTRE, { command: 'close' }],
    ]);
    const total = figuresTotal(contributionOf(c, district.config));
    expect(total).toMatchObject({ verifications: 2, reworks: 1, handled: 1, handlingMinutes: 98, closed: 1 });
    const figures = Object.fromEntries(figuresOf(total).map((f) => [f.id, f.value]));
    expect(figures.reworkRate).toBe(0.5);
    expect(figures.averageHandlingMinutes).toBe(98);
  });

  it('returns go to the department that returned, reassignments to the one it was taken from', () => {
    const c = history([
      [2, CENTRE, { command: 'dispatch' }],
      [5, staff(MR), { command: 'return', reason: '不属于本部门' }],
      [60, CENTRE, { command: 'dispatch', department: POLICE }],
      [70, CENTRE, { command: 'dispatch', department: MR, reason: '改派回市场监管' }],
      [80, staff(MR), { command: 'accept' }],
    ]);
    const contribution = contributionOf(c, district.config);
    const byDepartment = (counter: string) =>
      Object.entries(contribution)
        .filter(([k, v]) => k.startsWith('figures|') && v[counter])
        .map(([key, v]) => [parseBucketKey(key).department, v[counter]]);
    expect(byDepartment('returns')).toEqual([[MR, 1]]);
    expect(byDepartment('reassigns')).toEqual([[POLICE, 1]]);
    // The right department accepted 78 minutes after the first dispatch, after being redirected.
    expect(figuresTotal(contribution)).toMatchObject({
      dispatched: 1,
      dispatchedOnTime: 1,
      rightAccepted: 1,
      rightAcceptMinutes: 78,
      acceptedAfterRedirect: 1,
    });
  });

  it('late dispatch, late handling, and an open case past its deadline', () => {
    const late = history([
      [45, CENTRE, { command: 'dispatch' }],
      [50, staff(MR), { command: 'accept' }],
      [45 + 1500, staff(MR), { command: 'resolve', result: '已处理' }],
      [45 + 1510, CHIEF, { command: 'verify', passed: true }],
      [45 + 1520, CENTRE, { command: 'close' }],
    ]);
    expect(figuresTotal(contributionOf(late, district.config))).toMatchObject({
      dispatched: 1,
      dispatchedOnTime: 0,
      handled: 1,
      handledOnTime: 0,
      dueToClose: 1,
      closedOnTime: 0,
      closed: 1,
    });
    const open = history(CLOSED_PATH.slice(0, 2));
    const total = figuresTotal(contributionOf(open, district.config));
    expect(total).toMatchObject({ dueToClose: 1, closedOnTime: 0 });
    expect(total.handled).toBe(0);
    const closure = figuresOf(total).find((f) => f.id === 'onTimeClosureRate');
    expect(closure).toEqual({ id: 'onTimeClosureRate', numerator: 0, denominator: 1, value: 0 });
  });

  it('cancelled and merged cases are left out of every rate; their returns still count', () => {
    const cancelled = history([
      [2, CENTRE, { command: 'dispatch' }],
      [5, staff(MR), { command: 'return', reason: '不属于本部门' }],
      [9, CENTRE, { command: 'cancel', reason: '重复来电' }],
    ]);
    expect(nonZero(figuresTotal(contributionOf(cancelled, district.config)))).toEqual({
      reported: 1,
      returns: 1,
      cancelled: 1,
    });

    const target = history(CLOSED_PATH.slice(0, 2), { id: 'C-target' });
    const report = history([], { id: 'C-dup' });
    const ctx = { actor: CENTRE, now: at(20), mode: 'manual' as const };
    const merged = markMerged(report, linkReport(target, report, ctx).id, ctx);
    expect(nonZero(figuresTotal(contributionOf(merged, district.config)))).toEqual({
      reported: 1,
      merged: 1,
    });
    expect(figuresOf({ merged: 1 }).find((f) => f.id === 'duplicatesMerged')?.value).toBe(1);
  });

  it('working-hours clocks stop over the weekend', () => {
    // Friday 2024-05-10 17:20 Shanghai (09:20 UTC): registered; dispatched Monday 08:40.
    const friday = '2024-05-10T09:00:00.000Z';
    const mondayMinutes = (hh: number, mm: number) =>
      (Date.parse(`2024-05-13T${String(hh - 8).padStart(2, '0')}:${String(mm).padStart(2, '0')}:00.000Z`) -
        Date.parse(friday)) /
      60_000;
    const c = history(
      [
        [mondayMinutes(8, 40), CENTRE, { command: 'dispatch' }],
        [mondayMinutes(8, 50), staff(MR), { command: 'accept' }],
        [mondayMinutes(10, 40), staff(MR), { command: 'resolve', result: '已处理' }],
      ],
      { d: workingHoursDistrict, start: friday, registerAt: 20 },
    );
    const total = figuresTotal(contributionOf(c, workingHoursDistrict.config));
    // 17:20 → 17:30 Friday and 08:30 → 08:40 Monday: 20 working minutes, on time (limit 30).
    expect(total).toMatchObject({ dispatchedOnTime: 1, dispatched: 1 });
    // Dispatch Monday 08:40 → handled 10:40: 120 working minutes; acceptance after 10.
    expect(total).toMatchObject({ handlingMinutes: 120, rightAcceptMinutes: 10, handledOnTime: 1 });
    // On the wall clock the same dispatch took 63 hours 20 minutes: late.
    const wall = history([[mondayMinutes(8, 40), CENTRE, { command: 'dispatch' }]], {
      start: friday,
      registerAt: 20,
    });
    expect(figuresTotal(contributionOf(wall, district.config))).toMatchObject({ dispatchedOnTime: 0 });
  });

  it('the delta between two contributions is what the aggregates add', () => {
    const before = contributionOf(history(CLOSED_PATH.slice(0, 2)), district.config);
    const after = contributionOf(history(CLOSED_PATH), district.config);
    const delta = contributionDelta(before, after);
    const applied: Record<string, Record<string, number>> = structuredClone(before);
    for (const [key, counters] of Object.entries(delta)) {
      applied[key] = applied[key] ?? {};
      addCounters(applied[key], counters);
    }
    const withoutZeros = (c: Contribution) =>
      Object.fromEntries(
        Object.entries(c)
          .map(([k, v]) => [k, nonZero(v)] as const)
          .filter(([, v]) => Object.keys(v).length > 0),
      );
    expect(withoutZeros(applied)).toEqual(after);
  });
});
