/**
 * The benchmarks that talk to DynamoDB directly: a dynalite on a temporary data folder with the
 * platform's table, and one client of each kind for it.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ensureTable, startDynalite } from '../infra/local/dynamodb';

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
