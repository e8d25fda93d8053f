import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { DistrictConfig } from '../../district/schema';
import type { Case } from '../../domain/case';
import {
  addCounters,
  aggregatedContribution,
  type BucketKey,
  type BucketKind,
  COUNTERS,
  type Contribution,
  contributionDelta,
  HOTSPOT_COUNTERS,
  monthsBetween,
  parseBucketKey,
  wholeMonths,
} from '../../domain/evaluation';
import type {
  CaseChange,
  EvaluationAggregates,
  EvaluationBucket,
  EvaluationRead,
  EvaluationScope,
} from '../../ports';

/**
 * The materialized evaluation aggregates in the single table. A bucket (kind × district day ×
 * department × zone × subject, see shared/domain/evaluation.ts) lives in an *item*:
 *
 * - `figures`, `cell` and `premises` buckets share one item per kind × district day × zone
 *   (`METRICS#<kind>#<month>` / `<day>|<zone>`), one number attribute per bucket and counter
 *   (`<department>|<subject>|<counter>`): a burst in a zone, whatever its categories, corners and
 *   premises, is one write per item and stream batch;
 * - `month` buckets have an item each (`<month>|<department>|<zone>|<subject>`), the counters as
 *   attributes: a month's item of a whole zone would hold a marker for too many cases.
 *
 * Every item also holds one marker per case (`v:<caseId>`): the last version of the case whose change
 * this item has received, and when the stream recorded that change. A marker is kept only as long
 * as a change it guards against can still be delivered (MARKER_LIFETIME_HOURS), so an item holds
 * about a day of its cases, not a month's: sweeping the expired ones keeps it far below DynamoDB's
 * 400 KB item limit, and its writes cheap.
 *
 * They are fed by the table's change stream (`applyChanges`), off every writer's path: a change's
 * increments are the case's contribution after the write minus its contribution before, so no
 * per-case bookkeeping item is needed. A batch's increments to one item are one conditional write,
 * adding them and setting each case's marker, if every marker is below the version of that case's
 * first change in the batch. When a marker is not (a retried batch, wholly or partly applied before;
 * a rebuild that counted the case already), the item falls back to one write per change, each
 * conditional on its own version: so nothing ever counts twice, and a stale change is a no-op.
 * See docs/decisions/evaluation-aggregates.md.
 */

export interface DynamoEvaluationAggregatesOptions {
  client: DynamoDBDocumentClient;
  tableName: string;
  district: Pick<DistrictConfig, 'timezone' | 'calendar' | 'categories'>;
  /** Default SWEEP_EVERY_MARKERS; a test sweeps sooner. */
  sweepEveryMarkers?: number;
}

/** One case's increments to one item, from the changes after version `since − 1` up to `version`. */
interface ItemPart {
  caseId: string;
  since: number;
  version: number;
  /** When the stream recorded the change of `version` (seconds since the epoch). */
  recordedAt: number;
  /** Attribute name → increment. */
  increments: Record<string, number>;
}

/** Where a bucket lives: its item's key, the item's own attributes, and its counters' attribute names. */
interface BucketAddress {
  key: { pk: string; sk: string };
  dimensions: Record<string, string>;
  prefix: string;
}

/**
 * Cases per conditional write, and distinct counters: each case adds a marker and a clause to the
 * condition, each counter a clause to the update, and DynamoDB caps an expression at 4 KB.
 */
const CASES_PER_WRITE = 20;
const INCREMENTS_PER_WRITE = 100;
const MARKER_PREFIX = 'v:';

/**
 * How long a marker outlives the change that set it. A stream record can be delivered again (a
 * retried or bisected batch, a redelivery after a crash) only while it is in the stream, and DynamoDB
 * keeps a record 24 hours; two more cover clocks (the stream's against the rebuild's). After that
 * no change the marker guards against can arrive, and a newer change of the case passes without it.
 */
const MARKER_LIFETIME_HOURS = 26;
/**
 * A marker's value: the case's version, and in its fraction the hour (since the epoch) the change
 * was recorded. Conditions compare it with a whole version (`NOT … >= :since`), which the fraction
 * cannot change. A marker without a fraction (written before markers expired) never expires.
 */
const HOUR_SCALE = 1e6;
const markerValue = (version: number, recordedAt: number) =>
  version + Math.floor(recordedAt / 3600) / HOUR_SCALE;
const markerHour = (value: number) => Math.round((value - Math.floor(value)) * HOUR_SCALE);
const hourOf = (seconds: number) => Math.floor(seconds / 3600);

/**
 * Markers an item has had set since its last sweep (an upper bound on those it holds): each time it
 * passes a multiple of SWEEP_EVERY_MARKERS, the writer sweeps the item's expired markers. A sweep
 * reads the item once, so an item whose markers are all young (a burst) costs one read per 500.
 */
const MARKERS_SET = 'markersSet';
const SWEEP_EVERY_MARKERS = 500;
/** Markers one sweep write removes: each is a clause of its condition (300 operators at most). */
const MARKERS_PER_SWEEP_WRITE = 100;
const DIMENSIONS = ['kind', 'day', 'department', 'zone', 'subject'] as const;
/** Kinds whose buckets share one item per district day × zone. */
const ZONE_ITEM_KINDS: ReadonlySet<BucketKind> = new Set(['figures', 'cell', 'premises']);

export const bucketPartition = (kind: BucketKind, day: string) => `METRICS#${kind}#${day.slice(0, 7)}`;

export const bucketAddress = (bucket: BucketKey): BucketAddress => {
  const pk = bucketPartition(bucket.kind, bucket.day);
  if (ZONE_ITEM_KINDS.has(bucket.kind)) {
    return {
      key: { pk, sk: `${bucket.day}|${bucket.zone}` },
      dimensions: { kind: bucket.kind, day: bucket.day, zone: bucket.zone },
      prefix: `${bucket.department}|${bucket.subject}|`,
    };
  }
  return {
    key: { pk, sk: [bucket.day, bucket.department, bucket.zone, bucket.subject].join('|') },
    dimensions: { ...bucket },
    prefix: '',
  };
};

const itemId = (key: { pk: string; sk: string }) => `${key.pk} ${key.sk}`;

/**
 * The buckets an item holds, with their counters among `counters`. An item with a `department`
 * attribute holds one bucket (month items, and items of the other kinds written before they shared
 * a zone's item: the rebuild rewrites those to zero).
 */
const bucketsOfItem = (
  kind: BucketKind,
  item: Record<string, unknown>,
  counters: readonly string[],
): EvaluationBucket[] => {
  const wanted = new Set(counters);
  if (item.department !== undefined) {
    const values: Record<string, number> = {};
    for (const counter of counters) {
      const value = item[counter];
      if (typeof value === 'number' && value !== 0) values[counter] = value;
    }
    const key = {
      kind,
      day: String(item.day),
      department: String(item.department),
      zone: String(item.zone),
      subject: String(item.subject),
    };
    return [{ key, counters: values }];
  }
  const buckets = new Map<string, EvaluationBucket>();
  for (const [name, value] of Object.entries(item)) {
    if (typeof value !== 'number' || value === 0 || name.startsWith(MARKER_PREFIX)) continue;
    const [department, subject, counter] = name.split('|');
    if (department === undefined || subject === undefined || counter === undefined || !wanted.has(counter))
      continue;
    const id = `${department}|${subject}`;
    const bucket = buckets.get(id) ?? {
      key: { kind, day: String(item.day), department, zone: String(item.zone), subject },
      counters: {},
    };
    bucket.counters[counter] = value;
    buckets.set(id, bucket);
  }
  return [...buckets.values()];
};

/** A bucket item as the rebuild (and the evaluation bench's seeding) writes it whole. */
export const bucketItem = (
  address: Pick<BucketAddress, 'key' | 'dimensions'>,
  attributes: Record<string, number>,
): Record<string, unknown> => ({
  ...address.key,
  entity: 'metrics-bucket',
  ...address.dimensions,
  ...attributes,
});

/** A contribution (bucket key → counters) as item id → attribute increments. */
const incrementsByItem = (contribution: Contribution) => {
  const items = new Map<string, { address: BucketAddress; increments: Record<string, number> }>();
  for (const [key, counters] of Object.entries(contribution)) {
    const address = bucketAddress(parseBucketKey(key));
    const id = itemId(address.key);
    const entry = items.get(id) ?? { address, increments: {} };
    for (const [counter, value] of Object.entries(counters)) {
      const name = `${address.prefix}${counter}`;
      entry.increments[name] = (entry.increments[name] ?? 0) + value;
    }
    items.set(id, entry);
  }
  return items;
};

const markerOf = (caseId: string) => `${MARKER_PREFIX}${caseId}`;

const isExpired = (value: number, expiredBeforeHour: number) => {
  const hour = markerHour(value);
  return hour > 0 && hour < expiredBeforeHour;
};

const isConditionFailure = (error: unknown) => error instanceof ConditionalCheckFailedException;

/** The version a change wrote (a delete: one past the last). */
const versionOf = (change: CaseChange) => change.after?.version ?? (change.before?.version ?? 0) + 1;

/**
 * Item writes a batch keeps in flight. A burst spread over the district touches hundreds of month
 * items per batch: sent all at once they would queue ahead of every reader of the table for a
 * moment (the cockpit's list, the routers), on AWS as on the local cloud.
 */
const WRITES_IN_FLIGHT = 8;

/** Runs `work` over `items`, at most `limit` at a time. */
const inParallel = async <T>(items: T[], limit: number, work: (item: T) => Promise<void>) => {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
};

const chunks = <T>(items: T[], size: number): T[][] =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));

/** Parts in groups that fit one write: at most CASES_PER_WRITE cases and INCREMENTS_PER_WRITE counters. */
const writeGroups = (parts: ItemPart[]): ItemPart[][] => {
  const groups: ItemPart[][] = [];
  let group: ItemPart[] = [];
  let names = new Set<string>();
  for (const part of parts) {
    const more = Object.keys(part.increments).filter((name) => !names.has(name));
    if (
      group.length > 0 &&
      (group.length >= CASES_PER_WRITE || names.size + more.length > INCREMENTS_PER_WRITE)
    ) {
      groups.push(group);
      group = [];
      names = new Set();
    }
    group.push(part);
    for (const name of Object.keys(part.increments)) names.add(name);
  }
  if (group.length > 0) groups.push(group);
  return groups;
};

export class DynamoEvaluationAggregates implements EvaluationAggregates {
  private readonly client: DynamoDBDocumentClient;
  private readonly tableName: string;
  private readonly district: DynamoEvaluationAggregatesOptions['district'];
  private readonly sweepEveryMarkers: number;

  constructor(options: DynamoEvaluationAggregatesOptions) {
    this.client = options.client;
    this.tableName = options.tableName;
    this.district = options.district;
    this.sweepEveryMarkers = options.sweepEveryMarkers ?? SWEEP_EVERY_MARKERS;
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
    const now = Date.now() / 1000;
    const recordedAt = (change: CaseChange) => change.recordedAt ?? now;
    // Counted from the batch's oldest change, not the clock: a stream read late (a local cloud
    // stopped for days keeps its records) may still redeliver what came just before this batch.
    const oldest = changes.reduce((min, change) => Math.min(min, recordedAt(change)), now);
    const expiredBeforeHour = hourOf(oldest) - MARKER_LIFETIME_HOURS;
    const byCase = new Map<string, CaseChange[]>();
    for (const change of changes) {
      const id = (change.after ?? change.before)?.id;
      if (id) byCase.set(id, [...(byCase.get(id) ?? []), change]);
    }
    // Each case's changes in the batch as one: its contribution after the last minus before the first.
    const perItem = new Map<string, { address: BucketAddress; parts: ItemPart[] }>();
    for (const [caseId, ofCase] of byCase) {
      const first = ofCase[0] as CaseChange;
      const last = ofCase[ofCase.length - 1] as CaseChange;
      const delta = this.deltaOf({
        ...(first.before && { before: first.before }),
        ...(last.after && { after: last.after }),
      });
      for (const [id, { address, increments }] of incrementsByItem(delta)) {
        const entry = perItem.get(id) ?? { address, parts: [] };
        entry.parts.push({
          caseId,
          since: versionOf(first),
          version: versionOf(last),
          recordedAt: recordedAt(last),
          increments,
        });
        perItem.set(id, entry);
      }
    }
    await inParallel([...perItem], WRITES_IN_FLIGHT, async ([id, { address, parts }]) => {
      let sweepDue = false;
      for (const group of writeGroups(parts)) {
        const added = await this.addToItem(address, group);
        sweepDue ||= added.sweepDue;
        if (added.added) continue;
        // Some case of the group is (partly) in already: each change on its own, in order.
        for (const { caseId } of group) {
          for (const change of byCase.get(caseId) ?? []) {
            const increments = incrementsByItem(this.deltaOf(change)).get(id)?.increments;
            if (!increments) continue;
            const version = versionOf(change);
            const one = await this.addToItem(address, [
              { caseId, since: version, version, recordedAt: recordedAt(change), increments },
            ]);
            sweepDue ||= one.sweepDue;
          }
        }
      }
      if (sweepDue) await this.sweepExpiredMarkers(address.key, expiredBeforeHour);
    });
  }

  /**
   * Cases' increments to one item in one write, each case's marker set to its version; not `added`
   * (and nothing added) when some case's marker is already at its `since` version or later.
   * `sweepDue`: the write took the item's count of markers set past a multiple of SWEEP_EVERY_MARKERS.
   */
  private async addToItem(
    address: BucketAddress,
    parts: ItemPart[],
  ): Promise<{ added: boolean; sweepDue: boolean }> {
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    const sets: string[] = [];
    const conditions: string[] = [];
    parts.forEach((part, i) => {
      names[`#m${i}`] = markerOf(part.caseId);
      values[`:s${i}`] = part.since;
      values[`:v${i}`] = markerValue(part.version, part.recordedAt);
      sets.push(`#m${i} = :v${i}`);
      // "No marker, or one below `since`": a comparison with a missing attribute is false, so its
      // negation holds (markers are always numbers). Said as `attribute_not_exists(…) OR … < …`
      // each clause needs parentheses, which cost the local cloud's dynalite, whose expression
      // parser backtracks over them, about ten times as much CPU to parse.
      conditions.push(`NOT #m${i} >= :s${i}`);
    });
    Object.entries(address.dimensions).forEach(([dimension, value], i) => {
      names[`#d${i}`] = dimension;
      values[`:d${i}`] = value;
      sets.push(`#d${i} = :d${i}`);
    });
    const sums: Record<string, number> = {};
    for (const part of parts) addCounters(sums, part.increments);
    const adds = Object.entries(sums)
      .filter(([, value]) => value !== 0)
      .map(([name, value], i) => {
        names[`#c${i}`] = name;
        values[`:c${i}`] = value;
        return `#c${i} :c${i}`;
      });
    names['#markersSet'] = MARKERS_SET;
    values[':markersSet'] = parts.length;
    adds.push('#markersSet :markersSet');
    try {
      const { Attributes } = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: address.key,
          UpdateExpression: `SET ${sets.join(', ')} ADD ${adds.join(', ')}`,
          ConditionExpression: conditions.join(' AND '),
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          // What the write changed only (small): the count of markers set tells when to sweep.
          ReturnValues: 'UPDATED_NEW',
        }),
      );
      const total = Attributes?.[MARKERS_SET];
      const sweepDue =
        typeof total === 'number' &&
        Math.floor(total / this.sweepEveryMarkers) >
          Math.floor((total - parts.length) / this.sweepEveryMarkers);
      return { added: true, sweepDue };
    } catch (error) {
      if (isConditionFailure(error)) return { added: false, sweepDue: false };
      throw error;
    }
  }

  /**
   * Removes an item's markers set before `expiredBeforeHour` (see MARKER_LIFETIME_HOURS). Each is
   * removed only if it is still what was read: a marker set again meanwhile is young, and a write
   * refused for it leaves its group for the next sweep. Counters are not touched.
   */
  private async sweepExpiredMarkers(key: { pk: string; sk: string }, expiredBeforeHour: number) {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }),
    );
    const expired = Object.entries(Item ?? {}).filter(
      (entry): entry is [string, number] =>
        entry[0].startsWith(MARKER_PREFIX) &&
        typeof entry[1] === 'number' &&
        isExpired(entry[1], expiredBeforeHour),
    );
    for (const group of chunks(expired, MARKERS_PER_SWEEP_WRITE)) {
      const names: Record<string, string> = { '#markersSet': MARKERS_SET };
      const values: Record<string, number> = { ':removed': -group.length };
      group.forEach(([name, value], i) => {
        names[`#m${i}`] = name;
        values[`:m${i}`] = value;
      });
      try {
        await this.client.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: key,
            UpdateExpression: `REMOVE ${group.map((_, i) => `#m${i}`).join(', ')} ADD #markersSet :removed`,
            ConditionExpression: group.map((_, i) => `#m${i} = :m${i}`).join(' AND '),
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
          }),
        );
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }
    }
  }

  async read(
    kind: BucketKind,
    fromDay: string,
    toDay: string,
    scope: EvaluationScope = {},
  ): Promise<EvaluationRead> {
    const counters = kind === 'figures' || kind === 'month' ? COUNTERS : HOTSPOT_COUNTERS;
    const zoneItems = ZONE_ITEM_KINDS.has(kind);
    // A zone's item holds every department's buckets: its department is chosen here, not by a filter.
    const { items, itemsRead } = await this.queryItems(
      kind,
      fromDay,
      toDay,
      zoneItems ? { ...(scope.zone !== undefined && { zone: scope.zone }) } : scope,
      zoneItems ? undefined : [...DIMENSIONS, ...counters],
    );
    const buckets = items
      .flatMap((item) => bucketsOfItem(kind, item, counters))
      .filter((bucket) => scope.department === undefined || bucket.key.department === scope.department);
    return { buckets, itemsRead };
  }

  /** The bucket items of one kind for [fromDay, toDay] in the scope: the attributes named, or all. */
  private async queryItems(
    kind: BucketKind,
    fromDay: string,
    toDay: string,
    scope: EvaluationScope,
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
   * The rebuild's write: overwrites every bucket item of [fromDay, toDay] (those that exist and those
   * the cases make) with the counters recomputed from the cases. Every case marker an item holds, and
   * every case the rebuild counted in it, is set to the version the rebuild read (`versions`): a
   * change the stream delivers later is then counted only if it is newer than what the rebuild saw.
   */
  async writeBuckets(
    fromDay: string,
    toDay: string,
    rebuilt: Map<string, { counters: Record<string, number>; markers: Record<string, number> }>,
    versions: Map<string, number>,
  ): Promise<number> {
    // Its markers guard against changes recorded before now (the cases were read by now).
    const rebuiltAt = Date.now() / 1000;
    const items = new Map<
      string,
      { address: Pick<BucketAddress, 'key' | 'dimensions'>; attributes: Record<string, number> }
    >();
    const collect = async (kind: BucketKind, from: string, to: string) => {
      for (const item of (await this.queryItems(kind, from, to, {})).items) {
        const key = { pk: String(item.pk), sk: String(item.sk) };
        const dimensions = Object.fromEntries(
          DIMENSIONS.filter((name) => item[name] !== undefined).map((name) => [name, String(item[name])]),
        );
        const attributes: Record<string, number> = {};
        for (const name of Object.keys(item)) {
          if (!name.startsWith(MARKER_PREFIX)) continue;
          const version = versions.get(name.slice(MARKER_PREFIX.length));
          if (version !== undefined) attributes[name] = markerValue(version, rebuiltAt);
        }
        items.set(itemId(key), { address: { key, dimensions }, attributes });
      }
    };
    for (const kind of ['figures', 'cell', 'premises'] as const) await collect(kind, fromDay, toDay);
    const months = wholeMonths(fromDay, toDay);
    if (months.length > 0) await collect('month', months[0] ?? '', months[months.length - 1] ?? '');
    for (const [key, { counters, markers }] of rebuilt) {
      const address = bucketAddress(parseBucketKey(key));
      const id = itemId(address.key);
      const entry = items.get(id) ?? { address, attributes: {} };
      // An item of the old layout under this key is rewritten in the new one.
      entry.address = address;
      for (const [counter, value] of Object.entries(counters))
        entry.attributes[`${address.prefix}${counter}`] = value;
      for (const [caseId, version] of Object.entries(markers))
        entry.attributes[markerOf(caseId)] = markerValue(version, rebuiltAt);
      items.set(id, entry);
    }
    for (const { attributes } of items.values()) {
      attributes[MARKERS_SET] = Object.keys(attributes).filter((name) =>
        name.startsWith(MARKER_PREFIX),
      ).length;
    }
    // Puts, not deletes: nothing in this table is deleted (see infra/stack/data.ts).
    for (const group of chunks([...items.values()], 25)) {
      await Promise.all(
        group.map(({ address, attributes }) =>
          this.client.send(
            new PutCommand({ TableName: this.tableName, Item: bucketItem(address, attributes) }),
          ),
        ),
      );
    }
    return items.size;
  }
}
