import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { DistrictConfig } from '../../district/schema';
import type { Case } from '../../domain/case';
import {
  type BucketKey,
  type BucketKind,
  bucketKeyString,
  COUNTERS,
  type Contribution,
  contributionDelta,
  contributionOf,
  HOTSPOT_COUNTERS,
  monthsBetween,
  parseBucketKey,
  wholeMonths,
} from '../../domain/metrics';
import type { MetricsAggregates, MetricsBucket, MetricsRead, MetricsScope } from '../../ports';
import { caseKey } from './case-item';

/**
 * The materialized evaluation aggregates in the single table, kept up to date without streams or
 * transactions (dynalite has neither):
 *
 * - one *contribution* item per case (`CASE#<id>` / `METRICS`) holds what the case has added to the
 *   buckets and at which case version;
 * - one *bucket* item per kind × district day × department × zone × subject (`METRICS#<kind>#<month>`
 *   / `<day>|<department>|<zone>|<subject>`) holds the sums, plus one marker per case (`v:<caseId>`):
 *   the last case version whose delta this bucket received.
 *
 * Applying a case version v is three kinds of single-item conditional writes: (1) the contribution
 * item records `pending = {version v, from, to}` only if it is still at the version it was read at
 * with nothing pending; (2) each bucket adds `to − from` only if its marker for the case is below v,
 * and sets the marker to v; (3) the contribution item becomes `{version v, buckets: to}` only if its
 * pending version is still v. A crash after (1) leaves `pending`, which the next apply of the case
 * (or the rebuild) finishes first; (2) can be replayed any number of times, so a retried or
 * duplicated apply never counts twice, and an apply of an older version than the stored one is a no-op.
 */

export interface DynamoMetricsAggregatesOptions {
  client: DynamoDBDocumentClient;
  tableName: string;
  district: Pick<DistrictConfig, 'timezone' | 'calendar' | 'categories'>;
}

interface Pending {
  version: number;
  from: Contribution;
  to: Contribution;
}

interface ContributionItem {
  version: number;
  buckets: Contribution;
  pending?: Pending;
}

const CONTRIBUTION_SK = 'METRICS';
const MAX_ATTEMPTS = 10;
const DIMENSIONS = ['kind', 'day', 'department', 'zone', 'subject'] as const;

export const contributionKey = (caseId: string) => ({ ...caseKey(caseId), sk: CONTRIBUTION_SK });

export const bucketPartition = (kind: BucketKind, day: string) => `METRICS#${kind}#${day.slice(0, 7)}`;

export const bucketItemKey = (key: BucketKey) => ({
  pk: bucketPartition(key.kind, key.day),
  sk: [key.day, key.department, key.zone, key.subject].join('|'),
});

const markerOf = (caseId: string) => `v:${caseId}`;

const isConditionFailure = (error: unknown) => error instanceof ConditionalCheckFailedException;

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
    return contributionOf(c, this.district);
  }

  private async readContribution(caseId: string): Promise<ContributionItem | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: contributionKey(caseId), ConsistentRead: true }),
    );
    return Item as ContributionItem | undefined;
  }

  async apply(c: Case): Promise<void> {
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const stored = await this.readContribution(c.id);
      if (stored?.pending) {
        await this.finish(c.id, stored.pending);
        continue;
      }
      if (stored && stored.version >= c.version) return;
      const from = stored?.buckets ?? {};
      const pending: Pending = { version: c.version, from, to: this.contributionOf(c) };
      try {
        await this.putPending(c.id, stored, from, pending);
      } catch (error) {
        // Another apply of this case got there first: read again and help it finish.
        if (isConditionFailure(error)) continue;
        throw error;
      }
      await this.finish(c.id, pending);
      return;
    }
    throw new Error(`metrics for case ${c.id} kept changing under ${MAX_ATTEMPTS} attempts`);
  }

  /**
   * `apply` for a batch. Step (1) stays one conditional write per case (it is what makes a crash
   * recoverable); step (2) adds every case's increments to a bucket in one write, which sets each
   * case's marker and is conditional on all of them being below the version (a retry of a batch cut
   * short falls back to the per-case writes for that bucket, which skip what is in); step (3) as in
   * `apply`. The contribution items are read in one request per hundred cases.
   */
  async applyAll(cases: Case[]): Promise<void> {
    const latest = new Map<string, Case>();
    for (const c of cases) if ((latest.get(c.id)?.version ?? -1) < c.version) latest.set(c.id, c);
    const stored = await this.readContributions([...latest.keys()]);
    const alone: Case[] = [];
    const prepared: { c: Case; pending: Pending }[] = [];
    await Promise.all(
      [...latest.values()].map(async (c) => {
        const item = stored.get(c.id);
        if (item?.pending) {
          alone.push(c); // an apply cut short: the single path finishes it first
          return;
        }
        if (item && item.version >= c.version) return;
        const from = item?.buckets ?? {};
        const pending: Pending = { version: c.version, from, to: this.contributionOf(c) };
        try {
          await this.putPending(c.id, item, from, pending);
          prepared.push({ c, pending });
        } catch (error) {
          if (!isConditionFailure(error)) throw error;
          alone.push(c); // someone else applied this case meanwhile: the single path sorts it out
        }
      }),
    );
    const perBucket = new Map<
      string,
      { caseId: string; version: number; counters: Record<string, number> }[]
    >();
    for (const { c, pending } of prepared) {
      for (const [key, counters] of Object.entries(contributionDelta(pending.from, pending.to))) {
        perBucket.set(key, [...(perBucket.get(key) ?? []), { caseId: c.id, version: c.version, counters }]);
      }
    }
    await Promise.all(
      [...perBucket].map(async ([key, parts]) => {
        if (parts.length === 1 || !(await this.addAllToBucket(key, parts))) {
          for (const part of parts) await this.addToBucket(part.caseId, part.version, key, part.counters);
        }
      }),
    );
    await Promise.all(prepared.map(({ c, pending }) => this.settle(c.id, pending)));
    for (const c of alone) await this.apply(c);
  }

  private async readContributions(ids: string[]): Promise<Map<string, ContributionItem>> {
    const found = new Map<string, ContributionItem>();
    for (let start = 0; start < ids.length; start += 100) {
      let request: Record<string, { Keys: Record<string, unknown>[]; ConsistentRead: boolean }> | undefined =
        {
          [this.tableName]: {
            Keys: ids.slice(start, start + 100).map(contributionKey),
            ConsistentRead: true,
          },
        };
      while (request && Object.keys(request).length > 0) {
        const page: BatchGetCommandOutput = await this.client.send(
          new BatchGetCommand({ RequestItems: request }),
        );
        for (const item of page.Responses?.[this.tableName] ?? []) {
          found.set(String(item.pk).slice('CASE#'.length), item as unknown as ContributionItem);
        }
        request = page.UnprocessedKeys as typeof request;
      }
    }
    return found;
  }

  private async putPending(
    caseId: string,
    stored: ContributionItem | undefined,
    from: Contribution,
    pending: Pending,
  ) {
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...contributionKey(caseId),
          entity: 'metrics-contribution',
          version: stored?.version ?? 0,
          buckets: from,
          pending,
        },
        ConditionExpression: stored
          ? 'version = :seen AND attribute_not_exists(pending)'
          : 'attribute_not_exists(pk)',
        ...(stored && { ExpressionAttributeValues: { ':seen': stored.version } }),
      }),
    );
  }

  /**
   * Cases' increments to one bucket in one write, each case's marker set to its version; false (and
   * nothing added) when some case's marker is already at its version or later.
   */
  private async addAllToBucket(
    key: string,
    parts: { caseId: string; version: number; counters: Record<string, number> }[],
  ): Promise<boolean> {
    const bucket = parseBucketKey(key);
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    const sets: string[] = [];
    const conditions: string[] = [];
    parts.forEach((part, i) => {
      names[`#m${i}`] = markerOf(part.caseId);
      values[`:v${i}`] = part.version;
      sets.push(`#m${i} = :v${i}`);
      conditions.push(`(attribute_not_exists(#m${i}) OR #m${i} < :v${i})`);
    });
    for (const dimension of DIMENSIONS) {
      names[`#${dimension}`] = dimension;
      values[`:${dimension}`] = bucket[dimension];
      sets.push(`#${dimension} = :${dimension}`);
    }
    const sums: Record<string, number> = {};
    for (const part of parts)
      for (const [counter, value] of Object.entries(part.counters))
        sums[counter] = (sums[counter] ?? 0) + value;
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

  /** Steps (2) and (3): idempotent, so whoever finds the pending apply may finish it. */
  private async finish(caseId: string, pending: Pending): Promise<void> {
    const delta = contributionDelta(pending.from, pending.to);
    await Promise.all(
      Object.entries(delta).map(([key, counters]) =>
        this.addToBucket(caseId, pending.version, key, counters),
      ),
    );
    await this.settle(caseId, pending);
  }

  /** Step (3): the contribution item records what is now in the buckets, if it is still this apply's. */
  private async settle(caseId: string, pending: Pending): Promise<void> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...contributionKey(caseId),
            entity: 'metrics-contribution',
            version: pending.version,
            buckets: pending.to,
          },
          ConditionExpression: 'pending.version = :version',
          ExpressionAttributeValues: { ':version': pending.version },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  /** One case's increments to one bucket; a marker already at this version (a retry) adds nothing. */
  private async addToBucket(
    caseId: string,
    version: number,
    key: string,
    counters: Record<string, number>,
  ): Promise<void> {
    await this.addAllToBucket(key, [{ caseId, version, counters }]);
  }

  async read(
    kind: BucketKind,
    fromDay: string,
    toDay: string,
    scope: MetricsScope = {},
  ): Promise<MetricsRead> {
    const buckets: MetricsBucket[] = [];
    let itemsRead = 0;
    const counters = kind === 'figures' || kind === 'month' ? COUNTERS : HOTSPOT_COUNTERS;
    const names: Record<string, string> = { '#pk': 'pk', '#sk': 'sk' };
    const projection = [...DIMENSIONS, ...counters].map((attribute, i) => {
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
            ExpressionAttributeValues: { ...values, ':pk': `METRICS#${kind}#${month}` },
            ProjectionExpression: projection.join(', '),
            ...(filters.length > 0 && { FilterExpression: filters.join(' AND ') }),
            ...(startKey && { ExclusiveStartKey: startKey }),
          }),
        );
        itemsRead += page.ScannedCount ?? 0;
        for (const item of page.Items ?? []) {
          const values: Record<string, number> = {};
          for (const counter of counters) {
            const value = item[counter];
            if (typeof value === 'number' && value !== 0) values[counter] = value;
          }
          buckets.push({
            key: {
              kind,
              day: String(item.day),
              department: String(item.department),
              zone: String(item.zone),
              subject: String(item.subject),
            },
            counters: values,
          });
        }
        startKey = page.LastEvaluatedKey;
      } while (startKey);
    }
    return { buckets, itemsRead };
  }

  /**
   * Rebuild, step 1: finish any apply left pending (so the stored contributions say exactly what the
   * buckets hold), then return them for these cases.
   */
  async settledContributions(caseIds: string[]): Promise<Map<string, ContributionItem>> {
    const found = await this.readContributions(caseIds);
    for (const [caseId, stored] of found) {
      if (!stored.pending) continue;
      await this.finish(caseId, stored.pending);
      found.set(caseId, { version: stored.pending.version, buckets: stored.pending.to });
    }
    return found;
  }

  /**
   * Rebuild, step 2: overwrite every bucket of [fromDay, toDay] (those that exist and those the
   * cases make), with each case's marker at the version it was rebuilt from.
   */
  async writeBuckets(
    fromDay: string,
    toDay: string,
    rebuilt: Map<string, { counters: Record<string, number>; markers: Record<string, number> }>,
  ): Promise<number> {
    const existing: string[] = [];
    for (const kind of ['figures', 'cell', 'premises'] as const) {
      for (const bucket of (await this.read(kind, fromDay, toDay)).buckets)
        existing.push(bucketKeyString(bucket.key));
    }
    const months = wholeMonths(fromDay, toDay);
    if (months.length > 0) {
      const read = await this.read('month', months[0] ?? '', months[months.length - 1] ?? '');
      for (const bucket of read.buckets) existing.push(bucketKeyString(bucket.key));
    }
    const keys = new Set([...existing, ...rebuilt.keys()]);
    const all = [...keys];
    // Puts, not deletes: nothing in this table is deleted (see infra/stack/data.ts).
    for (let start = 0; start < all.length; start += 25) {
      await Promise.all(
        all.slice(start, start + 25).map((key) => {
          const bucket = parseBucketKey(key);
          const entry = rebuilt.get(key);
          const markers = Object.fromEntries(
            Object.entries(entry?.markers ?? {}).map(([caseId, version]) => [markerOf(caseId), version]),
          );
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

  /** Rebuild, step 3: the case's contribution item now says what the buckets hold for it. */
  async writeContribution(caseId: string, version: number, buckets: Contribution): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...contributionKey(caseId), entity: 'metrics-contribution', version, buckets },
      }),
    );
  }
}
