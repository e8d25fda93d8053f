import {
  DeleteMessageBatchCommand,
  type Message,
  type MessageAttributeValue,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent, SQSMessageAttributes, SQSRecord } from 'aws-lambda';
import type { LoadedFunction } from './handlers';
import { invokeWithTimeout, LOCAL_REGION, lambdaContextFor } from './lambda-context';
import type { RuntimeLog } from './log';

export interface PollerOptions {
  sqs: SQSClient;
  queueUrl: string;
  queueArn: string;
  consumer: LoadedFunction;
  log: RuntimeLog;
  /** Batches in flight at once, like the concurrent invocations of a Lambda event source mapping. */
  concurrency?: number;
  batchSize?: number;
  /** How long a batch is gathered once its first message is in (Lambda's MaximumBatchingWindowInSeconds). */
  maxBatchingWindowMs?: number;
  waitTimeSeconds?: number;
}

/** SQS hands out at most this many messages per ReceiveMessage. */
const MAX_MESSAGES_PER_RECEIVE = 10;

export interface QueuePoller {
  stop(): Promise<void>;
}

type SqsConsumer = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | undefined | null>;

/** Lambda's shape of a message attribute: lists are always there, empty when unused. */
const toLambdaAttributes = (
  attributes: Record<string, MessageAttributeValue> | undefined,
): SQSMessageAttributes => {
  const result: SQSMessageAttributes = {};
  for (const [name, value] of Object.entries(attributes ?? {})) {
    result[name] = {
      ...(value.StringValue !== undefined ? { stringValue: value.StringValue } : {}),
      ...(value.BinaryValue !== undefined
        ? { binaryValue: Buffer.from(value.BinaryValue).toString('base64') }
        : {}),
      stringListValues: value.StringListValues ?? [],
      binaryListValues: (value.BinaryListValues ?? []).map((item) => Buffer.from(item).toString('base64')),
      dataType: value.DataType ?? 'String',
    };
  }
  return result;
};

export const toSqsRecord = (message: Message, queueArn: string): SQSRecord => {
  const system = message.Attributes ?? {};
  return {
    messageId: message.MessageId ?? '',
    receiptHandle: message.ReceiptHandle ?? '',
    body: message.Body ?? '',
    attributes: {
      ApproximateReceiveCount: system.ApproximateReceiveCount ?? '1',
      SentTimestamp: system.SentTimestamp ?? String(Date.now()),
      SenderId: system.SenderId ?? 'AIDALOCALSENDER',
      ApproximateFirstReceiveTimestamp: system.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
      ...(system.SequenceNumber ? { SequenceNumber: system.SequenceNumber } : {}),
      ...(system.MessageGroupId ? { MessageGroupId: system.MessageGroupId } : {}),
      ...(system.MessageDeduplicationId ? { MessageDeduplicationId: system.MessageDeduplicationId } : {}),
      ...(system.AWSTraceHeader ? { AWSTraceHeader: system.AWSTraceHeader } : {}),
    },
    messageAttributes: toLambdaAttributes(message.MessageAttributes),
    md5OfBody: message.MD5OfBody ?? '',
    ...(message.MD5OfMessageAttributes ? { md5OfMessageAttributes: message.MD5OfMessageAttributes } : {}),
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: LOCAL_REGION,
  };
};

/**
 * Which messages to delete after an invocation, as an event source mapping with
 * ReportBatchItemFailures decides: all but the reported failures; none when the response names a
 * message that was not in the batch or is malformed (Lambda then fails the whole batch).
 */
export const messagesToDelete = (records: SQSRecord[], response: unknown): SQSRecord[] => {
  if (response === undefined || response === null) return records;
  const failures = (response as Partial<SQSBatchResponse>).batchItemFailures;
  if (failures === undefined || failures === null) return records;
  if (!Array.isArray(failures)) return [];
  const ids = new Set(records.map((record) => record.messageId));
  const failed = new Set<string>();
  for (const failure of failures) {
    const id = (failure as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    if (typeof id !== 'string' || !ids.has(id)) return [];
    failed.add(id);
  }
  return records.filter((record) => !failed.has(record.messageId));
};

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });

/** Between two receives that found nothing, in the last second of a batching window. */
const GATHER_PAUSE_MS = 100;

/** The local event source mapping: long-polls the queue and hands batches to the consumer. */
export const startQueuePoller = (options: PollerOptions): QueuePoller => {
  const { sqs, queueUrl, queueArn, consumer, log } = options;
  const handler = consumer.handler as SqsConsumer;
  const abort = new AbortController();
  const functionName = consumer.spec.name;

  const deleteRecords = async (records: SQSRecord[]) => {
    for (let i = 0; i < records.length; i += 10) {
      const chunk = records.slice(i, i + 10);
      const result = await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: chunk.map((record, index) => ({ Id: String(index), ReceiptHandle: record.receiptHandle })),
        }),
      );
      for (const failed of result.Failed ?? []) {
        log.warn(`could not delete a message of ${functionName}'s batch: ${failed.Code} ${failed.Message}`);
      }
    }
  };

  const receiveUpTo = async (wanted: number, waitTimeSeconds: number): Promise<SQSRecord[]> => {
    const { Messages } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: Math.min(wanted, MAX_MESSAGES_PER_RECEIVE),
        WaitTimeSeconds: waitTimeSeconds,
        MessageAttributeNames: ['All'],
        MessageSystemAttributeNames: ['All'],
      }),
      { abortSignal: abort.signal },
    );
    return (Messages ?? []).map((message) => toSqsRecord(message, queueArn));
  };

  /**
   * Receives one batch, as Lambda gathers it: up to the batch size, for up to the batching window
   * once the first message is in (a receive hands out ten at most). Its invocation runs on without
   * being awaited (the caller holds a slot for it).
   */
  const batchSize = options.batchSize ?? MAX_MESSAGES_PER_RECEIVE;
  const windowMs = options.maxBatchingWindowMs ?? 0;
  const receive = async (): Promise<SQSRecord[]> => {
    const records = await receiveUpTo(batchSize, options.waitTimeSeconds ?? 1);
    if (records.length === 0 || windowMs <= 0) return records;
    const closesAt = performance.now() + windowMs;
    while (records.length < batchSize && !abort.signal.aborted) {
      const left = closesAt - performance.now();
      if (left <= 0) break;
      // A long poll answers as soon as anything comes, so the window is overrun by less than a
      // second at worst; it is never cut short, which would lose what the receive took.
      const more = await receiveUpTo(batchSize - records.length, left >= 1_000 ? 1 : 0);
      records.push(...more);
      if (more.length === 0 && left < 1_000) await sleep(Math.min(left, GATHER_PAUSE_MS), abort.signal);
    }
    return records;
  };

  const invoke = async (records: SQSRecord[]) => {
    let response: unknown;
    try {
      response = await invokeWithTimeout(
        consumer.spec,
        handler,
        { Records: records },
        lambdaContextFor(consumer.spec),
      );
    } catch (error) {
      // The whole batch becomes visible again after the visibility timeout, then goes to the DLQ.
      log.error(`${functionName} failed on a batch of ${records.length}; it will be retried`, error);
      return;
    }
    const done = messagesToDelete(records, response);
    if (done.length < records.length) {
      log.debug(
        `${functionName}: ${records.length - done.length} of ${records.length} message(s) will be retried`,
      );
    }
    if (done.length > 0) await deleteRecords(done);
  };

  // Lambda's pollers are AWS's, apart from the invocations they make. Here one receiver hands
  // batches to up to `concurrency` invocations: N long-polling receivers would all wake for every
  // message and answer N − 1 empty receives, a local cost that grows with the consumers.
  const concurrency = options.concurrency ?? 2;
  const inFlight = new Set<Promise<void>>();
  const loop = async () => {
    while (!abort.signal.aborted) {
      if (inFlight.size >= concurrency) {
        await Promise.race(inFlight);
        continue;
      }
      try {
        const records = await receive();
        if (records.length === 0) continue;
        const running: Promise<void> = invoke(records)
          .catch((error) => log.error(`${functionName}: a batch could not be settled`, error))
          .finally(() => inFlight.delete(running));
        inFlight.add(running);
      } catch (error) {
        if (abort.signal.aborted) break;
        log.warn(`polling the intake queue failed (${(error as Error).message}); retrying in 1 s`);
        await sleep(1_000, abort.signal);
      }
    }
    await Promise.all(inFlight);
  };

  const loops = [loop()];
  return {
    async stop() {
      abort.abort();
      await Promise.all(loops);
    },
  };
};
