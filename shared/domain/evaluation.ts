import type { DistrictConfig } from '../district/schema';
import type { Case, TimelineEntry } from './case';
import { clockFor, clockOfDeadlines } from './deadlines';
import { DISPATCH_LIMIT_MINUTES, districtDay, NONE } from './evaluation-figures';
import { geohash } from './geohash';
import { isSatisfied, ratingOf, standingVerdicts, verdictsOnCurrentClosure } from './satisfaction';

// The figure definitions live beside this module so the cockpit can import them without the clocks.
export {
  COUNTERS,
  type Counter,
  type Counters,
  DISPATCH_LIMIT_MINUTES,
  districtDay,
  FIGURES,
  type FigureDefinition,
  type FigureGroup,
  type FigureValue,
  figuresOf,
  NONE,
} from './evaluation-figures';

/**
 * Evaluation (分析研判): every figure of the district's performance in one place. A case's
 * *contribution* is a pure function of the case record and its timeline — counters put in buckets
 * (district day × department × zone × category) — so the aggregates can be kept up to date by adding
 * the difference between a case's new and previous contribution, and rebuilt from the cases alone.
 * Nothing here reads the clock: the same case always contributes the same counters.
 */

/** Counters of a hotspot: reports in a geohash cell, live cases at a premises. */
export const HOTSPOT_COUNTERS = ['reports', 'cases'] as const;
export type HotspotCounter = (typeof HOTSPOT_COUNTERS)[number];

/** Hotspot cells are geohash precision 7 (about 150 m × 150 m): a street corner, a market. */
export const HOTSPOT_CELL_PRECISION = 7;

/**
 * Which kind of aggregate a contribution key belongs to: `figures` per district day, `month` the same
 * counters rolled up per month (its `day` is YYYY-MM) so a month's query reads a few hundred buckets
 * instead of tens of thousands; `cell` and `premises` the hotspots.
 */
export type BucketKind = 'figures' | 'month' | 'cell' | 'premises';

export interface BucketKey {
  kind: BucketKind;
  /** The district's local date (YYYY-MM-DD) the counted event happened on. */
  day: string;
  department: string;
  zone: string;
  /** figures: the category; cell: the geohash; premises: the premises id. */
  subject: string;
}

/** `kind|day|department|zone|subject`: '|' appears in no id, code, geohash or premises id. */
export const bucketKeyString = (k: BucketKey): string =>
  [k.kind, k.day, k.department, k.zone, k.subject].join('|');

export const parseBucketKey = (key: string): BucketKey => {
  const [kind, day, department, zone, ...subject] = key.split('|');
  return {
    kind: kind as BucketKind,
    day: day ?? '',
    department: department ?? NONE,
    zone: zone ?? NONE,
    subject: subject.join('|'),
  };
};

/** Months (YYYY-MM) from the month of `fromDay` to the month of `toDay`. */
export const monthsBetween = (fromDay: string, toDay: string): string[] => {
  const months: string[] = [];
  let [year, month] = fromDay.split('-').map(Number) as [number, number];
  const last = toDay.slice(0, 7);
  for (let guard = 0; guard < 1200; guard++) {
    const current = `${year}-${String(month).padStart(2, '0')}`;
    if (current > last) break;
    months.push(current);
    month++;
    if (month > 12) {
      month = 1;
      year++;
    }
  }
  return months;
};

/** The last day (YYYY-MM-DD) of a month (YYYY-MM). */
export const lastDayOf = (month: string): string => {
  const [year, m] = month.split('-').map(Number) as [number, number];
  return `${month}-${String(new Date(Date.UTC(year, m, 0)).getUTCDate()).padStart(2, '0')}`;
};

/** The months (YYYY-MM) that lie wholly inside [fromDay, toDay]. */
export const wholeMonths = (fromDay: string, toDay: string): string[] =>
  monthsBetween(fromDay, toDay).filter((m) => `${m}-01` >= fromDay && lastDayOf(m) <= toDay);

/** bucket key → counter → value; zero counters are left out. */
export type Contribution = Record<string, Record<string, number>>;

type DistrictClock = Pick<DistrictConfig, 'timezone' | 'calendar' | 'categories'>;

const first = (c: Case, action: TimelineEntry['action']) => c.timeline.find((e) => e.action === action);
const notLater = (a: string, b: string) => Date.parse(a) <= Date.parse(b);

/** Cases that count in the rates: a cancelled report was no work, a merged one is another case's. */
export const countsInRates = (c: Pick<Case, 'status'>): boolean =>
  c.status !== 'cancelled' && c.status !== 'merged';

/**
 * What one case adds to the aggregates. Each counter goes to the day of its own event, and to the
 * department that event concerns: a return to the department that returned the case, a reassignment
 * to the department it was taken from, everything else to the department responsible now.
 */
export const contributionOf = (c: Case, district: DistrictClock): Contribution => {
  const out: Contribution = {};
  const department = c.assignee ?? c.lead ?? NONE;
  const zone = c.zone?.id ?? NONE;
  const category = c.category ?? NONE;
  const add = (
    counter: string,
    at: string,
    value = 1,
    where: Partial<Pick<BucketKey, 'kind' | 'department' | 'subject'>> = {},
  ) => {
    if (value === 0) return;
    const key = bucketKeyString({
      kind: where.kind ?? 'figures',
      day: districtDay(at, district.timezone),
      department: where.department ?? department,
      zone,
      subject: where.subject ?? category,
    });
    const bucket = out[key] ?? {};
    bucket[counter] = (bucket[counter] ?? 0) + value;
    out[key] = bucket;
    if ((where.kind ?? 'figures') === 'figures') {
      const monthKey = `month|${key.slice('figures|'.length, 'figures|'.length + 7)}${key.slice('figures|'.length + 10)}`;
      const month = out[monthKey] ?? {};
      month[counter] = (month[counter] ?? 0) + value;
      out[monthKey] = month;
    }
  };
  // The clock the case's deadlines run on; a case without deadlines (returned) on its category's.
  const clock = c.deadlines
    ? clockOfDeadlines(c.deadlines, district)
    : clockFor(
        district.categories.find((k) => k.code === c.category),
        district,
      );
  const minutes = (from: string, to: string) => Math.round(clock.between(from, to));

  add('reported', c.reportedAt);
  // Where people report: every report counts, a duplicate too (it is one more voice from there).
  add('reports', c.reportedAt, 1, {
    kind: 'cell',
    subject: geohash(c.location, HOTSPOT_CELL_PRECISION),
  });

  // Events that happened whatever became of the case: returns and reassignments are the coordination
  // record (a case returned, then cancelled, was still returned).
  for (const entry of c.timeline) {
    if (entry.action === 'returned') {
      add('returns', entry.at, 1, { department: String(entry.details?.department ?? department) });
    } else if (entry.action === 'reassigned') {
      add('reassigns', entry.at, 1, {
        department: String(entry.details?.previousDepartment ?? department),
      });
    }
  }

  if (c.status === 'cancelled') {
    add('cancelled', first(c, 'cancelled')?.at ?? c.updatedAt);
    return out;
  }
  if (c.status === 'merged') {
    const merged = [...c.timeline].reverse().find((e) => e.action === 'merged');
    add('merged', merged?.at ?? c.updatedAt);
    return out;
  }

  // 重复投诉: this report repeats a case closed shortly before (its link says which).
  if (c.repeatOf) add('repeatsAfterClosure', c.reportedAt);

  if (c.premisesId) add('cases', c.reportedAt, 1, { kind: 'premises', subject: c.premisesId });

  // 按时派遣: registration to the first dispatch on the category's clock.
  const firstDispatch = first(c, 'dispatched');
  if (firstDispatch) {
    add('dispatched', firstDispatch.at);
    const registered = first(c, 'registered');
    const onTime = !registered || minutes(registered.at, firstDispatch.at) <= DISPATCH_LIMIT_MINUTES;
    add('dispatchedOnTime', firstDispatch.at, onTime ? 1 : 0);
  }

  // 按时处置 and 平均处置时长: the handling that stands (after a rework, the last one).
  if (c.handledAt && c.deadlines) {
    add('handled', c.handledAt);
    add('handledOnTime', c.handledAt, notLater(c.handledAt, c.deadlines.handleBy) ? 1 : 0);
    add('handlingMinutes', c.handledAt, minutes(firstDispatch?.at ?? c.reportedAt, c.handledAt));
  }

  // 按期结案率: cases whose handling deadline falls on the day are due to close; those closed whose
  // handling was done by that deadline closed on time. A case still open counts as due, not on time.
  if (c.deadlines) {
    add('dueToClose', c.deadlines.handleBy);
    const onTime =
      c.status === 'closed' && c.handledAt !== undefined && notLater(c.handledAt, c.deadlines.handleBy);
    add('closedOnTime', c.deadlines.handleBy, onTime ? 1 : 0);
  }
  if (c.status === 'closed' && c.closedAt) {
    add('closed', c.closedAt);
    // 回访率: the closure that stands has its verdict (counted on the closing day, like `closed`).
    if (verdictsOnCurrentClosure(c).length > 0) add('closedWithVerdict', c.closedAt);
  }

  // 满意率: the verdict that stands on each report of each closure, on its day, to the department
  // it judged (a verdict that reopened the case still counts: that closure was judged).
  for (const entry of standingVerdicts(c)) {
    const rating = ratingOf(entry);
    if (!rating) continue;
    const judged = { department: String(entry.details?.department ?? department) };
    add('verdicts', entry.at, 1, judged);
    add('satisfiedVerdicts', entry.at, isSatisfied(rating) ? 1 : 0, judged);
  }

  // 返工率: failed verifications among all verifications, each on its day.
  for (const entry of c.timeline) {
    if (entry.action === 'verified' || entry.action === 'rework') add('verifications', entry.at);
    if (entry.action === 'rework') add('reworks', entry.at);
  }

  // Time until the right department accepted: from the first dispatch to the acceptance that stands
  // (a reassignment or return clears it, so `acceptedAt` is the department that kept the case).
  if (c.acceptedAt && firstDispatch) {
    add('rightAccepted', c.acceptedAt);
    add('rightAcceptMinutes', c.acceptedAt, minutes(firstDispatch.at, c.acceptedAt));
    const redirected = c.timeline.some(
      (e) => (e.action === 'returned' || e.action === 'reassigned') && notLater(e.at, c.acceptedAt ?? e.at),
    );
    add('acceptedAfterRedirect', c.acceptedAt, redirected ? 1 : 0);
  }

  // 综合查一次: each covered case would have needed its own visit; the visit's first case counts it.
  const covered = [...c.timeline].reverse().find((e) => e.action === 'joint-visit');
  if (covered && c.jointVisitId) {
    add('jointVisitCases', covered.at);
    if (covered.details?.firstCase === c.id) add('jointVisits', covered.at);
  }
  return out;
};

/**
 * What a case adds to the stored aggregates: nothing while it is an unrouted report, its
 * contribution from then on. The router registers or merges a report within seconds, and the
 * figures count a report once it is a case (or part of one); counting it in between would cost a
 * burst two bucket writes per report for a state that lasts seconds.
 */
export const aggregatedContribution = (c: Case, district: DistrictClock): Contribution =>
  c.status === 'reported' ? {} : contributionOf(c, district);

/** `to` minus `from`, bucket by bucket; buckets and counters whose difference is zero are left out. */
export const contributionDelta = (from: Contribution, to: Contribution): Contribution => {
  const delta: Contribution = {};
  for (const key of new Set([...Object.keys(from), ...Object.keys(to)])) {
    const a = from[key] ?? {};
    const b = to[key] ?? {};
    const counters: Record<string, number> = {};
    for (const counter of new Set([...Object.keys(a), ...Object.keys(b)])) {
      const d = (b[counter] ?? 0) - (a[counter] ?? 0);
      if (d !== 0) counters[counter] = d;
    }
    if (Object.keys(counters).length > 0) delta[key] = counters;
  }
  return delta;
};

/** Adds `more` into `into` (mutates `into`): how a rebuild and a query sum buckets. */
export const addCounters = (into: Record<string, number>, more: Record<string, number>): void => {
  for (const [counter, value] of Object.entries(more)) into[counter] = (into[counter] ?? 0) + value;
};
