/**
 * The benchmarks that talk to DynamoDB directly: a dynalite on a temporary data folder with the
 * platform's table, and one client of each kind for it.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ensureTable, startDynalite } from '../infra/local/dynamodb';
import type { DistrictConfig } from '../shared/district/schema';
import { pointInPolygon } from '../shared/domain/geo';

export const benchTable = async (name: string) => {
  const dataDir = mkdtempSync(join(tmpdir(), `xietong-bench-${name}-`));
  const dynamo = await startDynalite(join(dataDir, 'dynamodb'));
  const client = new DynamoDBClient({
    endpoint: dynamo.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
  });
  const documents = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  const tableName = 'xietong-bench';
  await ensureTable(client, tableName);
  return { dataDir, dynamo, client, documents, tableName };
};

/** Puts items 25 to a request, eight requests in flight, until nothing is left unprocessed. */
export const putAll = async (
  documents: DynamoDBDocumentClient,
  tableName: string,
  items: Record<string, unknown>[],
): Promise<void> => {
  const batches: Record<string, unknown>[][] = [];
  for (let i = 0; i < items.length; i += 25) batches.push(items.slice(i, i + 25));
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < batches.length) {
        const batch = batches[next++] ?? [];
        let request: Record<string, { PutRequest: { Item: Record<string, unknown> } }[]> | undefined = {
          [tableName]: batch.map((Item) => ({ PutRequest: { Item } })),
        };
        while (request && Object.keys(request).length > 0) {
          const result = await documents.send(new BatchWriteCommand({ RequestItems: request }));
          request = result.UnprocessedItems as typeof request;
        }
      }
    }),
  );
};

/** A random point inside one of the district's zones (the seeded cases of the table benches). */
export const randomPointIn = (config: DistrictConfig) => {
  for (;;) {
    const lat = 30.27 + Math.random() * 0.06;
    const lng = 120.06 + Math.random() * 0.07;
    if (config.zones.some((z) => pointInPolygon({ lat, lng }, z.boundary))) return { lat, lng };
  }
};
