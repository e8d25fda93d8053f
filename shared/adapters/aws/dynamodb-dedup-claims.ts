import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Case } from '../../domain/case';
import type { DedupClaim, DedupClaims } from '../../ports';
import { INDEXES } from './table-design';

export interface DynamoDedupClaimsOptions {
  client: DynamoDBDocumentClient;
  tableName: string;
}

const claimKey = (key: string) => ({ pk: `DEDUP#${key}`, sk: 'CLAIM' });

/** The table's one record of when the claims began to keep their registered cells. */
const REGISTERED_CELLS_KEY = { pk: 'DEDUP#REGISTERED-CELLS', sk: 'SINCE' };

type RecentRegistration = DedupClaim['recent'][number];

/**
 * The claim's recent registrations as stored: one string attribute, a line per registration
 * (`<at> <caseId> <lat> <lng>`). A hotspot's claim lists a few hundred, read and rewritten by every
 * batch: as a list of maps the item was 42 KB on the wire, and DynamoDB's work (and the SDK's) went
 * with its attribute count, not just its size.
 */
const encodeRecent = (recent: RecentRegistration[]): string =>
  recent.map((r) => `${r.at} ${r.caseId} ${r.lat} ${r.lng}`).join('\n');

/** Either form: the lines, or the list of maps claims were written with before (kept for 10 s at most). */
const decodeRecent = (stored: unknown): RecentRegistration[] => {
  if (Array.isArray(stored)) return stored as RecentRegistration[];
  if (typeof stored !== 'string' || stored === '') return [];
  return stored.split('\n').map((line) => {
    const [at = '', caseId = '', lat = '', lng = ''] = line.split(' ');
    return { at, caseId, lat: Number(lat), lng: Number(lng) };
  });
};

/**
 * The claim's registered cells as stored: one string attribute, a line per cell (`<cell> <at>`).
 * A hotspot's claim lists a couple of hundred cells of the dedup window; as a map the item was a few
 * hundred attributes for DynamoDB to check and the SDK to convert, on every batch's read and write.
 */
const encodeCells = (cells: Record<string, string>): string =>
  Object.entries(cells)
    .map(([cell, at]) => `${cell} ${at}`)
    .join('\n');

/** Either form: the lines, or the map claims were written with before. */
const decodeCells = (stored: unknown): Record<string, string> => {
  if (typeof stored === 'string') {
    if (stored === '') return {};
    return Object.fromEntries(
      stored.split('\n').map((line) => {
        const space = line.indexOf(' ');
        return [line.slice(0, space), line.slice(space + 1)];
      }),
    );
  }
  return stored && typeof stored === 'object' ? (stored as Record<string, string>) : {};
};

/**
 * The dedup claim item: a sequence number, the cases registered through it lately and the cells of
 * its area that hold registered cases. A router advances it once per batch, listing every report of
 * the batch it is about to register.
 */
export class DynamoDedupClaims implements DedupClaims {
  /** Fixed once written: read (or worked out) once per process. */
  private registeredCellsSinceValue: string | undefined;

  constructor(private readonly options: DynamoDedupClaimsOptions) {}

  async read(key: string): Promise<DedupClaim> {
    const { Item } = await this.options.client.send(
      new GetCommand({ TableName: this.options.tableName, Key: claimKey(key), ConsistentRead: true }),
    );
    return {
      key,
      seq: typeof Item?.seq === 'number' ? Item.seq : 0,
      recent: decodeRecent(Item?.recent),
      registeredCells: decodeCells(Item?.registeredCells),
    };
  }

  async advance(
    claim: DedupClaim,
    registered: Pick<Case, 'id' | 'location'>[],
    now: string,
    keepSince: string,
    registeredCells: Record<string, string> = claim.registeredCells,
  ): Promise<boolean> {
    const ids = new Set(registered.map((r) => r.id));
    const recent = [
      ...claim.recent.filter((entry) => entry.at >= keepSince && !ids.has(entry.caseId)),
      ...registered.map(({ id, location }) => ({
        caseId: id,
        at: now,
        lat: location.lat,
        lng: location.lng,
      })),
    ];
    try {
      await this.options.client.send(
        new PutCommand({
          TableName: this.options.tableName,
          Item: {
            ...claimKey(claim.key),
            entity: 'dedup-claim',
            seq: claim.seq + 1,
            // DynamoDB keeps no empty string: no recent registration, no attribute.
            ...(recent.length > 0 && { recent: encodeRecent(recent) }),
            ...(Object.keys(registeredCells).length > 0 && { registeredCells: encodeCells(registeredCells) }),
          },
          ConditionExpression: claim.seq === 0 ? 'attribute_not_exists(pk)' : 'seq = :seen',
          ...(claim.seq !== 0 && { ExpressionAttributeValues: { ':seen': claim.seq } }),
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  /**
   * Read from the table's record; the first router to ask writes it. A table that holds no routed
   * case yet has had every registration since its beginning listed (''); a table that does was
   * routed by a version that kept no cells, so the lists are complete from `now` on. Two routers
   * asking at once write the same answer; the conditional write keeps the first.
   */
  async registeredCellsSince(now: string): Promise<string> {
    if (this.registeredCellsSinceValue !== undefined) return this.registeredCellsSinceValue;
    const { client, tableName } = this.options;
    const { Item } = await client.send(
      new GetCommand({ TableName: tableName, Key: REGISTERED_CELLS_KEY, ConsistentRead: true }),
    );
    if (typeof Item?.since === 'string') {
      this.registeredCellsSinceValue = Item.since;
      return Item.since;
    }
    const since = (await this.anyRoutedCase()) ? now : '';
    try {
      await client.send(
        new PutCommand({
          TableName: tableName,
          Item: { ...REGISTERED_CELLS_KEY, entity: 'registered-cells-since', since },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      this.registeredCellsSinceValue = since;
      return since;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      return this.registeredCellsSince(now);
    }
  }

  /** Whether any case has left `reported`, oldest first: on a table in use, the first page says so. */
  private async anyRoutedCase(): Promise<boolean> {
    const index = INDEXES.all;
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.options.client.send(
        new QueryCommand({
          TableName: this.options.tableName,
          IndexName: index.name,
          KeyConditionExpression: '#pk = :cases',
          FilterExpression: '#status <> :reported',
          ExpressionAttributeNames: { '#pk': index.partitionKey, '#status': 'status', '#id': 'id' },
          ExpressionAttributeValues: { ':cases': 'CASES', ':reported': 'reported' },
          ProjectionExpression: '#id',
          ...(startKey && { ExclusiveStartKey: startKey }),
        }),
      );
      if ((page.Items ?? []).length > 0) return true;
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return false;
  }
}
