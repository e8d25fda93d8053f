/**
 * The cockpit's figures, computed from what the list API returns (pure, so unit-tested). When the
 * API grows aggregate endpoints (the evaluation issue) these move server-side; the shapes stay.
 */

import type { DistrictConfig } from '../../shared/district/schema';
import { type CaseStatus, OPEN_STATUSES } from '../../shared/domain/case';
import type { CaseView } from '../../shared/http/case-view';

export interface Snapshot {
  /** Every open case the user may see. */
  open: CaseView[];
  /** Cases reported since the district's midnight (any status). */
  reportedToday: CaseView[];
  /** Recently closed cases (the newest pages of status=closed). */
  recentlyClosed: CaseView[];
  /** District midnight, ISO. */
  dayStart: string;
  /** When the snapshot was taken, ISO. */
  at: string;
  /** False when a list was cut short (more pages than one refresh reads). */
  complete?: { open: boolean; reportedToday: boolean };
}

export interface Headline {
  reportedToday: number;
  /** The figures that are lower bounds because a list was cut short ("1,000+"). */
  atLeast: { reportedToday: boolean; open: boolean };
  open: number;
  overdue: number;
  withDepartments: number;
  closedToday: number;
  /** Closed today and handled by the handling deadline, as a share; undefined when none closed. */
  onTimeRatio?: number;
  /** Reports merged into other cases today; undefined until the API carries merges. */
  mergedToday?: number;
  /** Joint visits (综合查一次) covering open cases; undefined until the API carries them. */
  jointVisits?: number;
}

export interface DepartmentRow {
  id: string;
  name: { zh: string; en: string };
  open: number;
  overdue: number;
  returned: number;
}

export interface CockpitFigures {
  headline: Headline;
  departments: DepartmentRow[];
  openByZone: Map<string, number>;
  openByStatus: Map<CaseStatus, number>;
  reportsByHour: number[];
  triage: CaseView[];
  awaitingDispatch: CaseView[];
  overdue: CaseView[];
  /** Cases waiting for a duplicate review; undefined until the API carries them. */
  possibleDuplicates?: CaseView[];
}

/** Fields the dedup work adds to a case; read defensively so the cockpit works before and after. */
interface DedupFields {
  linkedReports?: { mergedAt?: string }[];
  possibleDuplicates?: unknown[];
  jointVisitId?: string;
}
const dedupOf = (c: CaseView) => c as CaseView & DedupFields;

const AT_DEPARTMENT: readonly CaseStatus[] = ['dispatched', 'accepted', 'handled'];

const byNewest = (a: CaseView, b: CaseView) => b.reportedAt.localeCompare(a.reportedAt);

export const computeFigures = (
  district: Pick<DistrictConfig, 'departments' | 'commandCentre'>,
  snapshot: Snapshot,
  hourOf: (iso: string) => number,
): CockpitFigures => {
  const dayStart = Date.parse(snapshot.dayStart);
  const open = snapshot.open.filter((c) => OPEN_STATUSES.includes(c.status));
  const closedToday = snapshot.recentlyClosed.filter(
    (c) => c.status === 'closed' && c.closedAt !== undefined && Date.parse(c.closedAt) >= dayStart,
  );
  const judged = closedToday.filter((c) => c.deadlines && c.handledAt);
  const onTime = judged.filter(
    (c) => Date.parse(c.handledAt ?? '') <= Date.parse(c.deadlines?.handleBy ?? ''),
  );

  const known = new Map<string, CaseView>();
  for (const c of [...snapshot.recentlyClosed, ...snapshot.reportedToday, ...open]) known.set(c.id, c);

  const departments: DepartmentRow[] = district.departments
    .filter((d) => d.kind !== 'command-centre' && d.id !== district.commandCentre)
    .map((d) => ({ id: d.id, name: d.name, open: 0, overdue: 0, returned: 0 }));
  const row = new Map(departments.map((r) => [r.id, r]));
  for (const c of open) {
    const responsible = row.get(c.assignee ?? c.lead ?? '');
    if (!responsible) continue;
    responsible.open++;
    if (c.overdue) responsible.overdue++;
  }
  for (const c of known.values()) {
    for (const entry of c.timeline) {
      if (entry.action !== 'returned') continue;
      const from = row.get(String(entry.details?.department ?? ''));
      if (from) from.returned++;
    }
  }

  const openByZone = new Map<string, number>();
  const openByStatus = new Map<CaseStatus, number>();
  for (const c of open) {
    if (c.zone) openByZone.set(c.zone.id, (openByZone.get(c.zone.id) ?? 0) + 1);
    openByStatus.set(c.status, (openByStatus.get(c.status) ?? 0) + 1);
  }

  const reportsByHour = Array.from({ length: 24 }, () => 0);
  const today = snapshot.reportedToday.filter((c) => Date.parse(c.reportedAt) >= dayStart);
  for (const c of today) {
    const hour = hourOf(c.reportedAt);
    reportsByHour[hour] = (reportsByHour[hour] ?? 0) + 1;
  }

  const overdue = open
    .filter((c) => c.overdue)
    .sort((a, b) => (a.nextDueAt ?? '').localeCompare(b.nextDueAt ?? ''));

  const dedupAvailable = [...known.values()].some((c) => Array.isArray(dedupOf(c).linkedReports));
  const mergedToday = [...known.values()]
    .flatMap((c) => dedupOf(c).linkedReports ?? [])
    .filter((r) => r.mergedAt !== undefined && Date.parse(r.mergedAt) >= dayStart).length;
  const jointVisits = new Set(open.map((c) => dedupOf(c).jointVisitId).filter(Boolean)).size;

  return {
    headline: {
      reportedToday: today.length,
      atLeast: {
        reportedToday: snapshot.complete?.reportedToday === false,
        open: snapshot.complete?.open === false,
      },
      open: open.length,
      overdue: overdue.length,
      withDepartments: open.filter((c) => AT_DEPARTMENT.includes(c.status)).length,
      closedToday: closedToday.length,
      ...(judged.length > 0 && { onTimeRatio: onTime.length / judged.length }),
      ...(dedupAvailable && { mergedToday, jointVisits }),
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
