/**
 * Runs dynalite in a process of its own (forked by `dynamodb.ts`): on 2 cores it serves about twice
 * the puts per second it manages when it shares the event loop with the gateway and the handlers.
 * It reports its port over IPC and closes LevelDB cleanly when the parent says stop or disappears.
 */
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { matchesCaseChangesFilter } from './case-changes-filter';
import { patchedDynalite } from './dynalite-patched';
import { type ChangeRecord, captureChanges, StreamLog } from './dynamodb-stream';

const dynalite = patchedDynalite();

export type DynaliteMessage =
  | { type: 'listening'; port: number }
  | { type: 'error'; message: string }
  | { type: 'operations'; counts: Record<string, number> }
  /** One part of a read's records; `last` on the final part (a read of none is one empty part). */
  | { type: 'changes'; id: number; records: ChangeRecord[]; pending: number; last: boolean };

/** What the parent asks of the change stream (see dynamodb-stream.ts). */
export type ChangeRequest =
  | { type: 'read-changes'; id: number; limit: number }
  | { type: 'checkpoint-changes'; sequenceNumber: string };

const path = process.argv[2] || undefined;
/** The table whose changes are streamed (the local cloud's single table), if any. */
const streamedTable = process.argv[3];
const send = (message: DynaliteMessage) => process.send?.(message);
/**
 * A read's records go to the parent a few at a time: an IPC message is one JSON text, and a read
 * of hundreds of changes with both images ran to megabytes, past the length where Node 22's
 * `JSON.stringify` (and its parse on the other side) leave their fast paths (see
 * shared/http/json-pieces.ts). 500 records of a burst: 79 ms to stringify and parse whole, 25 ms
 * in parts of four.
 */
const RECORDS_PER_MESSAGE = 4;

const server = dynalite({ ...(path ? { path } : {}), createTableMs: 0 });
const changes = streamedTable ? new StreamLog(path && join(path, `${streamedTable}.stream`)) : undefined;
// The stream's one consumer is the aggregator, which takes case items only.
if (streamedTable && changes) captureChanges(streamedTable, changes, matchesCaseChangesFilter);

// Requests per DynamoDB operation (`DynamoDB_20120810.PutItem` → PutItem), for the burst bench's
// reads and writes per routed report. Reading a header costs nothing measurable.
const operations: Record<string, number> = {};
/**
 * `XIETONG_RECORD_DYNAMODB=<file>`: every request, as a line of JSON (`{ target, body }`), for
 * `bench/dynamodb-replay.ts` to replay the same requests against differently built dynalites.
 */
const recordTo = process.env.XIETONG_RECORD_DYNAMODB;
server.on('request', (request) => {
  const target = request.headers['x-amz-target'];
  const operation = typeof target === 'string' ? (target.split('.')[1] ?? target) : 'unknown';
  operations[operation] = (operations[operation] ?? 0) + 1;
  if (recordTo) {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      appendFileSync(recordTo, `${JSON.stringify({ target, body: Buffer.concat(chunks).toString() })}\n`);
    });
  }
});

let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  server.close(() => process.exit(0));
  server.closeIdleConnections();
  // In-flight requests of a dead parent will never finish: don't let them hold LevelDB open.
  setTimeout(() => server.closeAllConnections(), 1_000).unref();
  setTimeout(() => process.exit(0), 10_000).unref();
};

server.on('error', (error) => {
  send({ type: 'error', message: error.message });
  process.exit(1);
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  send({ type: 'listening', port: typeof address === 'object' && address ? address.port : 0 });
});

// Ctrl-C reaches the whole process group: let the parent decide when we stop.
process.on('SIGINT', () => {});
process.on('SIGTERM', stop);
process.on('disconnect', stop);
process.on('message', (message: 'stop' | 'operations' | ChangeRequest) => {
  if (message === 'stop') stop();
  else if (message === 'operations') send({ type: 'operations', counts: { ...operations } });
  else if (message.type === 'read-changes') {
    const records = changes?.read(message.limit) ?? [];
    const pending = changes?.pending ?? 0;
    for (let from = 0; from === 0 || from < records.length; from += RECORDS_PER_MESSAGE) {
      const last = from + RECORDS_PER_MESSAGE >= records.length;
      send({
        type: 'changes',
        id: message.id,
        records: records.slice(from, from + RECORDS_PER_MESSAGE),
        pending,
        last,
      });
    }
  } else if (message.type === 'checkpoint-changes') changes?.checkpoint(message.sequenceNumber);
});
