import { type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Case } from '../../domain/case';
import type { WatchedCases } from '../../ports';
import { fromItem } from './case-item';
import { INDEXES } from './table-design';

export interface DynamoWatchedCasesOptions {
  client: DynamoDBDocumentClient;
  tableName: string;
  pageSize?: number;
}

/** Cases whose deadline runs, soonest first, from the due index (the sparse `byDue` GSI). */
export class DynamoWatchedCases implements WatchedCases {
  constructor(private readonly options: DynamoWatchedCasesOptions) {}

  async listWatched(cursor?: string): Promise<{ items: Case[]; cursor?: string }> {
    const index = INDEXES.byDue;
    const result = await this.options.client.send(
      new QueryCommand({
        TableName: this.options.tableName,
        IndexName: index.name,
        KeyConditionExpression: '#pk = :due',
        ExpressionAttributeNames: { '#pk': index.partitionKey },
        ExpressionAttributeValues: { ':due': 'DUE' },
        Limit: this.options.pageSize ?? 500,
        ...(cursor && { ExclusiveStartKey: JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) }),
      }),
    );
    const next = result.LastEvaluatedKey;
    return {
      items: (result.Items ?? []).map((item) => fromItem(item).case),
      ...(next && { cursor: Buffer.from(JSON.stringify(next)).toString('base64url') }),
    };
  }
}
