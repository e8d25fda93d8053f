import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  type BatchGetCommandInput,
  type BatchGetCommandOutput,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { CASE_SUMMARY_SOURCE, type Case, type CaseSummarySource } from '../../domain/case';
import { CANDIDATE_FIELDS } from '../../domain/dedup';
import { VersionConflictError } from '../../domain/errors';
import type {
  CaseListQuery,
  CasePage,
  CaseStore,
  CreateResult,
  DedupCandidate,
  IntakeFingerprint,
  StoredCase,
} from '../../ports';
import { CASE_FIELDS, caseKey, fromItem, toItem } from './case-item';
import { decodeIndexCursor, encodeIndexCursor } from './index-cursor';
import { INDEXES, type IndexDesign } from './table-design';

export interface DynamoCaseStoreOptions {
  client: DynamoDBDocumentClient;
  tableName: string;
}

/** A dedup lookup reads at most this many recent cases per geo cell. */
const MAX_CELL_CANDIDATES = 200;

// What dedup reads of a candidate, and all a cell query returns.
const CANDIDATE_NAMES = Object.fromEntries(CANDIDATE_FIELDS.map((name, i) => [`#a${i}`, name]));
const CANDIDATE_PROJECTION = Object.keys(CANDIDATE_NAMES).join(', ');

/** A list query never reads more than this many pages looking for filtered items. */
const MAX_PAGES_PER_LIST = 10;

interface IndexChoice {
  index: IndexDesign;
  partition: string;
  /** Condition on the sort key (overdue: due before now). */
  sortBefore?: string;
  /** Condition on the sort key (changes: after the instant asked for). */
  sortAfter?: string;
  /** Newest first, except the due index which lists the most overdue first. */
  forward: boolean;
}

/** The most selective index for the filters given; the remaining filters become a FilterExpression. */
const chooseIndex = (query: CaseListQuery): IndexChoice => {
  // Changes since an instant: a short, recent stretch of one index, whatever the other filters.
  if (query.changedSince) {
    return { index: INDEXES.byChange, partition: 'CHANGES', sortAfter: query.changedSince, forward: true };
  }
  // A reporter's scope is the narrowest partition there is.
  if (query.submittedBy) {
    return { index: INDEXES.bySubmitter, partition: `SUBMITTER#${query.submittedBy}`, forward: false };
  }
  if (query.possibleDuplicate) return { index: INDEXES.byQueue, partition: 'REVIEW', forward: false };
  if (query.overdue === true)
    return { index: INDEXES.byDue, partition: 'DUE', sortBefore: query.now, forward: true };
  if (query.department)
    return { index: INDEXES.byDepartment, partition: `DEPT#${query.department}`, forward: false };
  if (query.zone) return { index: INDEXES.byZone, partition: `ZONE#${query.zone}`, forward: false };
  if (query.status) return { index: INDEXES.byStatus, partition: `STATUS#${query.status}`, forward: false };
  return { index: INDEXES.all, partition: 'CASES', forward: false };
};

export class DynamoCaseStore implements CaseStore {
  private readonly client: DynamoDBDocumentClient;
  private readonly tableName: string;

  constructor(options: DynamoCaseStoreOptions) {
    this.client = options.client;
    this.tableName = options.tableName;
  }

  async create(c: Case, intake: IntakeFingerprint): Promise<CreateResult> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: toItem(c, intake),
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return { created: true };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const existing = await this.get(c.id);
      // Only a concurrent delete could make it vanish; there are no deletes.
      if (!existing) throw error;
      return { created: false, existing };
    }
  }

  async get(id: string): Promise<StoredCase | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: caseKey(id), ConsistentRead: true }),
    );
    return Item ? fromItem(Item) : undefined;
  }

  async save(next: StoredCase, expectedVersion: number): Promise<void> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: toItem(next.case, next.intake),
          ConditionExpression: 'version = :expected',
          ExpressionAttributeValues: { ':expected': expectedVersion },
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException)
        throw new VersionConflictError(next.case.id, expectedVersion);
      throw error;
    }
  }

  async list(query: CaseListQuery): Promise<CasePage> {
    const page = await this.query(query, CASE_FIELDS);
    return {
      items: page.items.map((item) => fromItem(item).case),
      ...(page.cursor && { cursor: page.cursor }),
    };
  }

  async listSummaries(query: CaseListQuery): Promise<{ items: CaseSummarySource[]; cursor?: string }> {
    const page = await this.query(query, CASE_SUMMARY_SOURCE);
    return {
      items: page.items.map((item) => fromItem(item).case as CaseSummarySource),
      ...(page.cursor && { cursor: page.cursor }),
    };
  }

  /**
   * One page of a list, as items. With `attributes`, only those are read back (and the keys the
   * cursor needs): the filters still see the whole item, the reply carries a fraction of it.
   */
  private async query(
    query: CaseListQuery,
    attributes?: readonly string[],
  ): Promise<{ items: Record<string, unknown>[]; cursor?: string }> {
    const choice = chooseIndex(query);
    const { index } = choice;
    const names: Record<string, string> = { '#ipk': index.partitionKey };
    const values: Record<string, unknown> = { ':ipk': choice.partition };
    let keyCondition = '#ipk = :ipk';
    if (choice.sortBefore) {
      names['#isk'] = index.sortKey;
      values[':before'] = choice.sortBefore;
      keyCondition += ' AND #isk < :before';
    }
    if (choice.sortAfter) {
      names['#isk'] = index.sortKey;
      // '~' sorts after every id character: strictly later instants only, not the instant itself.
      values[':after'] = `${choice.sortAfter}~`;
      keyCondition += ' AND #isk > :after';
    }
    const filters: string[] = [];
    const filterOn = (path: string[], value: unknown, name: string) => {
      const placeholders = path.map((attribute, i) => {
        names[`#${name}${i}`] = attribute;
        return `#${name}${i}`;
      });
      values[`:${name}`] = value;
      filters.push(`${placeholders.join('.')} = :${name}`);
    };
    if (query.submittedBy && index !== INDEXES.bySubmitter)
      filterOn(['gsi6pk'], `SUBMITTER#${query.submittedBy}`, 'submitter');
    if (query.possibleDuplicate && index !== INDEXES.byQueue) filterOn(['gsi8pk'], 'REVIEW', 'queue');
    if (query.status && index !== INDEXES.byStatus) filterOn(['gsi2pk'], `STATUS#${query.status}`, 'status');
    if (query.department && index !== INDEXES.byDepartment)
      filterOn(['gsi3pk'], `DEPT#${query.department}`, 'dept');
    if (query.zone && index !== INDEXES.byZone) filterOn(['gsi4pk'], `ZONE#${query.zone}`, 'zone');
    if (query.overdue === true && index !== INDEXES.byDue) {
      names['#due'] = 'nextDueAt';
      values[':now'] = query.now;
      filters.push('#due < :now');
    }
    if (query.overdue === false) {
      names['#due'] = 'nextDueAt';
      values[':now'] = query.now;
      filters.push('(attribute_not_exists(#due) OR #due >= :now)');
    }

    let projection: string | undefined;
    if (attributes) {
      const wanted = [...new Set([...attributes, 'pk', 'sk', index.partitionKey, index.sortKey])];
      projection = wanted
        .map((attribute, i) => {
          names[`#a${i}`] = attribute;
          return `#a${i}`;
        })
        .join(', ');
    }

    const items: Record<string, unknown>[] = [];
    let startKey: Record<string, unknown> | undefined = query.cursor
      ? decodeIndexCursor(query.cursor, index, choice.partition)
      : undefined;
    let lastReturned: Record<string, unknown> | undefined;
    for (let page = 0; page < MAX_PAGES_PER_LIST && items.length < query.limit; page++) {
      const input: QueryCommandInput = {
        TableName: this.tableName,
        IndexName: index.name,
        KeyConditionExpression: keyCondition,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        ScanIndexForward: choice.forward,
        Limit: query.limit - items.length,
        ...(filters.length > 0 && { FilterExpression: filters.join(' AND ') }),
        ...(startKey && { ExclusiveStartKey: startKey }),
        ...(projection && { ProjectionExpression: projection }),
      };
      const result = await this.client.send(new QueryCommand(input));
      for (const item of result.Items ?? []) {
        items.push(item);
        lastReturned = item;
      }
      startKey = result.LastEvaluatedKey;
      if (!startKey) break;
    }
    // Resume after the last item handed out, or after the last one read if the filter kept none.
    const resumeFrom = startKey && (items.length >= query.limit && lastReturned ? lastReturned : startKey);
    return { items, ...(resumeFrom && { cursor: encodeIndexCursor(resumeFrom, index) }) };
  }

  async findInCells(cells: string[], reportedSince: string): Promise<DedupCandidate[]> {
    const pages = await Promise.all(
      cells.map((cell) =>
        this.client.send(
          new QueryCommand({
            TableName: this.tableName,
            IndexName: INDEXES.byCell.name,
            KeyConditionExpression: '#pk = :cell AND #sk >= :since',
            ExpressionAttributeValues: { ':cell': `CELL#${cell}`, ':since': reportedSince },
            ScanIndexForward: false,
            // A cell holds a few days of one neighbourhood's reports; more than this is a flood.
            Limit: MAX_CELL_CANDIDATES,
            // Timelines are most of a case's size: in a busy neighbourhood, reading them for every
            // candidate was most of the router's work.
            ProjectionExpression: CANDIDATE_PROJECTION,
            ExpressionAttributeNames: {
              '#pk': INDEXES.byCell.partitionKey,
              '#sk': INDEXES.byCell.sortKey,
              ...CANDIDATE_NAMES,
            },
          }),
        ),
      ),
    );
    return pages.flatMap((page) => (page.Items ?? []) as DedupCandidate[]);
  }

  async getMany(ids: string[]): Promise<Case[]> {
    return (await this.getManyStored(ids)).map((stored) => stored.case);
  }

  async getManyStored(ids: string[]): Promise<StoredCase[]> {
    const unique = [...new Set(ids)];
    const found: StoredCase[] = [];
    // BatchGet takes 100 keys; the callers pass a handful.
    for (let start = 0; start < unique.length; start += 100) {
      const keys = unique.slice(start, start + 100).map(caseKey);
      let request: BatchGetCommandInput['RequestItems'] = {
        [this.tableName]: { Keys: keys, ConsistentRead: true },
      };
      while (request && Object.keys(request).length > 0) {
        const result: BatchGetCommandOutput = await this.client.send(
          new BatchGetCommand({ RequestItems: request }),
        );
        for (const item of result.Responses?.[this.tableName] ?? []) found.push(fromItem(item));
        request = result.UnprocessedKeys;
      }
    }
    return found;
  }

  async listUnrouted(reportedBefore: string, limit: number): Promise<Pick<Case, 'id' | 'location'>[]> {
    const result = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: INDEXES.byStatus.name,
        KeyConditionExpression: '#pk = :reported AND #sk < :before',
        ExpressionAttributeNames: { '#pk': INDEXES.byStatus.partitionKey, '#sk': INDEXES.byStatus.sortKey },
        ExpressionAttributeValues: { ':reported': 'STATUS#reported', ':before': reportedBefore },
        ScanIndexForward: true,
        Limit: limit,
      }),
    );
    return (result.Items ?? []).map((item) => {
      const { id, location } = fromItem(item).case;
      return { id, location };
    });
  }
}
