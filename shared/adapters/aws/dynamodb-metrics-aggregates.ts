import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DistrictConfig } from '../../district/schema';
import type { Case } from '../../domain/case';
import {
  addCounters,
  aggregatedContribution,
  type BucketKey,
  type BucketKind,
  bucketKeyString,
  COUNTERS,
  type Contribution,
  contributionDelta,
  HOTSPOT_COUNTERS,
  monthsBetween,
  parseBucketKey,
  wholeMonths,
} from '../../domain/metrics';
import type { CaseChange, MetricsAggregates, MetricsBucket, MetricsRead, MetricsScope } from '../../ports';

/**
 * The materialized evaluation aggregates in the single table: one *bucket* item per kind × district
 * day × department × zone × subject (`METRICS#<kind>#<month>` / `<day>|<department>|<zone>|<subject>`)
 * holds the sums, plus one marker per case (`v:<caseId>`): the last version of the case whose change
 * this bucket has received.
 *
 * They are fed by the table's change stream (`applyChanges`), off every writer's path: a change's
 * increments are the case's contribution after the write minus its contribution before, so no
 * per-case bookkeeping item is needed. A batch's increments to one bucket are one conditional
 * write, adding them and setting each case's marker, if every marker is below the version of that
 * case's first change in the batch. When a marker is not (a retried batch, wholly or partly applied
 * before; a rebuild that counted the case already), the bucket falls back to one write per change,
 * each conditional on its own version: so nothing ever counts twice, and a stale change is a no-op.
 * See docs/decisions/evaluation-aggregates.md.
 */

export interface DynamoMetricsAggregatesOptions {
  client: DynamoDBDocumentClient;
  tableName: string;
  district: Pick<DistrictConfig, 'timezone' | 'calendar' | 'categories'>;
}

/** One case's increments to one bucket, from the changes after version `since − 1` up to `version`. */
interface BucketPart {
  caseId: string;
  since: number;
  version: number;
  counters: Record<string, number>;
}

/**
 * Cases per conditional bucket write: each adds a marker and a clause to the condition, which
 * DynamoDB caps at 4 KB of expression.
 */
const CASES_PER_WRITE = 40;
const DIMENSIONS = ['kind', 'day', 'department', 'zone', 'subject'] as const;
const MARKER_PREFIX = 'v:';

export const bucketPartition = (kind: BucketKind, day: string) => `METRICS#${kind}#${day.slice(0, 7)}`;

export const bucketItemKey = (key: BucketKey) => ({
  pk: bucketPartition(key.kind, key.day),
  sk: [key.day, key.department, key.zone, key.subject].join('|'),
});

const markerOf = (caseId: string) => `${MARKER_PREFIX}${caseId}`;

const keyOfItem = (kind: BucketKind, item: Record<string, unknown>): BucketKey => ({
  kind,
  day: String(item.day),
  department: String(item.department),
  zone: String(item.zone),
  subject: String(item.subject),
});

const isConditionFailure = (error: unknown) => error instanceof ConditionalCheckFailedException;

/** The version a change wrote (a delete: one past the last). */
const versionOf = (change: CaseChange) => change.after?.version ?? (change.before?.version ?? 0) + 1;

const chunks = <T>(items: T[], size: number): T[][] =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));

export class DynamoMetricsAggregates implements MetricsAggregates {
  private readonly client: DynamoDBDocumentClient;
  private readonly tableName: string;
  private readonly district: DynamoMetricsAggregatesOptions['district'];

  constructor(options: DynamoMetricsAggregatesOptions) {
    this.client = options.client;
    this.tableName = options.tableName;
    this.district = options.district;
  }

  contributionOf(c: Case): Contribution {
    return aggregatedContribution(c, this.district);
  }

  private deltaOf(change: CaseChange): Contribution {
    return contributionDelta(
      change.before ? this.contributionOf(change.before) : {},
      change.after ? this.contributionOf(change.after) : {},
    );
  }

  async applyChanges(changes: CaseChange[]): Promise<void> {
    const byCase = new Map<string, CaseChange[]>();
    for (const change of changes) {
      const id = (change.after ?? change.before)?.id;
      if (id) byCase.set(id, [...(byCase.get(id) ?? []), change]);
    }
    // Each case's changes in the batch as one: its contribution after the last minus before the first.
    const perBucket = new Map<string, BucketPart[]>();
    for (const [caseId, ofCase] of byCase) {
      const first = ofCase[0] as CaseChange;
      const last = ofCase[ofCase.length - 1] as CaseChange;
      const delta = this.deltaOf({
        ...(first.before && { before: first.before }),
        ...(last.after && { after: last.after }),
      });
      for (const [key, counters] of Object.entries(delta)) {
        const part = { caseId, since: versionOf(first), version: versionOf(last), counters };
        perBucket.set(key, [...(perBucket.get(key) ?? []), part]);
      }
    }
    await Promise.all(
      [...perBucket].map(async ([key, parts]) => {
        for (const group of chunks(parts, CASES_PER_WRITE)) {
          if (await this.addToBucket(key, group)) continue;
          // Some case of the group is (partly) in already: each change on its own, in order.
          for (const { caseId } of group) {
            for (const change of byCase.get(caseId) ?? []) {
              const counters = this.deltaOf(change)[key];
              if (!counters) continue;
              const version = versionOf(change);
              await this.addToBucket(key, [{ caseId, since: version, version, counters }]);
            }
          }
        }
      }),
    );
  }

  /**
   * Cases' increments to one bucket in one write, each case's marker set to its version; false (and
   * nothing added) when some case's marker is already at its `since` version or later.
   */
  private async addToBucket(key: string, parts: BucketPart[]): Promise<boolean> {
    const bucket = parseBucketKey(key);
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    const sets: string[] = [];
    const conditions: string[] = [];
    parts.forEach((part, i) => {
      names[`#m${i}`] = markerOf(part.caseId);
      values[`:s${i}`] = part.since;
      values[`:v${i}`] = part.version;
      sets.push(`#m${i} = :v${i}`);
      conditions.push(`(attribute_not_exists(#m${i}) OR #m${i} < :s${i})`);
    });
    for (const dimension of DIMENSIONS) {
      names[`#${dimension}`] = dimension;
      values[`:${dimension}`] = bucket[dimension];
      sets.push(`#${dimension} = :${dimension}`);
    }
    const sums: Record<string, number> = {};
    for (const part of parts) addCounters(sums, part.counters);
    const adds = Object.entries(sums)
      .filter(([, value]) => value !== 0)
      .map(([counter, value], i) => {
        names[`#c${i}`] = counter;
        values[`:c${i}`] = value;
        return `#c${i} :c${i}`;
      });
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: bucketItemKey(bucket),
          UpdateExpression: `SET ${sets.join(', ')}${adds.length > 0 ? ` ADD ${adds.join(', ')}` : ''}`,
          ConditionExpression: conditions.join(' AND '),
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async read(
    kind: BucketKind,
    fromDay: string,
    toDay: string,
    scope: MetricsScope = {},
  ): Promise<MetricsRead> {
    const counters = kind === 'figures' || kind === 'month' ? COUNTERS : HOTSPOT_COUNTERS;
    const { items, itemsRead } = await this.queryItems(kind, fromDay, toDay, scope, [
      ...DIMENSIONS,
      ...counters,
    ]);
    const buckets: MetricsBucket[] = items.map((item) => {
      const values: Record<string, number> = {};
      for (const counter of counters) {
        const value = item[counter];
        if (typeof value === 'number' && value !== 0) values[counter] = value;
      }
      return { key: keyOfItem(kind, item), counters: values };
    });
    return { buckets, itemsRead };
  }

  /** The bucket items of one kind for [fromDay, toDay] in the scope: the attributes named, or all. */
  private async queryItems(
    kind: BucketKind,
    fromDay: string,
    toDay: string,
    scope: MetricsScope,
    attributes?: readonly string[],
  ): Promise<{ items: Record<string, unknown>[]; itemsRead: number }> {
    const items: Record<string, unknown>[] = [];
    let itemsRead = 0;
    const names: Record<string, string> = { '#pk': 'pk', '#sk': 'sk' };
    const projection = attributes?.map((attribute, i) => {
      names[`#p${i}`] = attribute;
      return `#p${i}`;
    });
    const filters: string[] = [];
    const values: Record<string, unknown> = { ':from': `${fromDay}|`, ':to': `${toDay}|~` };
    if (scope.department !== undefined) {
      names['#fdept'] = 'department';
      values[':fdept'] = scope.department;
      filters.push('#fdept = :fdept');
    }
    if (scope.zone !== undefined) {
      names['#fzone'] = 'zone';
      values[':fzone'] = scope.zone;
      filters.push('#fzone = :fzone');
    }
    for (const month of monthsBetween(fromDay, toDay)) {
      let startKey: Record<string, unknown> | undefined;
      do {
        const page = await this.client.send(
          new QueryCommand({
            TableName: this.tableName,
            KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :to',
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: { ...values, ':pk': bucketPartition(kind, `${month}-01`) },
            ...(projection && { ProjectionExpression: projection.join(', ') }),
            ...(filters.length > 0 && { FilterExpression: filters.join(' AND ') }),
            ...(startKey && { ExclusiveStartKey: startKey }),
          }),
        );
        itemsRead += page.ScannedCount ?? 0;
        items.push(...(page.Items ?? []));
        startKey = page.LastEvaluatedKey;
      } while (startKey);
    }
    return { items, itemsRead };
  }

  /**
   * The rebuild's write: overwrites every bucket of [fromDay, toDay] (those that exist and those the
   * cases make) with the counters recomputed from the cases. Every case marker a bucket holds, and
   * every case the rebuild counted in it, is set to the version the rebuild read (`versions`): a
   * change the stream delivers later is then counted only if it is newer than what the rebuild saw.
   */
  async writeBuckets(
    fromDay: string,
    toDay: string,
    rebuilt: Map<string, { counters: Record<string, number>; markers: Record<string, number> }>,
    versions: Map<string, number>,
  ): Promise<number> {
    const existing = new Map<string, string[]>();
    const collect = async (kind: BucketKind, from: string, to: string) => {
      for (const item of (await this.queryItems(kind, from, to, {})).items) {
        const key = bucketKeyString(keyOfItem(kind, item));
        const cases = Object.keys(item)
          .filter((name) => name.startsWith(MARKER_PREFIX))
          .map((name) => name.slice(MARKER_PREFIX.length));
        existing.set(key, cases);
      }
    };
    for (const kind of ['figures', 'cell', 'premises'] as const) await collect(kind, fromDay, toDay);
    const months = wholeMonths(fromDay, toDay);
    if (months.length > 0) await collect('month', months[0] ?? '', months[months.length - 1] ?? '');
    const all = [...new Set([...existing.keys(), ...rebuilt.keys()])];
    // Puts, not deletes: nothing in this table is deleted (see infra/stack/data.ts).
    for (const group of chunks(all, 25)) {
      await Promise.all(
        group.map((key) => {
          const bucket = parseBucketKey(key);
          const markers: Record<string, number> = {};
          for (const caseId of existing.get(key) ?? []) {
            const version = versions.get(caseId);
            if (version !== undefined) markers[markerOf(caseId)] = version;
          }
          const entry = rebuilt.get(key);
          for (const [caseId, version] of Object.entries(entry?.markers ?? {}))
            markers[markerOf(caseId)] = version;
          return this.client.send(
            new PutCommand({
              TableName: this.tableName,
              Item: {
                ...bucketItemKey(bucket),
                entity: 'metrics-bucket',
                ...bucket,
                ...(entry?.counters ?? {}),
                ...markers,
              },
            }),
          );
        }),
      );
    }
    return all.length;
  }
}
