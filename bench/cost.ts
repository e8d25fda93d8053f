/**
 * `npm run cost`: what one case costs on AWS, from operations counted on a real lifecycle run
 * against the embedded emulators (report → route → dispatch → accept → resolve → verify → close):
 * API requests, Lambda invocations and GB-seconds (memory from FUNCTIONS/infra defaults × measured
 * durations on this machine), DynamoDB read/write units from the ConsumedCapacity dynalite returns
 * (ReturnConsumedCapacity: 'TOTAL' is added by an SDK middleware here only), SQS requests. Step
 * Functions transitions are estimated (the harness runs no timers), S3 is 0 (no evidence uploads in
 * this lifecycle). Prints the table and records the figures.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { numberArg } from '../scripts/args';
import { FUNCTIONS } from '../shared/runtime/functions';
import { casesHarness, claimsFor, distinctPointsIn, sandun } from '../tests/support/cases-harness';
import { startEmulators } from '../tests/support/emulators';
import { recordFigures } from './report';

/** us-east-1 list prices (on-demand, x86, after free tiers), as published on aws.amazon.com/pricing, checked 2026-11-30. */
export const PRICES = {
  httpApiPerMillion: 1.0,
  lambdaRequestsPerMillion: 0.2,
  lambdaGbSecond: 0.0000166667,
  dynamoWriteUnitsPerMillion: 0.625,
  dynamoReadUnitsPerMillion: 0.125,
  sqsRequestsPerMillion: 0.4,
  stepFunctionsTransitionsPerThousand: 0.025,
  s3PutPerThousand: 0.005,
};
const DEFAULT_MEMORY_MB = 512;
/** Per running deadline: the timer execution's states per wake (Wait, hand-over, choice, …). */
const TRANSITIONS_PER_TIMER_START = 4;

const CASES = numberArg('cases', 30);
const memoryOf = (name: string) => FUNCTIONS.find((f) => f.name === name)?.memoryMb ?? DEFAULT_MEMORY_MB;

const counts = { dynamoCalls: 0, readUnits: 0, writeUnits: 0, sqsRequests: 0 };
const countDynamo = (client: DynamoDBClient) =>
  client.middlewareStack.add(
    (next, context) => async (args) => {
      counts.dynamoCalls++;
      (args.input as Record<string, unknown>).ReturnConsumedCapacity = 'TOTAL';
      const result = await next(args);
      const consumed = (result.output as { ConsumedCapacity?: unknown }).ConsumedCapacity;
      for (const c of (Array.isArray(consumed) ? consumed : consumed ? [consumed] : []) as {
        CapacityUnits?: number;
        ReadCapacityUnits?: number;
        WriteCapacityUnits?: number;
      }[]) {
        if (c.ReadCapacityUnits || c.WriteCapacityUnits) {
          counts.readUnits += c.ReadCapacityUnits ?? 0;
          counts.writeUnits += c.WriteCapacityUnits ?? 0;
        } else if (/Get|Query|Scan/.test(context.commandName ?? '')) {
          counts.readUnits += c.CapacityUnits ?? 0;
        } else counts.writeUnits += c.CapacityUnits ?? 0;
      }
      return result;
    },
    { step: 'initialize', name: 'costCounter' },
  );
const countSqs = (client: SQSClient) =>
  client.middlewareStack.add(
    (next) => async (args) => {
      counts.sqsRequests++;
      return next(args);
    },
    { step: 'initialize', name: 'costCounter' },
  );

const emulators = await startEmulators();
countDynamo(emulators.dynamodb);
countSqs(emulators.sqs);
const api = casesHarness(emulators);
const nextPoint = distinctPointsIn(sandun.zone('zijingang')!);
const invocations: Record<string, { count: number; ms: number }> = {};
const timed = async <T>(fn: string, call: () => Promise<T>): Promise<T> => {
  const started = performance.now();
  try {
    return await call();
  } finally {
    invocations[fn] ??= { count: 0, ms: 0 };
    invocations[fn].count++;
    invocations[fn].ms += performance.now() - started;
  }
};

let apiRequests = 0;
let timerStarts = 0;
const step = async (command: string, id: string, body: unknown, claims: Record<string, string>) => {
  apiRequests++;
  const reply = await timed('cases', () => api.command(id, command, body, claims));
  if (reply.status !== 200) throw new Error(`${command}: ${reply.status} ${JSON.stringify(reply.body)}`);
  return reply.body as { assignee: string };
};

// Warm-up (cold starts are not what a case costs on average), then reset the counters.
const counted = async (n: number) => {
  for (let i = 0; i < n; i++) {
    apiRequests++;
    const accepted = await timed('intake', () =>
      api.report({
        source: 'hotline',
        category: 'event.household-workshop',
        description: `成本模型：家庭作坊 ${i}`,
        location: { ...nextPoint(), crs: 'wgs84' },
      }),
    );
    api.clock.advanceMinutes((sandun.config.dedup.windowHours + 1) * 60);
    await timed('route-reports', () => api.drainQueue());
    const id = accepted.body.id as string;
    const dispatched = await step('dispatch', id, {}, claimsFor.commandCentre());
    timerStarts++;
    const staff = claimsFor.staff(dispatched.assignee);
    await step('accept', id, {}, staff);
    timerStarts++;
    await step('resolve', id, { result: '已取缔' }, staff);
    await step('verify', id, { passed: true }, claimsFor.commandCentre());
    await step('close', id, {}, claimsFor.commandCentre());
  }
};
await counted(3);
for (const key of Object.keys(counts) as (keyof typeof counts)[]) counts[key] = 0;
for (const key of Object.keys(invocations)) delete invocations[key];
apiRequests = 0;
timerStarts = 0;
await counted(CASES);
await emulators.stop();

const perCase = (n: number) => n / CASES;
const lambdaInvocations = Object.values(invocations).reduce((sum, i) => sum + i.count, 0);
const gbSeconds = Object.entries(invocations).reduce(
  (sum, [fn, i]) => sum + (memoryOf(fn) / 1024) * (Math.max(1, Math.ceil(i.ms / i.count)) / 1000) * i.count,
  0,
);
const transitions = timerStarts * TRANSITIONS_PER_TIMER_START;
const rows = [
  ['HTTP API requests', perCase(apiRequests), (perCase(apiRequests) * PRICES.httpApiPerMillion) / 1e6],
  [
    'Lambda invocations',
    perCase(lambdaInvocations),
    (perCase(lambdaInvocations) * PRICES.lambdaRequestsPerMillion) / 1e6,
  ],
  ['Lambda GB-seconds', perCase(gbSeconds), perCase(gbSeconds) * PRICES.lambdaGbSecond],
  [
    'DynamoDB write units',
    perCase(counts.writeUnits),
    (perCase(counts.writeUnits) * PRICES.dynamoWriteUnitsPerMillion) / 1e6,
  ],
  [
    'DynamoDB read units',
    perCase(counts.readUnits),
    (perCase(counts.readUnits) * PRICES.dynamoReadUnitsPerMillion) / 1e6,
  ],
  [
    'SQS requests',
    perCase(counts.sqsRequests),
    (perCase(counts.sqsRequests) * PRICES.sqsRequestsPerMillion) / 1e6,
  ],
  [
    'Step Functions transitions (estimate)',
    perCase(transitions),
    (perCase(transitions) * PRICES.stepFunctionsTransitionsPerThousand) / 1e3,
  ],
  ['S3 requests', 0, 0],
] as const;
const perThousand = rows.reduce((sum, [, , dollars]) => sum + dollars, 0) * 1000;
console.log(`cost of one case lifecycle (${CASES} cases measured; us-east-1 list prices checked 2026-11-30)`);
console.log('| operation | per case | USD per 1,000 cases |\n| --- | ---: | ---: |');
for (const [name, n, dollars] of rows)
  console.log(`| ${name} | ${n.toFixed(2)} | ${(dollars * 1000).toFixed(4)} |`);
console.log(`| **total** | | **${perThousand.toFixed(4)}** |`);
recordFigures('cost', [
  ...rows.map(([name, n]) => ({ name: `${name} per case`, value: Number(n.toFixed(2)), unit: 'ops' })),
  {
    name: 'cost per 1,000 cases',
    value: Number(perThousand.toFixed(4)),
    unit: 'USD',
    note: 'us-east-1 list prices, 2026-11-30',
  },
]);
process.exit(0);
