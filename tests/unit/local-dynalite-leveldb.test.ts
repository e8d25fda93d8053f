import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand, DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { LEVELDB_WRITE_BUFFER_BYTES } from '../../infra/local/dynalite-leveldb';
import { type LocalDynamoDb, startDynalite } from '../../infra/local/dynamodb';

// The local cloud's dynalite opens LevelDB with a 64 MB write buffer (infra/local/dynalite-leveldb.ts):
// writes below that stay in the buffer and its log, where LevelDB's default 4 MB flushes them to
// table files (`.ldb`) as they come.

interface Level {
  put(key: string, value: string): Promise<void>;
  close(): Promise<void>;
}
const { Level } = createRequire(createRequire(import.meta.url).resolve('dynalite/db'))('level') as {
  Level: new (location: string) => Level;
};

const VALUE = 'x'.repeat(300 * 1024);
/** 10.5 MB: over LevelDB's default buffer, well under ours. */
const WRITES = 35;
const folders: string[] = [];
const folder = () => {
  const dir = mkdtempSync(join(tmpdir(), 'xietong-leveldb-'));
  folders.push(dir);
  return dir;
};
/** Table files anywhere under `dir`: LevelDB writes them when it flushes its buffer. */
const tableFiles = (dir: string) =>
  readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((name) => name.endsWith('.ldb'));
const settle = () => new Promise((resolve) => setTimeout(resolve, 500));

let local: LocalDynamoDb | undefined;
afterAll(async () => {
  await local?.stop();
  for (const dir of folders) rmSync(dir, { recursive: true, force: true });
});

describe("the local cloud's LevelDB write buffer", () => {
  it('is bigger than what the test writes', () => {
    expect(WRITES * VALUE.length).toBeLessThan(LEVELDB_WRITE_BUFFER_BYTES / 4);
  });

  it('flushes the same writes to table files with LevelDB defaults (the premise of the next test)', async () => {
    const dir = folder();
    const db = new Level(dir);
    for (let i = 0; i < WRITES; i++) await db.put(`k${i}`, VALUE);
    await settle();
    expect(tableFiles(dir).length).toBeGreaterThan(0);
    await db.close();
  });

  it("keeps them in its buffer in the local cloud's dynalite, and answers from it", async () => {
    const dir = folder();
    local = await startDynalite(dir);
    const client = new DynamoDBClient({
      endpoint: local.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    const TableName = 'buffered';
    await client.send(
      new CreateTableCommand({
        TableName,
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    for (let i = 0; i < WRITES; i++) {
      await client.send(new PutItemCommand({ TableName, Item: { pk: { S: `k${i}` }, v: { S: VALUE } } }));
    }
    await settle();
    expect(tableFiles(dir)).toEqual([]);
    const { Item } = await client.send(new GetItemCommand({ TableName, Key: { pk: { S: 'k0' } } }));
    expect(Item?.v?.S).toBe(VALUE);
    client.destroy();
  });
});
