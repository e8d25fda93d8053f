import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import {
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateTableCommand,
} from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cacheTableDescriptions } from '../../infra/local/dynalite-table-cache';

// The local cloud's dynalite keeps each table's description instead of reading it from LevelDB on
// every request (infra/local/dynalite-table-cache.ts): every change to a table must still show at once.
type Dynalite = (options: { createTableMs: number; updateTableMs: number; deleteTableMs: number }) => Server;
const dynalite = createRequire(import.meta.url)('dynalite') as Dynalite;

let server: Server;
let client: DynamoDBClient;
beforeAll(async () => {
  cacheTableDescriptions();
  // A table change takes a moment, as on AWS: long enough to be seen under way.
  server = dynalite({ createTableMs: 0, updateTableMs: 200, deleteTableMs: 0 });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  client = new DynamoDBClient({
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
});
afterAll(async () => {
  client.destroy();
  await new Promise<void>((done) => server.close(() => done()));
});

const TableName = 'cached-descriptions';
const describeTable = async () => (await client.send(new DescribeTableCommand({ TableName }))).Table;
/** dynalite finishes a table change a moment after it answers. */
const settled = async () => {
  for (let i = 0; i < 100; i++) {
    const table = await describeTable();
    if (table?.TableStatus === 'ACTIVE') return table;
    await new Promise((done) => setTimeout(done, 10));
  }
  throw new Error('the table never settled');
};
const create = (keyName: string) =>
  client.send(
    new CreateTableCommand({
      TableName,
      AttributeDefinitions: [{ AttributeName: keyName, AttributeType: 'S' }],
      KeySchema: [{ AttributeName: keyName, KeyType: 'HASH' }],
      // Provisioned: the one change dynalite makes to a table is its throughput.
      ProvisionedThroughput: { ReadCapacityUnits: 1, WriteCapacityUnits: 1 },
    }),
  );

describe('the local dynalite’s kept table descriptions', () => {
  it('answers with each change to a table: its throughput changed, the table deleted and made again', async () => {
    await create('pk');
    await settled();
    await client.send(new PutItemCommand({ TableName, Item: { pk: { S: 'a' } } }));

    // Changed after its description was read and kept (dynalite changes a table's throughput, not
    // its indexes): read at once as changing, then as changed.
    const changing = await client.send(
      new UpdateTableCommand({
        TableName,
        ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 7 },
      }),
    );
    expect(changing.TableDescription?.TableStatus).toBe('UPDATING');
    expect((await describeTable())?.TableStatus).toBe('UPDATING');
    const changed = await settled();
    expect(changed.ProvisionedThroughput).toMatchObject({ ReadCapacityUnits: 5, WriteCapacityUnits: 7 });

    // Deleted: gone for every request at once, not only for DescribeTable.
    await client.send(new DeleteTableCommand({ TableName }));
    for (let i = 0; i < 100; i++) {
      const gone = await client
        .send(new GetItemCommand({ TableName, Key: { pk: { S: 'a' } } }))
        .then(() => false)
        .catch((error: Error) => error.name === 'ResourceNotFoundException');
      if (gone) break;
      await new Promise((done) => setTimeout(done, 10));
    }
    await expect(client.send(new GetItemCommand({ TableName, Key: { pk: { S: 'a' } } }))).rejects.toThrow(
      /not found/i,
    );

    // Made again with another key: a kept copy of the old description would refuse this key.
    await create('id');
    await settled();
    await client.send(new PutItemCommand({ TableName, Item: { id: { S: 'c' } } }));
    const again = await client.send(new GetItemCommand({ TableName, Key: { id: { S: 'c' } } }));
    expect(again.Item?.id?.S).toBe('c');
    await expect(client.send(new PutItemCommand({ TableName, Item: { pk: { S: 'd' } } }))).rejects.toThrow(
      /key/i,
    );
  });
});
