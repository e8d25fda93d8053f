/**
 * Runs dynalite in a process of its own (forked by `dynamodb.ts`): on 2 cores it serves about twice
 * the puts per second it manages when it shares the event loop with the gateway and the handlers.
 * It reports its port over IPC and closes LevelDB cleanly when the parent says stop or disappears.
 */
import type { Server } from 'node:http';
import { createRequire } from 'node:module';

type Dynalite = (options: { path?: string; createTableMs?: number }) => Server;
const dynalite = createRequire(import.meta.url)('dynalite') as Dynalite;

export type DynaliteMessage =
  | { type: 'listening'; port: number }
  | { type: 'error'; message: string }
  | { type: 'operations'; counts: Record<string, number> };

const path = process.argv[2];
const send = (message: DynaliteMessage) => process.send?.(message);

const server = dynalite({ ...(path ? { path } : {}), createTableMs: 0 });

// Requests per DynamoDB operation (`DynamoDB_20120810.PutItem` → PutItem), for the burst bench's
// reads and writes per routed report. Reading a header costs nothing measurable.
const operations: Record<string, number> = {};
server.on('request', (request) => {
  const target = request.headers['x-amz-target'];
  const operation = typeof target === 'string' ? (target.split('.')[1] ?? target) : 'unknown';
  operations[operation] = (operations[operation] ?? 0) + 1;
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
process.on('message', (message) => {
  if (message === 'stop') stop();
  if (message === 'operations') send({ type: 'operations', counts: { ...operations } });
});
