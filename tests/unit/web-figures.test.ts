import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../infra/local/paths';
import { loadDistrict } from '../../shared/district/load';
import { addCounters, figuresOf } from '../../shared/domain/evaluation';
import type { CaseView } from '../../shared/http/case-view';
import type { EvaluationReply } from '../../web/src/api';
import { periodFiguresOf } from '../../web/src/evaluation';
import { availableCommands } from '../../web/src/permissions';
import { computeFigures } from '../../web/src/stats';
import type { SignedInUser } from '../../web/src/user';

/** The cockpit's pure parts: which buttons a user gets, and the figures from list pages and metrics. */

const district = loadDistrict(join(REPO_ROOT, 'districts/sandun.json'));
const zone = district.zones[0]!;
const category = district.categories.find((c) => c.specialist)!;

/** A case as the list API returns it before the dedup fields existed (hence the assertion). */
const baseCase = (overrides: Partial<CaseView> = {}): CaseView =>
  ({
    id: 'C01TESTCASE0000000000000001',
    district: district.id,
    status: 'registered',
    version: 2,
    source: 'patrol',
    category: category.code,
    priority: 'normal',
    description: '井盖缺失',
    location: { lat: 30.28, lng: 120.07, crs: 'wgs84', reported: { lat: 30.28, lng: 120.07, crs: 'wgs84' } },
    reportedAt: '2026-03-02T01:00:00.000Z',
    updatedAt: '2026-03-02T01:00:00.000Z',
    submittedBy: { subject: 'local:reporter', role: 'reporter' },
    triage: false,
    zone: { id: zone.id, name: zone.name },
    lead: category.lead,
    cooperating: [],
    counters: { returns: 0, reassigns: 0, reworks: 0, reopens: 0 },
    timeline: [],
    overdue: false,
    personalDataMasked: true,
    ...overrides,
  }) as CaseView;

const user = (role: SignedInUser['role'], extra: Partial<SignedInUser> = {}): SignedInUser => ({
  sub: `local:${role}`,
  name: role,
  role,
  department: null,
  zone: null,
  token: 't',
  ...extra,
});

describe('the buttons a user gets', () => {
  it('offers the command centre dispatch on a registered case, and a field worker nothing', () => {
    const c = baseCase();
    expect(availableCommands(user('command_centre', { department: 'command-centre' }), c)).toEqual([
      'dispatch',
      'cancel',
    ]);
    expect(availableCommands(user('field_worker', { department: category.lead }), c)).toEqual([]);
  });

  it('offers accept to the assigned department only, and verify to the zone’s area chief only', () => {
    const dispatched = baseCase({ status: 'dispatched', assignee: category.lead });
    expect(availableCommands(user('field_worker', { department: category.lead }), dispatched)).toEqual([
      'accept',
      'progress',
    ]);
    expect(availableCommands(user('field_worker', { department: 'fire-rescue' }), dispatched)).toEqual([]);
    const handled = baseCase({ status: 'handled', assignee: category.lead });
    expect(availableCommands(user('area_chief', { zone: zone.id }), handled)).toContain('verify');
    expect(availableCommands(user('area_chief', { zone: 'elsewhere' }), handled)).toEqual([]);
  });

  it('offers only what the workflow table allows from the case status', () => {
    const centre = user('command_centre', { department: 'command-centre' });
    expect(availableCommands(centre, baseCase({ status: 'closed', assignee: category.lead }))).toEqual([
      'reopen',
    ]);
    expect(availableCommands(centre, baseCase({ status: 'cancelled', assignee: category.lead }))).toEqual([]);
    expect(availableCommands(centre, baseCase({ status: 'merged', assignee: category.lead }))).toEqual([]);
  });
});

describe('cockpit figures: current state from the open list, the period from the evaluation API', () => {
  const dayStart = '2026-03-01T16:00:00.000Z'; // midnight in Asia/Shanghai
  const hourOf = (iso: string) => (new Date(iso).getUTCHours() + 8) % 24;
  const lead = category.lead;
  const returned = (at: string) => ({
    seq: 3,
    at,
    action: 'returned' as const,
    actor: { subject: 's', role: 'department_staff' as const, department: lead },
    to: 'registered' as const,
    details: { department: lead },
    prevHash: '',
    hash: '',
  });
  const open = [
    baseCase({
      id: 'C1'.padEnd(22, '0'),
      status: 'registered',
      triage: true,
      category: undefined,
      lead: district.commandCentre,
    }),
    baseCase({
      id: 'C2'.padEnd(22, '0'),
      status: 'dispatched',
      assignee: lead,
      overdue: true,
      nextDueAt: dayStart,
    }),
    baseCase({
      id: 'C3'.padEnd(22, '0'),
      status: 'registered',
      reportedAt: '2026-02-20T01:00:00.000Z',
      timeline: [returned(dayStart)],
    }),
  ];
  const closed = baseCase({
    id: 'C4'.padEnd(22, '0'),
    status: 'closed',
    closedAt: '2026-03-02T03:00:00.000Z',
    handledAt: '2026-03-02T02:00:00.000Z',
    deadlines: { acceptBy: '2026-03-02T01:30:00.000Z', handleBy: '2026-03-02T02:30:00.000Z' },
  });
  const snapshot = {
    open,
    reportedToday: [open[0]!, open[1]!, closed],
    recentlyClosed: [closed],
    dayStart,
    at: '2026-03-02T04:00:00.000Z',
  };

  /** Today's reply as the API builds it: counters per department, figures from the same formulas. */
  const todayReply = (byDepartment: Record<string, Record<string, number>>): EvaluationReply => {
    const total: Record<string, number> = {};
    for (const counters of Object.values(byDepartment)) addCounters(total, counters);
    return {
      from: '2026-03-02',
      to: '2026-03-02',
      groupBy: 'department',
      total: { figures: figuresOf(total), counters: total },
      groups: Object.entries(byDepartment).map(([key, counters]) => ({
        key,
        figures: figuresOf(counters),
        counters,
      })),
    };
  };

  it('counts open, overdue, per department and per zone from the list, and leaves the period figures unknown until read', () => {
    const figures = computeFigures(district, snapshot, hourOf);
    // Until the evaluation API answers, the day's reports are the board's complete list of them;
    // the other period figures are "—" on screen.
    expect(figures.headline).toEqual({
      reportedToday: 3,
      atLeast: { open: false },
      open: 3,
      overdue: 1,
      withDepartments: 1,
    });
    const row = figures.departments.find((d) => d.id === lead);
    expect(row).toEqual({ id: lead, name: row?.name, open: 2, overdue: 1 });
    expect(figures.departments.some((d) => d.id === district.commandCentre)).toBe(false);
    expect(figures.openByZone.get(zone.id)).toBe(3);
    expect(figures.triage.map((c) => c.id)).toEqual([open[0]!.id]);
    expect(figures.awaitingDispatch.map((c) => c.id)).toEqual([open[2]!.id]);
    expect(figures.overdue.map((c) => c.id)).toEqual([open[1]!.id]);
    // The hourly chart still comes from today's list (the aggregates stop at days).
    expect(figures.reportsByHour[9]).toBe(3);
    // No merge data in these cases: the duplicate queue says it isn't there, not "none".
    expect(figures.possibleDuplicates).toBeUndefined();
  });

  it("takes today's reported, closed, on-time closure, merges, joint visits and returns from the metrics reply", () => {
    const other = district.departments.find((d) => d.id !== lead && d.kind !== 'command-centre')!.id;
    const period = periodFiguresOf(
      todayReply({
        [lead]: { reported: 4, closed: 2, dueToClose: 2, closedOnTime: 1, returns: 3, merged: 1 },
        [other]: {
          reported: 1,
          closed: 1,
          dueToClose: 2,
          closedOnTime: 2,
          jointVisitCases: 3,
          jointVisits: 1,
        },
        [district.commandCentre]: { reported: 2 },
      }),
    );
    const figures = computeFigures(district, snapshot, hourOf, period);
    expect(figures.headline).toEqual({
      // 4 + 1 + 2 reports, whatever the lists held (they hold 3).
      reportedToday: 7,
      atLeast: { open: false },
      open: 3,
      overdue: 1,
      withDepartments: 1,
      closedToday: 3,
      // 按期结案率 = (1 + 2) / (2 + 2)
      onTimeRatio: 0.75,
      mergedToday: 1,
      jointVisits: 1,
    });
    // Returns by the department that returned them, from the aggregates; open/overdue still from the list.
    expect(figures.departments.find((d) => d.id === lead)).toMatchObject({
      open: 2,
      overdue: 1,
      returned: 3,
      onTimeRatio: 0.5,
    });
    expect(figures.departments.find((d) => d.id === other)).toMatchObject({ returned: 0, onTimeRatio: 1 });
    // A department the day's figures don't mention: nothing returned, no rate (nothing due).
    const quiet = figures.departments.find((d) => d.id !== lead && d.id !== other)!;
    expect(quiet.returned).toBe(0);
    expect(quiet.onTimeRatio).toBeUndefined();
  });

  it("counts a report in the day's figures the moment the board shows it, and reconciles with the API", () => {
    // The API read before the newest reports were routed: 1 report today, 0 closed.
    const lagging = periodFiguresOf(todayReply({ [lead]: { reported: 1 } }));
    const figures = computeFigures(district, snapshot, hourOf, lagging);
    expect(figures.headline.reportedToday).toBe(3);
    expect(figures.headline.closedToday).toBe(1);
    // The API has caught up (and counts what the lists can't see): its figure stands.
    const caughtUp = periodFiguresOf(todayReply({ [lead]: { reported: 9, closed: 2 } }));
    expect(computeFigures(district, snapshot, hourOf, caughtUp).headline).toMatchObject({
      reportedToday: 9,
      closedToday: 2,
    });
    // A list cut short is no count: the API's figure alone, or "—" before it answers.
    const cut = { ...snapshot, complete: { open: true, reportedToday: false } };
    expect(computeFigures(district, cut, hourOf, lagging).headline.reportedToday).toBe(1);
    expect(computeFigures(district, cut, hourOf).headline.reportedToday).toBeUndefined();
  });

  it('leaves the on-time closure rate unknown when nothing falls due today', () => {
    const period = periodFiguresOf(todayReply({ [lead]: { reported: 1, closed: 1 } }));
    expect(period.onTimeClosureRate).toBeUndefined();
    expect(computeFigures(district, snapshot, hourOf, period).headline.onTimeRatio).toBeUndefined();
  });

  it('shows the duplicate queue once cases carry the dedup fields', () => {
    const withDedup = (c: CaseView, fields: Record<string, unknown>) => ({ ...c, ...fields }) as CaseView;
    const dedupOpen = [
      withDedup(baseCase({ id: 'C5'.padEnd(22, '0') }), { linkedReports: [] }),
      withDedup(baseCase({ id: 'C6'.padEnd(22, '0') }), {
        linkedReports: [],
        possibleDuplicates: [{ caseId: 'C5'.padEnd(22, '0'), score: 0.9 }],
      }),
    ];
    const figures = computeFigures(
      district,
      { open: dedupOpen, reportedToday: dedupOpen, recentlyClosed: [], dayStart, at: dayStart },
      hourOf,
    );
    expect(figures.possibleDuplicates?.map((c) => c.id)).toEqual([dedupOpen[1]!.id]);
  });
});
