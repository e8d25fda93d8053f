/**
 * The cockpit's figures (pure, so unit-tested). Two kinds, from two places:
 * - **current state** — open, overdue, with departments, open per department and zone, the work
 *   queues — from the open-case list the board keeps (board.ts): it is current to the last poll,
 *   and the evaluation aggregates count events per day, not what is open now;
 * - **period figures** — today's reports, closures, on-time closure rate, merges, joint visits and
 *   returns per department — from the evaluation API (`/v1/metrics`, see evaluation.ts), so the
 *   cockpit shows the same numbers as the monthly workbook and never counts them from lists that
 *   may be cut short. Until the figures are read (or for a role the API refuses) they are undefined
 *   and the screen shows "—".
 * The hourly chart of today's reports still comes from today's list: the aggregates stop at days.
 */

import type { DistrictConfig } from '../../shared/district/schema';
import { type CaseStatus, OPEN_STATUSES } from '../../shared/domain/case';
import type { CaseSummary } from '../../shared/http/case-view';
import type { PeriodFigures } from './evaluation';

export interface Snapshot {
  /** Every open case the user may see. */
  open: CaseSummary[];
  /** Cases reported since the district's midnight (any status). */
  reportedToday: CaseSummary[];
  /** Recently closed cases (the newest pages of status=closed). */
  recentlyClosed: CaseSummary[];
  /** District midnight, ISO. */
  dayStart: string;
  /** When the snapshot was taken, ISO. */
  at: string;
  /** False when a list was cut short (more pages than one refresh reads). */
  complete?: { open: boolean; reportedToday: boolean };
}

export interface Headline {
  /** 上报数 today (evaluation API); undefined until read. */
  reportedToday?: number;
  /** The current-state figures that are lower bounds because a list was cut short ("1,000+"). */
  atLeast: { open: boolean };
  open: number;
  overdue: number;
  withDepartments: number;
  /** 结案数 today (evaluation API); undefined until read. */
  closedToday?: number;
  /**
   * 按期结案率 today (evaluation API): of the cases whose handling deadline falls today, the share
   * closed and handled by it; undefined until read or when none falls due today.
   */
  onTimeRatio?: number;
  /** 合并重复上报数 today (evaluation API); undefined until read. */
  mergedToday?: number;
  /** 联合检查次数 today (evaluation API); undefined until read. */
  jointVisits?: number;
}

export interface DepartmentRow {
  id: string;
  name: { zh: string; en: string };
  /** Current state, from the open-case list. */
  open: number;
  overdue: number;
  /** 退回次数 today, counted to the department that returned (evaluation API); undefined until read. */
  returned?: number;
  /** 按期结案率 today for the department (evaluation API); undefined until read or none due. */
  onTimeRatio?: number;
}

export interface CockpitFigures {
  headline: Headline;
  departments: DepartmentRow[];
  openByZone: Map<string, number>;
  openByStatus: Map<CaseStatus, number>;
  reportsByHour: number[];
  triage: CaseSummary[];
  awaitingDispatch: CaseSummary[];
  overdue: CaseSummary[];
  /** Cases waiting for a duplicate review; undefined until the API carries them. */
  possibleDuplicates?: CaseSummary[];
}

/** Fields the dedup work adds to a case; read defensively so the cockpit works before and after. */
interface DedupFields {
  linkedReports?: unknown[];
  possibleDuplicates?: unknown[];
}
const dedupOf = (c: CaseSummary) => c as CaseSummary & DedupFields;

const AT_DEPARTMENT: readonly CaseStatus[] = ['dispatched', 'accepted', 'handled'];

const byNewest = (a: CaseSummary, b: CaseSummary) => b.reportedAt.localeCompare(a.reportedAt);

export const computeFigures = (
  district: Pick<DistrictConfig, 'departments' | 'commandCentre'>,
  snapshot: Snapshot,
  hourOf: (iso: string) => number,
  period?: PeriodFigures,
): CockpitFigures => {
  const dayStart = Date.parse(snapshot.dayStart);
  const open = snapshot.open.filter((c) => OPEN_STATUSES.includes(c.status));

  const departments: DepartmentRow[] = district.departments
    .filter((d) => d.kind !== 'command-centre' && d.id !== district.commandCentre)
    .map((d) => {
      const today = period?.byDepartment.get(d.id);
      return {
        id: d.id,
        name: d.name,
        open: 0,
        overdue: 0,
        // A department the day's figures don't mention returned nothing today.
        ...(period && { returned: today?.returns ?? 0 }),
        ...(today?.onTimeClosureRate !== undefined && { onTimeRatio: today.onTimeClosureRate }),
      };
    });
  const row = new Map(departments.map((r) => [r.id, r]));
  for (const c of open) {
    const responsible = row.get(c.assignee ?? c.lead ?? '');
    if (!responsible) continue;
    responsible.open++;
    if (c.overdue) responsible.overdue++;
  }

  const openByZone = new Map<string, number>();
  const openByStatus = new Map<CaseStatus, number>();
  for (const c of open) {
    if (c.zone) openByZone.set(c.zone.id, (openByZone.get(c.zone.id) ?? 0) + 1);
    openByStatus.set(c.status, (openByStatus.get(c.status) ?? 0) + 1);
  }

  const reportsByHour = Array.from({ length: 24 }, () => 0);
  for (const c of snapshot.reportedToday) {
    if (Date.parse(c.reportedAt) < dayStart) continue;
    const hour = hourOf(c.reportedAt);
    reportsByHour[hour] = (reportsByHour[hour] ?? 0) + 1;
  }

  const overdue = open
    .filter((c) => c.overdue)
    .sort((a, b) => (a.nextDueAt ?? '').localeCompare(b.nextDueAt ?? ''));

  // The duplicate queue exists once the API carries the dedup fields on any case it returns.
  const dedupAvailable = [...snapshot.open, ...snapshot.reportedToday, ...snapshot.recentlyClosed].some((c) =>
    Array.isArray(dedupOf(c).linkedReports),
  );

  // One truth on the screen: the day's counts take in what the board already shows (its change feed
  // sees a report within seconds; the evaluation API counts it once routed and is read every 30 s).
  // A complete list of today's reports is the count; the API's figure catches up and reconciles.
  const listedToday = snapshot.reportedToday.filter((c) => Date.parse(c.reportedAt) >= dayStart).length;
  const reportedToday =
    snapshot.complete?.reportedToday === false
      ? period?.reported
      : Math.max(period?.reported ?? 0, listedToday);
  // Closed today, as far as the board's recent closures reach: a lower bound, like the API's figure.
  const closedSeen = snapshot.recentlyClosed.filter(
    (c) => c.closedAt !== undefined && Date.parse(c.closedAt) >= dayStart,
  ).length;

  return {
    headline: {
      atLeast: { open: snapshot.complete?.open === false },
      open: open.length,
      overdue: overdue.length,
      withDepartments: open.filter((c) => AT_DEPARTMENT.includes(c.status)).length,
      ...(reportedToday !== undefined && { reportedToday }),
      ...(period && {
        closedToday: Math.max(period.closed, closedSeen),
        mergedToday: period.merged,
        jointVisits: period.jointVisits,
      }),
      ...(period?.onTimeClosureRate !== undefined && { onTimeRatio: period.onTimeClosureRate }),
    },
    departments,
    openByZone,
    openByStatus,
    reportsByHour,
    triage: open.filter((c) => c.status === 'registered' && c.triage).sort(byNewest),
    awaitingDispatch: open.filter((c) => c.status === 'registered' && !c.triage).sort(byNewest),
    overdue,
    ...(dedupAvailable && {
      possibleDuplicates: open.filter((c) => (dedupOf(c).possibleDuplicates?.length ?? 0) > 0).sort(byNewest),
    }),
  };
};
