import { type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { InvalidInputError } from '../../domain/errors';
import type { IndexDesign } from './table-design';

/**
 * Opaque page cursors over one GSI: the last key read, base64url. A cursor is checked to hold
 * exactly that index's key attributes, so one from another query is a clear 400, not a wrong page.
 */
export const encodeIndexCursor = (item: Record<string, unknown>, index: IndexDesign): string =>
  Buffer.from(
    JSON.stringify({
      pk: item.pk,
      sk: item.sk,
      [index.partitionKey]: item[index.partitionKey],
      [index.sortKey]: item[index.sortKey],
    }),
  ).toString('base64url');

export const decodeIndexCursor = (
  cursor: string,
  index: IndexDesign,
  partition: string,
): Record<string, string> => {
  const invalid = () =>
    new InvalidInputError('cursor', 'invalid_cursor', 'the cursor does not belong to this query');
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (typeof key !== 'object' || key === null || Array.isArray(key)) throw invalid();
  const expected = ['pk', 'sk', index.partitionKey, index.sortKey].sort().join();
  const entries = Object.entries(key);
  if (
    entries
      .map(([name]) => name)
      .sort()
      .join() !== expected ||
    entries.some(([, value]) => typeof value !== 'string') ||
    (key as Record<string, unknown>)[index.partitionKey] !== partition
  )
    throw invalid();
  return key as Record<string, string>;
};

/**
 * One page of an index partition, newest first, resuming from a cursor of this partition: the
 * query every list of a single partition (visits by status, a premises' history) shares.
 */
export const queryIndexPage = async (
  client: DynamoDBDocumentClient,
  request: { tableName: string; index: IndexDesign; partition: string; limit: number; cursor?: string },
): Promise<{ items: Record<string, unknown>[]; cursor?: string }> => {
  const { index, partition, cursor } = request;
  const result = await client.send(
    new QueryCommand({
      TableName: request.tableName,
      IndexName: index.name,
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': index.partitionKey },
      ExpressionAttributeValues: { ':pk': partition },
      ScanIndexForward: false,
      Limit: request.limit,
      ...(cursor && { ExclusiveStartKey: decodeIndexCursor(cursor, index, partition) }),
    }),
  );
  const items = result.Items ?? [];
  const last = items[items.length - 1];
  return { items, ...(result.LastEvaluatedKey && last && { cursor: encodeIndexCursor(last, index) }) };
};
