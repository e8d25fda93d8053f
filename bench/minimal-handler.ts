import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import middy from '@middy/core';

/**
 * The yardstick of bench/bundles.ts: the least a middy + DynamoDB function can be, one `GetItem`.
 * Bundled and cold-imported beside the real functions in the same run, so each function's cold start
 * is reported as a ratio to it rather than as milliseconds of a noisy machine.
 */
const client = new DynamoDBClient({});

export const handler = middy(async (event: { id: string }) => {
  const { Item } = await client.send(
    new GetItemCommand({ TableName: process.env.TABLE_NAME, Key: { pk: { S: event.id } } }),
  );
  return Item ?? null;
});
