import type { DistrictConfig } from '../district/schema';
import type { Case, TimelineEntry } from './case';
import { clockFor, clockOfDeadlines } from './deadlines';
import { geohash } from './geohash';

/**
 * Evaluation (分析研判): every figure of the district's performance in one place. A case's
 * *contribution* is a pure function of the case record and its timeline — counters put in buckets
 * (district day × department × zone × category) — so the aggregates can be kept up to date by adding
 * the difference between a case's new and previous contribution, and rebuilt from the cases alone.
 * Nothing here reads the clock: the same case always contributes the same counters.
 */

/** The counters a bucket adds up. Minutes are whole minutes (sums are exact, whatever the order). */
export const COUNTERS = [
  'reported',
  'cancelled',
  'merged',
  'dispatched',
  'dispatchedOnTime',
  'handled',
  'handledOnTime',
  'handlingMinutes',
  'dueToClose',
  'closedOnTime',
  'closed',
  'verifications',
  'reworks',
  'returns',
  'reassigns',
  'rightAccepted',
  'rightAcceptMinutes',
  'acceptedAfterRedirect',
  'jointVisitCases',
  'jointVisits',
] as const;
export type Counter = (typeof COUNTERS)[number];
export type Counters = Partial<Record<Counter, number>>;

/** Counters of a hotspot: reports in a geohash cell, live cases at a premises. */
export const HOTSPOT_COUNTERS = ['reports', 'cases'] as const;
export type HotspotCounter = (typeof HOTSPOT_COUNTERS)[number];

/**
 * Registration to first dispatch within this long counts as on time (按时派遣). The standard leaves the
 * limit to the district; half an hour of the category's clock is the common one.
 */
export const DISPATCH_LIMIT_MINUTES = 30;

/** Hotspot cells are geohash precision 7 (about 150 m × 150 m): a street corner, a market. */
export const HOTSPOT_CELL_PRECISION = 7;

/** A bucket key's placeholder when the case has no department, zone or category yet. */
export const NONE = '-';

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

const dayFormatters = new Map<string, Intl.DateTimeFormat>();
/** The district's local date of an instant (en-CA formats as YYYY-MM-DD). */
export const districtDay = (instant: string, timeZone: string): string => {
  let formatter = dayFormatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    });
    dayFormatters.set(timeZone, formatter);
  }
  return formatter.format(new Date(instant));
};

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
  if (c.status === 'closed' && c.closedAt) add('closed', c.closedAt);

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

export type FigureGroup = 'volume' | 'standard' | 'coordination';

export interface FigureDefinition {
  id: string;
  group: FigureGroup;
  name: { zh: string; en: string };
  kind: 'rate' | 'average' | 'count';
  /** The counter summed for the numerator (a count's value). */
  numerator: Counter;
  /** The counter summed for the denominator (rates and averages). */
  denominator?: Counter;
  /** Subtracted from the numerator (visits saved = covered cases − visits made). */
  minus?: Counter;
  unit?: 'minutes';
  /** Which cases count and on which clock, in words (also the README's table). */
  rule: { zh: string; en: string };
}

/** The figures, in the order the API, the cockpit and the monthly workbook show them. */
export const FIGURES: readonly FigureDefinition[] = [
  {
    id: 'reported',
    group: 'volume',
    name: { zh: '上报数', en: 'Reports' },
    kind: 'count',
    numerator: 'reported',
    rule: {
      zh: '期内上报的全部案件（含合并、作废），按上报日',
      en: 'every report received in the period (merged and cancelled included), on its report day',
    },
  },
  {
    id: 'closed',
    group: 'volume',
    name: { zh: '结案数', en: 'Closed' },
    kind: 'count',
    numerator: 'closed',
    rule: { zh: '期内结案的案件，按结案日', en: 'cases closed in the period, on their closing day' },
  },
  {
    id: 'cancelled',
    group: 'volume',
    name: { zh: '作废数', en: 'Cancelled' },
    kind: 'count',
    numerator: 'cancelled',
    rule: { zh: '期内作废的案件，不计入各项比率', en: 'cancelled in the period; excluded from every rate' },
  },
  {
    id: 'onTimeDispatchRate',
    group: 'standard',
    name: { zh: '按时派遣率', en: 'On-time dispatch rate' },
    kind: 'rate',
    numerator: 'dispatchedOnTime',
    denominator: 'dispatched',
    rule: {
      zh: `立案后${DISPATCH_LIMIT_MINUTES}分钟内首次派遣的案件 / 期内首次派遣的案件；按类别的计时方式（工作时间或自然时间）；不含作废、合并`,
      en: `first dispatched within ${DISPATCH_LIMIT_MINUTES} minutes of registration / first dispatched in the period; on the category's clock (working or wall hours); cancelled and merged excluded`,
    },
  },
  {
    id: 'onTimeHandlingRate',
    group: 'standard',
    name: { zh: '按时处置率', en: 'On-time handling rate' },
    kind: 'rate',
    numerator: 'handledOnTime',
    denominator: 'handled',
    rule: {
      zh: '处置时间不晚于处置时限的案件 / 期内处置的案件（返工后以最后一次处置为准；挂起顺延时限）',
      en: 'handled by the handling deadline / handled in the period (after rework the last handling counts; holds extend the deadline)',
    },
  },
  {
    id: 'onTimeClosureRate',
    group: 'standard',
    name: { zh: '按期结案率', en: 'On-time closure rate' },
    kind: 'rate',
    numerator: 'closedOnTime',
    denominator: 'dueToClose',
    rule: {
      zh: '按期结案数 / 应结案数：处置时限落在期内的案件为应结案；其中已结案且在时限内处置完毕的为按期结案；未结案的计为未按期',
      en: 'closed on time / due to close: cases whose handling deadline falls in the period are due; those closed and handled by that deadline closed on time; open ones count as late',
    },
  },
  {
    id: 'reworkRate',
    group: 'standard',
    name: { zh: '返工率', en: 'Rework rate' },
    kind: 'rate',
    numerator: 'reworks',
    denominator: 'verifications',
    rule: {
      zh: '核查不通过次数 / 核查次数，按核查日',
      en: 'failed verifications / verifications, on the day of each verification',
    },
  },
  {
    id: 'averageHandlingMinutes',
    group: 'standard',
    name: { zh: '平均处置时长（分钟）', en: 'Average handling time (minutes)' },
    kind: 'average',
    numerator: 'handlingMinutes',
    denominator: 'handled',
    unit: 'minutes',
    rule: {
      zh: '首次派遣至（最后一次）处置完成的时长之和 / 处置案件数；工作时间类别按工作时间计',
      en: 'sum of first dispatch → (last) handling / cases handled; working-hours categories count working minutes only',
    },
  },
  {
    id: 'returns',
    group: 'coordination',
    name: { zh: '退回次数', en: 'Returns' },
    kind: 'count',
    numerator: 'returns',
    rule: {
      zh: '部门退回案件的次数，计入退回的部门，按退回日（含后来作废、合并的案件）',
      en: 'times a department sent a case back, counted to that department on the day (cases later cancelled or merged included)',
    },
  },
  {
    id: 'reassigns',
    group: 'coordination',
    name: { zh: '改派次数', en: 'Reassignments' },
    kind: 'count',
    numerator: 'reassigns',
    rule: {
      zh: '案件改派的次数，计入被改派走的部门，按改派日',
      en: 'times a case was reassigned, counted to the department it was taken from, on the day',
    },
  },
  {
    id: 'averageMinutesToRightAcceptance',
    group: 'coordination',
    name: {
      zh: '正确部门签收平均时长（分钟）',
      en: 'Average time until the right department accepted (minutes)',
    },
    kind: 'average',
    numerator: 'rightAcceptMinutes',
    denominator: 'rightAccepted',
    unit: 'minutes',
    rule: {
      zh: '首次派遣至最终承办部门签收的时长之和 / 签收案件数，按签收日；按类别的计时方式',
      en: 'sum of first dispatch → acceptance by the department that kept the case / cases accepted, on the acceptance day; on the category clock',
    },
  },
  {
    id: 'redirectedShare',
    group: 'coordination',
    name: { zh: '经退回或改派后签收占比', en: 'Accepted only after a return or reassignment' },
    kind: 'rate',
    numerator: 'acceptedAfterRedirect',
    denominator: 'rightAccepted',
    rule: {
      zh: '签收前曾被退回或改派的案件 / 签收案件数',
      en: 'cases returned or reassigned before the acceptance that stands / cases accepted',
    },
  },
  {
    id: 'duplicatesMerged',
    group: 'coordination',
    name: { zh: '合并重复上报数', en: 'Duplicates merged' },
    kind: 'count',
    numerator: 'merged',
    rule: {
      zh: '作为重复上报合并到其他案件的上报，按合并日；不计入各项比率',
      en: 'reports merged into another case as duplicates, on the merge day; excluded from the rates',
    },
  },
  {
    id: 'jointVisitCases',
    group: 'coordination',
    name: { zh: '联合检查覆盖案件数', en: 'Cases covered by joint visits' },
    kind: 'count',
    numerator: 'jointVisitCases',
    rule: {
      zh: '被综合查一次覆盖的案件，按覆盖日',
      en: 'cases covered by a joint visit (综合查一次), on the day covered',
    },
  },
  {
    id: 'jointVisits',
    group: 'coordination',
    name: { zh: '联合检查次数', en: 'Joint visits' },
    kind: 'count',
    numerator: 'jointVisits',
    rule: {
      zh: '综合查一次的次数（计于其首个案件）',
      en: "joint visits (counted on each visit's first case)",
    },
  },
  {
    id: 'visitsSaved',
    group: 'coordination',
    name: { zh: '减少上门次数', en: 'Visits saved' },
    kind: 'count',
    numerator: 'jointVisitCases',
    minus: 'jointVisits',
    rule: {
      zh: '覆盖案件数 − 联合检查次数：各部门分别上门本需的次数减去实际次数',
      en: 'covered cases − joint visits: the separate visits the departments would have made, less those made',
    },
  },
];

export interface FigureValue {
  id: string;
  numerator: number;
  denominator?: number;
  /** Rate 0–1, average, or count; null when the denominator is 0 (no rate to state). */
  value: number | null;
}

/** The figures of a sum of buckets. Rates are rounded to 4 places, averages to 1 decimal. */
export const figuresOf = (counters: Counters | Record<string, number>): FigureValue[] =>
  FIGURES.map((f) => {
    const c = counters as Record<string, number>;
    const numerator = (c[f.numerator] ?? 0) - (f.minus ? (c[f.minus] ?? 0) : 0);
    if (!f.denominator) return { id: f.id, numerator, value: numerator };
    const denominator = c[f.denominator] ?? 0;
    const value =
      denominator === 0
        ? null
        : f.kind === 'rate'
          ? Math.round((numerator / denominator) * 10_000) / 10_000
          : Math.round((numerator / denominator) * 10) / 10;
    return { id: f.id, numerator, denominator, value };
  });
