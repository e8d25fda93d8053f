/**
 * The evaluation figures (分析研判) as the API, the monthly workbook and the cockpit name and compute
 * them from summed counters: the definitions, and the few helpers a page needs too. Kept apart from
 * the contributions (evaluation.ts) so the cockpit can import the definitions without the deadline
 * clocks and the district schema behind them; evaluation.ts re-exports everything here.
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
  'repeatsAfterClosure',
  'verdicts',
  'satisfiedVerdicts',
  'closedWithVerdict',
] as const;
export type Counter = (typeof COUNTERS)[number];
export type Counters = Partial<Record<Counter, number>>;

/**
 * Registration to first dispatch within this long counts as on time (按时派遣). The standard leaves the
 * limit to the district; half an hour of the category's clock is the common one.
 */
export const DISPATCH_LIMIT_MINUTES = 30;

/** A bucket key's placeholder when the case has no department, zone or category yet. */
export const NONE = '-';

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

export type FigureGroup = 'volume' | 'standard' | 'coordination' | 'satisfaction';

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
    id: 'repeatsAfterClosure',
    group: 'coordination',
    name: { zh: '结案后重复投诉数', en: 'Repeats after closure' },
    kind: 'count',
    numerator: 'repeatsAfterClosure',
    rule: {
      zh: '结案后短期内（地区 closedWithinHours）同一事件再次上报、另立新案并关联原案的次数，按新上报日；说明问题可能未真正解决',
      en: "reports of the same event soon after its case closed (the district's closedWithinHours), registered as new cases linked to the closed one, on the new report day: a sign the problem was not fixed",
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
  {
    id: 'satisfactionRate',
    group: 'satisfaction',
    name: { zh: '满意率', en: 'Satisfaction rate' },
    kind: 'rate',
    numerator: 'satisfiedVerdicts',
    denominator: 'verdicts',
    rule: {
      zh: '（满意＋基本满意）/ 回访评价数：每次结案每位上报人以最后一次评价为准（结案期间可改评），按评价日；含市民自评、12345回访、部门回访与坐席代录；计入被评价的处置部门',
      en: '(satisfied + basically satisfied) / verdicts: per closure, the last verdict on each report counts (re-rating replaces it while the case stays closed), on the verdict day; from the reporter, the 12345 callback, department systems and operators; counted to the department judged',
    },
  },
  {
    id: 'callbackRate',
    group: 'satisfaction',
    name: { zh: '回访率', en: 'Callback rate' },
    kind: 'rate',
    numerator: 'closedWithVerdict',
    denominator: 'closed',
    rule: {
      zh: '已有回访评价的结案案件 / 结案数，按结案日；重新办理的案件待再次结案后重新计',
      en: 'closed cases with a verdict on their closure / cases closed, on the closing day; a reopened case counts again once closed again',
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
