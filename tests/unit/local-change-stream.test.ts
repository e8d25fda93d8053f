import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, describe, expect, it } from 'vitest';
import { matchesCaseChangesFilter } from '../../infra/local/case-changes-filter';
import { ensureTable, startDynalite } from '../../infra/local/dynamodb';
import { captureChanges, StreamLog, streamOf } from '../../infra/local/dynamodb-stream';
import type { LoadedFunction } from '../../infra/local/handlers';
import { createRuntimeLog } from '../../infra/local/log';
import { startStreamMapping } from '../../infra/local/stream-mapping';
import { FUNCTIONS } from '../../shared/runtime/functions';

const dirs: string[] = [];
const logFile = () => {
  const dir = mkdtempSync(join(tmpdir(), 'xietong-stream-'));
  dirs.push(dir);
  return join(dir, 'table.stream');
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const change = (n: number) => ({
  eventName: 'MODIFY' as const,
  approximateCreationDateTime: 0,
  keys: { pk: { S: `CASE#${n}` }, sk: { S: 'CASE' } },
  newImage: { pk: { S: `CASE#${n}` }, sk: { S: 'CASE' }, n: { N: String(n) } },
});

/** The stream mapping of `log` to a stand-in for the aggregator, handed each batch's case keys. */
const mappingTo = (log: StreamLog, windowMs: number, consume: (keys: string[]) => Promise<void> | void) => {
  const spec = FUNCTIONS.find((f) => f.name === 'aggregate-cases');
  if (!spec) throw new Error('aggregate-cases is not in the function list');
  const target: LoadedFunction = {
    spec,
    handler: (async (event: { Records: { dynamodb: { Keys: { pk: { S: string } } } }[] }) =>
      consume(
        event.Records.map((record) => record.dynamodb.Keys.pk.S),
      )) as unknown as LoadedFunction['handler'],
  };
  return startStreamMapping({
    stream: streamOf(log),
    tableName: 'table',
    target,
    log: createRuntimeLog('ERROR'),
    maxBatchingWindowMs: windowMs,
  });
};

const lines = (file: string) => readFileSync(file, 'utf8').split('\n').filter(Boolean).length;

describe('the local change stream’s log', () => {
  it('resumes after its checkpoint when reopened, and skips a line a crash cut short', () => {
    const file = logFile();
    const log = new StreamLog(file);
    for (let n = 1; n <= 5; n++) log.append(change(n));
    const taken = log.read(3);
    log.checkpoint(taken[2]?.sequenceNumber ?? '');
    appendFileSync(file, '{"eventID":"0000'); // a write killed mid-append was never acknowledged

    const reopened = new StreamLog(file);
    expect(reopened.read(10).map((r) => r.newImage?.n)).toEqual([{ N: '4' }, { N: '5' }]);
    reopened.append(change(6));
    const [, , sixth] = reopened.read(10);
    // Sequence numbers go on from the last one recorded, in string order.
    expect((sixth?.sequenceNumber ?? '') > (taken[2]?.sequenceNumber ?? '')).toBe(true);
  });

  it('rewrites the file without consumed records once there are enough of them, and only then', () => {
    const file = logFile();
    const log = new StreamLog(file, 10);
    for (let n = 1; n <= 25; n++) log.append(change(n));
    const first = log.read(9);
    log.checkpoint(first[8]?.sequenceNumber ?? '');
    expect(lines(file)).toBe(25);
    const next = log.read(2);
    log.checkpoint(next[1]?.sequenceNumber ?? '');
    expect(lines(file)).toBe(14);
    // Appends after a rewrite don't rewrite it again.
    for (let n = 26; n <= 30; n++) log.append(change(n));
    expect(lines(file)).toBe(19);
    expect(new StreamLog(file).pending).toBe(19);
  });

  it('records only the changes its consumer’s filter takes, when given one', async () => {
    const dynalite = createRequire(import.meta.url)('dynalite') as (o: { createTableMs: number }) => Server;
    const server = dynalite({ createTableMs: 0 });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const client = new DynamoDBClient({
      endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    const documents = DynamoDBDocumentClient.from(client);
    const log = new StreamLog();
    const release = captureChanges('filtered', log, matchesCaseChangesFilter);
    try {
      await ensureTable(client, 'filtered');
      for (const Item of [
        { pk: 'CASE#1', sk: 'CASE', n: 1 },
        { pk: 'METRICS#figures#2026-12', sk: '2026-12-01|gudun', n: 2 },
        { pk: 'CASE#1', sk: 'CASE', n: 3 },
      ])
        await documents.send(new PutCommand({ TableName: 'filtered', Item }));
      expect(log.read(10).map((r) => [r.eventName, r.newImage?.n])).toEqual([
        ['INSERT', { N: '1' }],
        ['MODIFY', { N: '3' }],
      ]);
    } finally {
      release();
      client.destroy();
      await new Promise((done) => server.close(done));
    }
  });

  it('is delivered by the mapping only while the mapping is on, and resumes from where it stopped', async () => {
    const log = new StreamLog();
    const delivered: string[] = [];
    const mapping = mappingTo(log, 10, (keys) => {
      delivered.push(...keys);
    });
    try {
      log.append(change(1));
      await mapping.drain();
      await mapping.setEnabled(false);
      expect(mapping.enabled).toBe(false);
      log.append(change(2));
      await new Promise((resolve) => setTimeout(resolve, 100));
      await mapping.drain();
      expect(delivered).toEqual(['CASE#1']);
      await mapping.setEnabled(true);
      await new Promise((resolve) => setTimeout(resolve, 100));
      await mapping.drain();
      expect(delivered).toEqual(['CASE#1', 'CASE#2']);
    } finally {
      await mapping.stop();
    }
  });
});

describe('the local stream mapping’s batching window', () => {
  it('gathers for the window before every batch, as Lambda does, not only before the first', async () => {
    const log = new StreamLog();
    const batches: string[][] = [];
    // A consumer that takes a while, as the aggregator does with its writes: changes keep coming meanwhile.
    const mapping = mappingTo(log, 200, async (keys) => {
      batches.push(keys);
      await new Promise((resolve) => setTimeout(resolve, 40));
    });
    try {
      for (let i = 1; i <= 100; i++) {
        log.append(change(i));
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      await mapping.drain();
    } finally {
      await mapping.stop();
    }
    expect(batches.flat()).toEqual(Array.from({ length: 100 }, (_, i) => `CASE#${i + 1}`));
    // About a second of changes, a batch per window and its handling: a handful. Delivering the
    // next batch as soon as one was handled made one every 40 ms, a couple of dozen.
    expect(batches.length).toBeLessThanOrEqual(8);
  });
});

describe('the local cloud’s change stream, read from its dynalite process', () => {
  it('hands a read’s records over whole and in order, however many parts they travel in', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'xietong-stream-'));
    dirs.push(dir);
    const local = await startDynalite(dir, 'streamed');
    const client = new DynamoDBClient({
      endpoint: local.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    try {
      await ensureTable(client, 'streamed');
      const documents = DynamoDBDocumentClient.from(client);
      for (let n = 1; n <= 11; n++) {
        await documents.send(
          new PutCommand({ TableName: 'streamed', Item: { pk: `CASE#${n}`, sk: 'CASE', n } }),
        );
      }
      const numbers = (records: { newImage?: Record<string, unknown> }[]) =>
        records.map((r) => Number((r.newImage?.n as { N?: string } | undefined)?.N));
      expect(await local.changes.read(0)).toEqual({ records: [], pending: 11 });
      const first = await local.changes.read(9);
      expect(numbers(first.records)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
      expect(first.pending).toBe(11);
      local.changes.checkpoint(first.records[8]?.sequenceNumber ?? '');
      const rest = await local.changes.read(100);
      expect(numbers(rest.records)).toEqual([10, 11]);
      expect(rest.pending).toBe(2);
    } finally {
      client.destroy();
      await local.stop();
    }
  });
});
