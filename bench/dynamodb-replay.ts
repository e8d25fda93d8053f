/**
 * `npx tsx bench/dynamodb-replay.ts --requests <file.jsonl> [--variants as-deployed,keys-only] [--by-kind]`:
 * replays the DynamoDB requests a burst made (recorded with `bench/burst.ts --record <file>`)
 * against one fresh dynalite per variant, each request to all of them at once, 8 in flight, and
 * prints each one's CPU per request beside the first's. Running the variants side by side is the
 * point: this machine's speed drifts by ±20 % between runs a minute apart, which buries a change of
 * a few percent in a burst bench, but it drifts for all the variants alike here.
 *
 * Variants (how the table is built; the requests are the same):
 * - `as-deployed`: the recorded CreateTable, with the change stream captured as the local cloud does;
 * - `keys-only`: every GSI projects KEYS_ONLY (what the index copies cost dynalite on each write);
 * - `cell-include`: the geo-cell index projects only what dedup reads of a candidate;
 * - `no-stream`: no change stream captured.
 *
 * `--by-kind`: then replays the requests one at a time against an `as-deployed` dynalite and prints
 * the time per kind of request (operation, item kind, index), with sizes. Figures only.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { type LocalDynamoDb, startDynalite } from '../infra/local/dynamodb';
import { INDEXES } from '../shared/adapters/aws/table-design';
import { CANDIDATE_FIELDS } from '../shared/domain/dedup';

const { values } = parseArgs({
  options: {
    requests: { type: 'string' },
    variants: { type: 'string' },
    'by-kind': { type: 'boolean' },
  },
});
if (!values.requests)
  throw new Error('--requests <file.jsonl> is required (bench/burst.ts --record writes it)');

interface RecordedRequest {
  target: string;
  body: string;
}
const requests = readFileSync(values.requests, 'utf8')
  .trim()
  .split('\n')
  .map((line) => JSON.parse(line) as RecordedRequest);

type Variant = 'as-deployed' | 'keys-only' | 'cell-include' | 'no-stream';
const VARIANTS: Variant[] = ['as-deployed', 'keys-only', 'cell-include', 'no-stream'];
const variants = (values.variants ?? 'as-deployed,keys-only').split(',') as Variant[];
for (const variant of variants) {
  if (!VARIANTS.includes(variant))
    throw new Error(`unknown variant ${variant}: one of ${VARIANTS.join(', ')}`);
}

/** User + system CPU milliseconds of a process so far (Linux /proc, clock ticks of 10 ms). */
const cpuMs = (pid: number) => {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
};

// dynalite checks that a signature is there, not what it says.
const HEADERS = {
  'content-type': 'application/x-amz-json-1.0',
  'x-amz-date': '20261207T000000Z',
  authorization:
    'AWS4-HMAC-SHA256 Credential=local/20261207/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=replay',
};
const operationOf = (request: RecordedRequest) => request.target.split('.')[1] ?? request.target;

const bodyFor = (variant: Variant, request: RecordedRequest) => {
  if (operationOf(request) !== 'CreateTable') return request.body;
  const table = JSON.parse(request.body) as {
    GlobalSecondaryIndexes?: { IndexName: string; Projection: unknown }[];
  };
  for (const index of table.GlobalSecondaryIndexes ?? []) {
    if (variant === 'keys-only') index.Projection = { ProjectionType: 'KEYS_ONLY' };
    if (variant === 'cell-include' && index.IndexName === INDEXES.byCell.name) {
      index.Projection = { ProjectionType: 'INCLUDE', NonKeyAttributes: [...CANDIDATE_FIELDS] };
    }
  }
  return JSON.stringify(table);
};

const tableNameOf = () => {
  const create = requests.find((r) => operationOf(r) === 'CreateTable');
  if (!create) throw new Error('the recording has no CreateTable: record from a fresh local cloud');
  return { create, name: (JSON.parse(create.body) as { TableName: string }).TableName };
};

interface Server {
  variant: Variant;
  dynalite: LocalDynamoDb;
  dir: string;
}
const start = async (variant: Variant): Promise<Server> => {
  const dir = mkdtempSync(join(tmpdir(), 'xietong-replay-'));
  const dynalite = await startDynalite(dir, variant === 'no-stream' ? undefined : tableNameOf().name);
  return { variant, dynalite, dir };
};
const stop = async (server: Server) => {
  await server.dynalite.stop();
  rmSync(server.dir, { recursive: true, force: true });
};
const send = async (server: Server, request: RecordedRequest) => {
  const response = await fetch(server.dynalite.endpoint, {
    method: 'POST',
    headers: { ...HEADERS, 'x-amz-target': request.target },
    body: bodyFor(server.variant, request),
  });
  return { status: response.status, text: await response.text() };
};

// The table first, alone; then the rest in their recorded order.
const { create } = tableNameOf();
const rest = requests.filter((r) => r !== create && operationOf(r) !== 'DescribeTable');

const sideBySide = async () => {
  const servers = await Promise.all(variants.map(start));
  try {
    for (const server of servers) await send(server, create);
    const before = servers.map((s) => cpuMs(s.dynalite.pid));
    let next = 0;
    let disagreements = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < rest.length) {
          const request = rest[next++] as RecordedRequest;
          const answers = await Promise.all(servers.map((s) => send(s, request)));
          if (answers.some((a) => a.status !== answers[0]?.status)) disagreements++;
        }
      }),
    );
    const perRequest = servers.map((s, i) => (cpuMs(s.dynalite.pid) - (before[i] ?? 0)) / rest.length);
    process.stdout.write(`${rest.length} requests from ${values.requests}, 8 in flight, side by side\n`);
    servers.forEach((s, i) => {
      const us = (perRequest[i] ?? 0) * 1000;
      const ratio = (perRequest[i] ?? 0) / (perRequest[0] ?? 1);
      process.stdout.write(
        `  ${s.variant.padEnd(12)} ${us.toFixed(0).padStart(6)} µs CPU/request  ${ratio.toFixed(2)} ×\n`,
      );
    });
    // Status codes differ only where the order of concurrent requests did (a conditional write).
    process.stdout.write(`  answers with a different status: ${disagreements}\n`);
  } finally {
    await Promise.all(servers.map(stop));
  }
};

/** Operation, the item's kind (its partition key's prefix) and the index: `PutItem CASE`, `Query CELL gsi7-cell`. */
const kindOf = (request: RecordedRequest) => {
  const body = JSON.parse(request.body) as {
    Item?: { pk?: { S?: string } };
    Key?: { pk?: { S?: string } };
    IndexName?: string;
    ExpressionAttributeValues?: Record<string, { S?: string }>;
  };
  const key =
    body.Item?.pk?.S ?? body.Key?.pk?.S ?? Object.values(body.ExpressionAttributeValues ?? {})[0]?.S;
  const prefix = key?.split(/[#|]/)[0] ?? '';
  return [operationOf(request), body.IndexName ? '' : prefix, body.IndexName ?? ''].filter(Boolean).join(' ');
};

const byKind = async () => {
  const server = await start('as-deployed');
  try {
    await send(server, create);
    const kinds = new Map<string, { count: number; ms: number; requestBytes: number; answerBytes: number }>();
    for (const request of rest) {
      const begin = performance.now();
      const { text } = await send(server, request);
      const kind = kinds.get(kindOf(request)) ?? { count: 0, ms: 0, requestBytes: 0, answerBytes: 0 };
      kind.count++;
      kind.ms += performance.now() - begin;
      kind.requestBytes += request.body.length;
      kind.answerBytes += text.length;
      kinds.set(kindOf(request), kind);
    }
    const total = [...kinds.values()].reduce((sum, k) => sum + k.ms, 0);
    process.stdout.write(`\none at a time, as deployed: ${total.toFixed(0)} ms in all\n`);
    for (const [name, k] of [...kinds].sort((a, b) => b[1].ms - a[1].ms).slice(0, 15)) {
      process.stdout.write(
        `  ${name.padEnd(32)} ${String(k.count).padStart(6)} × ${(k.ms / k.count).toFixed(2).padStart(6)} ms = ${((100 * k.ms) / total).toFixed(1).padStart(5)} %   ${(k.requestBytes / k.count).toFixed(0).padStart(6)} B in, ${(k.answerBytes / k.count).toFixed(0).padStart(6)} B out\n`,
      );
    }
  } finally {
    await stop(server);
  }
};

await sideBySide();
if (values['by-kind']) await byKind();
