import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Case } from '../../domain/case';
import type { DedupClaim, DedupClaims } from '../../ports';

export interface DynamoDedupClaimsOptions {
  client: DynamoDBDocumentClient;
  tableName: string;
}

const claimKey = (key: string) => ({ pk: `DEDUP#${key}`, sk: 'CLAIM' });

/**
 * The dedup claim item: a sequence number and the cases registered through it lately. A router
 * advances it once per batch, listing every report of the batch it is about to register.
 */
export class DynamoDedupClaims implements DedupClaims {
  constructor(private readonly options: DynamoDedupClaimsOptions) {}

  async read(key: string): Promise<DedupClaim> {
    const { Item } = await this.options.client.send(
      new GetCommand({ TableName: this.options.tableName, Key: claimKey(key), ConsistentRead: true }),
    );
    return {
      key,
      seq: typeof Item?.seq === 'number' ? Item.seq : 0,
      recent: Array.isArray(Item?.recent) ? (Item.recent as DedupClaim['recent']) : [],
    };
  }

  async advance(
    claim: DedupClaim,
    registered: Pick<Case, 'id' | 'location'>[],
    now: string,
    keepSince: string,
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
          Item: { ...claimKey(claim.key), entity: 'dedup-claim', seq: claim.seq + 1, recent },
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
}
