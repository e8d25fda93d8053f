import type { Case } from '../domain/case';
import {
  addCounters,
  type BucketKey,
  bucketKeyString,
  type Contribution,
  districtDay,
  type FigureValue,
  figuresOf,
  lastDayOf,
  parseBucketKey,
  wholeMonths,
} from '../domain/evaluation';
import type { CaseStore, EvaluationAggregates, EvaluationScope } from '../ports';

export const GROUP_BY = ['department', 'zone', 'category', 'day'] as const;
export type GroupBy = (typeof GROUP_BY)[number];

export interface EvaluationGroup {
  key: string;
  figures: FigureValue[];
  counters: Record<string, number>;
}

export interface EvaluationReport {
  from: string;
  to: string;
  groupBy?: GroupBy;
  total: { figures: FigureValue[]; counters: Record<string, number> };
  groups: EvaluationGroup[];
  /** Aggregate items read to answer (never cases). */
  itemsRead: number;
}

const groupKeyOf = (key: BucketKey, groupBy: GroupBy): string =>
  groupBy === 'category' ? key.subject : key[groupBy];

/**
 * The figure buckets of [from, to]: whole months from the monthly roll-up (a few hundred items a
 * month), the days at either end from the daily buckets; every day when grouping by day.
 */
const readFigures = async (
  aggregates: EvaluationAggregates,
  request: { from: string; to: string; groupBy?: GroupBy; scope: EvaluationScope },
) => {
  const months = request.groupBy === 'day' ? [] : wholeMonths(request.from, request.to);
  if (months.length === 0) return aggregates.read('figures', request.from, request.to, request.scope);
  const first = months[0] ?? '';
  const last = months[months.length - 1] ?? '';
  const shift = (day: string, days: number) =>
    new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
  const reads = [aggregates.read('month', first, last, request.scope)];
  if (request.from < `${first}-01`) {
    reads.push(aggregates.read('figures', request.from, shift(`${first}-01`, -1), request.scope));
  }
  if (lastDayOf(last) < request.to) {
    reads.push(aggregates.read('figures', shift(lastDayOf(last), 1), request.to, request.scope));
  }
  const results = await Promise.all(reads);
  return {
    buckets: results.flatMap((r) => r.buckets),
    itemsRead: results.reduce((sum, r) => sum + r.itemsRead, 0),
  };
};

/** The figures of [from, to] (district days), summed over the caller's scope, optionally grouped. */
export const evaluationReport = async (
  aggregates: EvaluationAggregates,
  request: { from: string; to: string; groupBy?: GroupBy; scope: EvaluationScope },
): Promise<EvaluationReport> => {
  const { buckets, itemsRead } = await readFigures(aggregates, request);
  const total: Record<string, number> = {};
  const groups = new Map<string, Record<string, number>>();
  for (const bucket of buckets) {
    // A bucket a case has moved out of (a department before routing) is left with zeros.
    if (Object.keys(bucket.counters).length === 0) continue;
    addCounters(total, bucket.counters);
    if (request.groupBy) {
      const key = groupKeyOf(bucket.key, request.groupBy);
      const group = groups.get(key) ?? {};
      addCounters(group, bucket.counters);
      groups.set(key, group);
    }
  }
  return {
    from: request.from,
    to: request.to,
    ...(request.groupBy && { groupBy: request.groupBy }),
    total: { figures: figuresOf(total), counters: total },
    groups: [...groups.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([key, counters]) => ({ key, figures: figuresOf(counters), counters })),
    itemsRead,
  };
};

export interface Hotspot {
  id: string;
  count: number;
}

/** The geohash cells with the most reports and the premises with more than one case, most first. */
export const hotspotsReport = async (
  aggregates: EvaluationAggregates,
  request: { from: string; to: string; scope: EvaluationScope; limit: number },
): Promise<{ cells: Hotspot[]; repeatPremises: Hotspot[]; itemsRead: number }> => {
  const [cells, premises] = await Promise.all([
    aggregates.read('cell', request.from, request.to, request.scope),
    aggregates.read('premises', request.from, request.to, request.scope),
  ]);
  const top = (read: typeof cells, counter: string, atLeast: number) => {
    const sums = new Map<string, number>();
    for (const bucket of read.buckets) {
      sums.set(bucket.key.subject, (sums.get(bucket.key.subject) ?? 0) + (bucket.counters[counter] ?? 0));
    }
    return [...sums.entries()]
      .filter(([, count]) => count >= atLeast)
      .sort(([a, x], [b, y]) => y - x || a.localeCompare(b))
      .slice(0, request.limit)
      .map(([id, count]) => ({ id, count }));
  };
  return {
    cells: top(cells, 'reports', 1),
    repeatPremises: top(premises, 'cases', 2),
    itemsRead: cells.itemsRead + premises.itemsRead,
  };
};

/** What a rebuild needs from the aggregates beyond the port (the DynamoDB adapter has it). */
export interface RebuildableAggregates {
  contributionOf(c: Case): Contribution;
  writeBuckets(
    fromDay: string,
    toDay: string,
    rebuilt: Map<string, { counters: Record<string, number>; markers: Record<string, number> }>,
    versions: Map<string, number>,
  ): Promise<number>;
}

const PAGE = 100;

/**
 * Recomputes the aggregates of the district days [fromDay, toDay] from the cases. Every case is read
 * (one reported before the period may be handled or closed in it); its contribution to the period's
 * buckets replaces whatever the buckets held, and each bucket remembers the version of every case
 * it was rebuilt from, so a change the stream delivers afterwards counts only if it is newer. Run it
 * when few cases change (a batch job at night): a case that changes while its page is being read
 * may be counted at either version until its next change.
 */
export const rebuildEvaluation = async (
  deps: { store: CaseStore; aggregates: RebuildableAggregates; timezone: string },
  fromDay: string,
  toDay: string,
): Promise<{ cases: number; buckets: number }> => {
  const inPeriod = (key: string) => {
    const { kind, day } = parseBucketKey(key);
    // A month's roll-up is rebuilt only with the whole month.
    if (kind === 'month') return `${day}-01` >= fromDay && lastDayOf(day) <= toDay;
    return day >= fromDay && day <= toDay;
  };
  const rebuilt = new Map<string, { counters: Record<string, number>; markers: Record<string, number> }>();
  const versions = new Map<string, number>();
  let cursor: string | undefined;
  let cases = 0;
  do {
    const page = await deps.store.list({
      limit: PAGE,
      now: new Date(0).toISOString(),
      ...(cursor && { cursor }),
    });
    for (const c of page.items) {
      cases++;
      versions.set(c.id, c.version);
      // Every event of a case happens on or after its report day.
      if (districtDay(c.reportedAt, deps.timezone) > toDay) continue;
      for (const [key, counters] of Object.entries(deps.aggregates.contributionOf(c))) {
        if (!inPeriod(key)) continue;
        const entry = rebuilt.get(key) ?? { counters: {}, markers: {} };
        addCounters(entry.counters, counters);
        entry.markers[c.id] = c.version;
        rebuilt.set(key, entry);
      }
    }
    cursor = page.cursor;
  } while (cursor);
  const buckets = await deps.aggregates.writeBuckets(fromDay, toDay, rebuilt, versions);
  return { cases, buckets };
};

/** Sums contributions the way the aggregates do: what a test compares the stored buckets with. */
export const sumContributions = (contributions: Contribution[]): Map<string, Record<string, number>> => {
  const sums = new Map<string, Record<string, number>>();
  for (const contribution of contributions) {
    for (const [key, counters] of Object.entries(contribution)) {
      const sum = sums.get(key) ?? {};
      addCounters(sum, counters);
      sums.set(key, sum);
    }
  }
  return sums;
};

export { bucketKeyString };
