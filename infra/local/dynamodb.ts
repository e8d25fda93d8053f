import { type ChildProcess, fork } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  type AttributeDefinition,
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  ResourceNotFoundException,
} from '@aws-sdk/client-dynamodb';
import { ALL_INDEXES, TABLE_KEYS } from '../../shared/adapters/aws/table-design';
import type { ChangeRequest, DynaliteMessage } from './dynalite-process';
import type { ChangeRecord, ChangeStream } from './dynamodb-stream';
import { TSX_LOADER } from './paths';

export interface LocalDynamoDb {
  endpoint: string;
  pid: number;
  /** Requests served so far, per DynamoDB operation. */
  operations(): Promise<Record<string, number>>;
  /** The streamed table's change stream (see dynamodb-stream.ts); none without `streamTable`. */
  changes: ChangeStream;
  stop(): Promise<void>;
}

const STARTUP_TIMEOUT_MS = 20_000;

/**
 * Starts dynalite on LevelDB under `path` (in memory without one), in a child process that dies with us (it watches the IPC
 * channel). Measured on 2 cores: ~1,580 puts/s at 50 in flight in its own process vs ~750 when it
 * shares the event loop with the caller.
 */
export const startDynalite = (path?: string, streamTable?: string): Promise<LocalDynamoDb> => {
  if (path) mkdirSync(path, { recursive: true });
  const script = fileURLToPath(new URL('./dynalite-process.ts', import.meta.url));
  const child: ChildProcess = fork(script, [path ?? '', streamTable ?? ''], {
    // A CPU-profiled local cloud (`bench/burst.ts --profile`) profiles its dynalite too, into the same folder.
    execArgv: ['--import', TSX_LOADER, ...process.execArgv.filter((arg) => arg.startsWith('--cpu-prof'))],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });

  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`dynalite did not start within ${STARTUP_TIMEOUT_MS} ms`));
    }, STARTUP_TIMEOUT_MS);
    const onEarlyExit = (code: number | null) => {
      clearTimeout(timer);
      reject(new Error(`dynalite exited during start-up (code ${code})`));
    };
    child.once('exit', onEarlyExit);
    child.on('message', (message: DynaliteMessage) => {
      if (message.type === 'error') {
        clearTimeout(timer);
        reject(new Error(`dynalite failed: ${message.message}`));
        return;
      }
      if (message.type !== 'listening') return;
      clearTimeout(timer);
      child.off('exit', onEarlyExit);
      const exited = new Promise<void>((done) => {
        if (child.exitCode !== null) done();
        else child.once('exit', () => done());
      });
      let requests = 0;
      const ask = (request: ChangeRequest) => {
        if (child.connected) child.send(request);
      };
      resolve({
        changes: {
          read: (limit) =>
            new Promise((answer) => {
              if (!child.connected) return answer({ records: [], pending: 0 });
              const id = ++requests;
              const records: ChangeRecord[] = [];
              // The records come in parts (see dynalite-process.ts), in order: IPC keeps it.
              const listener = (reply: DynaliteMessage) => {
                if (reply.type !== 'changes' || reply.id !== id) return;
                records.push(...reply.records);
                if (!reply.last) return;
                child.off('message', listener);
                answer({ records, pending: reply.pending });
              };
              child.on('message', listener);
              ask({ type: 'read-changes', id, limit });
            }),
          checkpoint: (sequenceNumber) => ask({ type: 'checkpoint-changes', sequenceNumber }),
        },
        endpoint: `http://127.0.0.1:${message.port}`,
        pid: child.pid ?? 0,
        operations: () =>
          new Promise((answer) => {
            const listener = (reply: DynaliteMessage) => {
              if (reply.type !== 'operations') return;
              child.off('message', listener);
              answer(reply.counts);
            };
            child.on('message', listener);
            child.send('operations');
          }),
        async stop() {
          if (child.connected) child.send('stop');
          const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
          await exited;
          clearTimeout(killer);
        },
      });
    });
  });
};

const CREATE_WAIT_MS = 10_000;

/** Creates the single table from `table-design.ts` unless it exists; refuses a table missing an index. */
export const ensureTable = async (
  client: DynamoDBClient,
  tableName: string,
): Promise<'created' | 'existing'> => {
  try {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    const present = new Set((Table?.GlobalSecondaryIndexes ?? []).map((index) => index.IndexName));
    const missing = ALL_INDEXES.filter((index) => !present.has(index.name)).map((index) => index.name);
    if (missing.length > 0) {
      throw new Error(
        `table ${tableName} lacks the indexes ${missing.join(', ')} (dynalite cannot add them): ` +
          'delete the data folder or use another --data folder',
      );
    }
    return 'existing';
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
  }

  const keyNames = new Set<string>([TABLE_KEYS.partitionKey, TABLE_KEYS.sortKey]);
  for (const index of ALL_INDEXES) {
    keyNames.add(index.partitionKey);
    keyNames.add(index.sortKey);
  }
  const attributeDefinitions: AttributeDefinition[] = [...keyNames].map((name) => ({
    AttributeName: name,
    AttributeType: 'S',
  }));
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: attributeDefinitions,
      KeySchema: [
        { AttributeName: TABLE_KEYS.partitionKey, KeyType: 'HASH' },
        { AttributeName: TABLE_KEYS.sortKey, KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: ALL_INDEXES.map((index) => ({
        IndexName: index.name,
        KeySchema: [
          { AttributeName: index.partitionKey, KeyType: 'HASH' },
          { AttributeName: index.sortKey, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      })),
    }),
  );

  const deadline = Date.now() + CREATE_WAIT_MS;
  for (;;) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    const indexesActive = (Table?.GlobalSecondaryIndexes ?? []).every(
      (index) => index.IndexStatus === 'ACTIVE',
    );
    if (Table?.TableStatus === 'ACTIVE' && indexesActive) return 'created';
    if (Date.now() > deadline) throw new Error(`table ${tableName} did not become ACTIVE`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};
