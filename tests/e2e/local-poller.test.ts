import {
  CreateQueueCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LambdaHandler } from '../../infra/local/handlers';
import { createRuntimeLog } from '../../infra/local/log';
import { startQueuePoller } from '../../infra/local/poller';
import {
  createIntakeQueues,
  type LocalQueues,
  type LocalSqsServer,
  startFauxqs,
} from '../../infra/local/sqs';
import type { FunctionSpec } from '../../shared/runtime/functions';

/**
 * The local event source mapping against fauxqs: partial batch failures are retried, a throwing
 * consumer retries the whole batch, and a message that keeps failing ends in the DLQ.
 */

const spec: FunctionSpec = {
  name: 'consumer',
  entry: 'unused',
  description: 'test consumer',
  routes: [],
  triggers: [{ kind: 'queue', queue: 'intake', batchSize: 10 }],
  access: { table: 'none', intakeQueue: 'none' },
  timeoutSeconds: 5,
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('local queue poller', () => {
  let server: LocalSqsServer;
  let sqs: SQSClient;
  let queues: LocalQueues;
  let counter = 0;

  beforeAll(async () => {
    server = await startFauxqs();
    sqs = new SQSClient({
      region: 'us-east-1',
      endpoint: server.endpoint,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
  });

  afterAll(async () => {
    sqs.destroy();
    await server.stop();
  });

  const freshQueues = async (maxReceiveCount: number) => {
    counter++;
    queues = await createIntakeQueues(sqs, server.endpoint, {
      intake: `poller-test-${counter}`,
      deadLetter: `poller-test-${counter}-dlq`,
      visibilityTimeoutSeconds: 1,
      maxReceiveCount,
    });
  };

  /** Each body in a message group of its own unless `group` names one (the intake queue is FIFO). */
  const send = (bodies: string[], group?: string) =>
    sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queues.intakeQueueUrl,
        Entries: bodies.map((body, i) => ({
          Id: String(i),
          MessageBody: body,
          MessageGroupId: group ?? `group-${body}`,
          MessageDeduplicationId: `${counter}-${group ?? ''}-${i}-${body}`,
          MessageAttributes: { kind: { DataType: 'String', StringValue: 'test' } },
        })),
      }),
    );

  const until = async (condition: () => boolean, timeoutMs = 10_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error('condition not met in time');
      await sleep(50);
    }
  };

  it('hands Lambda-shaped records over and retries only the reported failures', async () => {
    await freshQueues(5);
    const seen: string[] = [];
    const events: SQSEvent[] = [];
    const consumer = async (event: SQSEvent): Promise<SQSBatchResponse> => {
      events.push(event);
      seen.push(...event.Records.map((r) => r.body));
      // "flaky" fails on its first delivery only.
      const failures = event.Records.filter(
        (r) => r.body === 'flaky' && r.attributes.ApproximateReceiveCount === '1',
      );
      return { batchItemFailures: failures.map((r) => ({ itemIdentifier: r.messageId })) };
    };
    const poller = startQueuePoller({
      sqs,
      queueUrl: queues.intakeQueueUrl,
      queueArn: queues.intakeQueueArn,
      consumer: { spec, handler: consumer as unknown as LambdaHandler },
      log: createRuntimeLog('SILENT'),
      concurrency: 2,
    });
    try {
      await send(['a', 'flaky', 'b']);
      await until(() => seen.filter((body) => body === 'flaky').length === 2);
      await sleep(1_500);
      expect(seen.filter((body) => body === 'a')).toHaveLength(1);
      expect(seen.filter((body) => body === 'b')).toHaveLength(1);
      const record = events[0]?.Records[0];
      expect(record).toMatchObject({
        eventSource: 'aws:sqs',
        eventSourceARN: queues.intakeQueueArn,
        awsRegion: 'us-east-1',
        messageAttributes: { kind: { stringValue: 'test', dataType: 'String' } },
      });
      expect(record?.md5OfBody).toMatch(/^[0-9a-f]{32}$/);
    } finally {
      await poller.stop();
    }
  });

  it('retries the whole batch when the consumer throws, then dead-letters it', async () => {
    await freshQueues(2);
    let invocations = 0;
    const consumer = async () => {
      invocations++;
      throw new Error('always fails');
    };
    const poller = startQueuePoller({
      sqs,
      queueUrl: queues.intakeQueueUrl,
      queueArn: queues.intakeQueueArn,
      consumer: { spec, handler: consumer as LambdaHandler },
      log: createRuntimeLog('SILENT'),
      concurrency: 1,
    });
    try {
      await send(['poison']);
      await until(() => invocations >= 2);
      await sleep(2_500);
      expect(invocations).toBe(2);
    } finally {
      await poller.stop();
    }
    const { Messages } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queues.dlqUrl, WaitTimeSeconds: 1, MaxNumberOfMessages: 10 }),
    );
    expect(Messages?.map((m) => m.Body)).toEqual(['poison']);
  });

  it('keeps SQS FIFO semantics: a group’s messages in order in one batch, one batch per group in flight', async () => {
    await freshQueues(5);
    const batches: { groups: string[]; bodies: string[] }[] = [];
    let inFlight = new Set<string>();
    let overlapped = false;
    const consumer = async (event: SQSEvent): Promise<SQSBatchResponse> => {
      const groups = [...new Set(event.Records.map((r) => r.attributes.MessageGroupId ?? ''))];
      if (groups.some((g) => inFlight.has(g))) overlapped = true;
      inFlight = new Set([...inFlight, ...groups]);
      batches.push({ groups, bodies: event.Records.map((r) => r.body) });
      await sleep(100);
      for (const g of groups) inFlight.delete(g);
      return { batchItemFailures: [] };
    };
    const poller = startQueuePoller({
      sqs,
      queueUrl: queues.intakeQueueUrl,
      queueArn: queues.intakeQueueArn,
      consumer: { spec, handler: consumer as unknown as LambdaHandler },
      log: createRuntimeLog('SILENT'),
      concurrency: 4,
    });
    try {
      await send(['a1', 'a2', 'a3', 'a4', 'a5'], 'area-a');
      await send(['b1', 'b2'], 'area-b');
      await until(() => batches.flatMap((b) => b.bodies).length === 7);
      const seenA = batches.flatMap((b) => b.bodies).filter((body) => body.startsWith('a'));
      expect(seenA).toEqual(['a1', 'a2', 'a3', 'a4', 'a5']);
      // Several messages of one group come in one receive, as SQS hands them out.
      expect(Math.max(...batches.map((b) => b.bodies.length))).toBeGreaterThan(1);
      expect(overlapped).toBe(false);
    } finally {
      await poller.stop();
    }
  });

  it('keeps a long poll waiting while the only messages sent are in a group in flight, as SQS does', async () => {
    await freshQueues(5);
    const receive = (waitTimeSeconds: number) =>
      sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queues.intakeQueueUrl,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: waitTimeSeconds,
        }),
      );
    await send(['first'], 'busy');
    const { Messages: held = [] } = await receive(0);
    expect(held.map((m) => m.Body)).toEqual(['first']);

    const started = Date.now();
    const waiting = receive(5);
    await sleep(100);
    // Sent into the locked group: nothing the waiting receive may take yet.
    await send(['second'], 'busy');
    await sleep(300);
    await sqs.send(
      new DeleteMessageCommand({ QueueUrl: queues.intakeQueueUrl, ReceiptHandle: held[0]?.ReceiptHandle }),
    );
    const { Messages: next = [] } = await waiting;
    // Woken by the group's release, not answered empty by the send into it.
    expect(next.map((m) => m.Body)).toEqual(['second']);
    expect(Date.now() - started).toBeGreaterThanOrEqual(350);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('gathers a batch over its window, as Lambda does: past ten messages, and no longer than the window', async () => {
    counter++;
    const { QueueUrl: queueUrl = '' } = await sqs.send(
      new CreateQueueCommand({ QueueName: `poller-window-${counter}` }),
    );
    const batches: string[][] = [];
    const invokedAt: number[] = [];
    const consumer = async (event: SQSEvent) => {
      batches.push(event.Records.map((r) => r.body));
      invokedAt.push(Date.now());
    };
    const poller = startQueuePoller({
      sqs,
      queueUrl,
      queueArn: `arn:aws:sqs:us-east-1:000000000000:poller-window-${counter}`,
      consumer: { spec, handler: consumer as LambdaHandler },
      log: createRuntimeLog('SILENT'),
      batchSize: 25,
      maxBatchingWindowMs: 1_500,
    });
    const sendStandard = (bodies: string[]) =>
      sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: bodies.map((body, i) => ({ Id: String(i), MessageBody: body })),
        }),
      );
    const tens = (from: number) => Array.from({ length: 10 }, (_, i) => `m${from + i}`);
    try {
      // Thirty messages over half a second: one batch of 25 (three receives), then the rest.
      await sendStandard(tens(0));
      await sleep(250);
      await sendStandard(tens(10));
      await sleep(250);
      await sendStandard(tens(20));
      await until(() => batches.flat().length === 30);
      expect(batches[0]).toHaveLength(25);

      // A lone message waits out the window, and no longer than a second past it.
      batches.length = 0;
      invokedAt.length = 0;
      const sent = Date.now();
      await sendStandard(['alone']);
      await until(() => batches.length === 1);
      expect(batches[0]).toEqual(['alone']);
      expect(invokedAt[0]! - sent).toBeGreaterThanOrEqual(1_400);
      expect(invokedAt[0]! - sent).toBeLessThan(3_000);
    } finally {
      await poller.stop();
    }
  });

  it('stops promptly while long-polling', async () => {
    await freshQueues(5);
    const poller = startQueuePoller({
      sqs,
      queueUrl: queues.intakeQueueUrl,
      queueArn: queues.intakeQueueArn,
      consumer: { spec, handler: (async () => ({ batchItemFailures: [] })) as LambdaHandler },
      log: createRuntimeLog('SILENT'),
      waitTimeSeconds: 5,
    });
    await sleep(200);
    const started = Date.now();
    await poller.stop();
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});
