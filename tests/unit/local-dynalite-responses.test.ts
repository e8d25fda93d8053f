import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { crc32 } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalDynamoDb, startDynalite } from '../../infra/local/dynamodb';

// The local cloud's dynalite encodes its replies in pieces (infra/local/dynalite-responses.ts). The
// same requests to it and to dynalite as published must get the same bytes and the same checksum.

type Dynalite = (options: { createTableMs: number }) => Server;
/** This file never loads the patch: here `dynalite` is the published one. */
const published = createRequire(import.meta.url)('dynalite') as Dynalite;

let local: LocalDynamoDb;
let plain: Server;
let plainEndpoint: string;

const send = async (endpoint: string, operation: string, body: unknown) => {
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.0',
      'x-amz-target': `DynamoDB_20120810.${operation}`,
      'x-amz-date': '20261207T000000Z',
      authorization:
        'AWS4-HMAC-SHA256 Credential=local/20261207/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=test',
    },
    body: JSON.stringify(body),
  });
  const bytes = Buffer.from(await response.arrayBuffer());
  return {
    status: response.status,
    bytes,
    crc: response.headers.get('x-amz-crc32'),
    length: response.headers.get('content-length'),
  };
};
const both = async (operation: string, body: unknown) =>
  Promise.all([send(local.endpoint, operation, body), send(plainEndpoint, operation, body)]);

const TableName = 'replies';
/** Cases as big as a busy one, Chinese text and all: a page of them is well over 64 Ki characters. */
const item = (i: number) => ({
  pk: { S: 'CASES' },
  sk: { S: `C${String(i).padStart(3, '0')}` },
  description: { S: `第${i}号上报（${i}号门前）：小广告贴在电线杆上，"请"处理\\` },
  timeline: {
    L: Array.from({ length: 12 }, (_, n) => ({
      M: {
        action: { S: n === 0 ? 'reported' : 'noted' },
        actor: { M: { name: { S: '镇基层治理综合信息指挥中心值班员' }, role: { S: 'command_centre' } } },
        score: { N: String(n / 7) },
        hash: { S: 'a'.repeat(64) },
      },
    })),
  },
  flags: { SS: ['x', 'y'] },
  nothing: { NULL: true },
});

beforeAll(async () => {
  local = await startDynalite();
  plain = published({ createTableMs: 0 });
  await new Promise<void>((done) => plain.listen(0, '127.0.0.1', done));
  plainEndpoint = `http://127.0.0.1:${(plain.address() as AddressInfo).port}`;
  await both('CreateTable', {
    TableName,
    AttributeDefinitions: [
      { AttributeName: 'pk', AttributeType: 'S' },
      { AttributeName: 'sk', AttributeType: 'S' },
    ],
    KeySchema: [
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ],
    BillingMode: 'PAY_PER_REQUEST',
  });
  for (let i = 0; i < 60; i++) await both('PutItem', { TableName, Item: item(i) });
});
afterAll(async () => {
  await local?.stop();
  await new Promise<void>((done) => plain.close(() => done()));
});

describe("the local cloud's dynalite replies", () => {
  it('are the bytes the published dynalite sends, with the same checksum and length', async () => {
    const requests: [string, unknown][] = [
      [
        'Query',
        {
          TableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': { S: 'CASES' } },
          ScanIndexForward: false,
          Limit: 50,
        },
      ],
      [
        'Query',
        {
          TableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': { S: 'CASES' } },
          ProjectionExpression: 'sk, description',
        },
      ],
      ['GetItem', { TableName, Key: { pk: { S: 'CASES' }, sk: { S: 'C007' } } }],
      [
        'BatchGetItem',
        {
          RequestItems: {
            [TableName]: {
              // One key: dynalite answers a batch's keys in whatever order its reads finish.
              Keys: [{ pk: { S: 'CASES' }, sk: { S: 'C001' } }],
            },
          },
        },
      ],
      ['Scan', { TableName, Limit: 5 }],
      ['PutItem', { TableName, Item: item(7), ReturnValues: 'ALL_OLD' }],
      // A refusal, and an unknown table: errors are replies too.
      ['PutItem', { TableName, Item: item(8), ConditionExpression: 'attribute_not_exists(pk)' }],
      ['GetItem', { TableName: 'missing', Key: { pk: { S: 'x' }, sk: { S: 'y' } } }],
    ];
    for (const [operation, body] of requests) {
      const [patched, original] = await both(operation, body);
      expect(patched.status, operation).toBe(original.status);
      expect(patched.bytes.equals(original.bytes), operation).toBe(true);
      expect(patched.crc, operation).toBe(original.crc);
      expect(patched.crc).toBe(String(crc32(patched.bytes)));
      expect(patched.length).toBe(String(patched.bytes.length));
    }
  });

  it('answer a batch of several keys with the same items, in whatever order', async () => {
    const keys = ['C003', 'C001', 'C002'].map((sk) => ({ pk: { S: 'CASES' }, sk: { S: sk } }));
    const [patched, original] = await both('BatchGetItem', { RequestItems: { [TableName]: { Keys: keys } } });
    type Reply = { Responses: Record<string, { sk: { S: string } }[]> };
    const items = (bytes: Buffer) =>
      ((JSON.parse(bytes.toString('utf8')) as Reply).Responses[TableName] ?? []).sort((a, b) =>
        a.sk.S.localeCompare(b.sk.S),
      );
    expect(items(patched.bytes)).toEqual(items(original.bytes));
    expect(items(patched.bytes)).toHaveLength(3);
    expect(patched.crc).toBe(String(crc32(patched.bytes)));
    expect(patched.length).toBe(String(patched.bytes.length));
  });

  it('carry a page of cases longer than 64 Ki characters', async () => {
    const [patched] = await both('Query', {
      TableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': { S: 'CASES' } },
    });
    const text = patched.bytes.toString('utf8');
    expect(text.length).toBeGreaterThan(65_536);
    expect((JSON.parse(text) as { Count: number }).Count).toBe(60);
  });
});
