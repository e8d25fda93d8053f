import type { Context, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { CASE_CHANGES_BATCH } from '../../shared/runtime/functions';
import { matchesCaseChangesFilter } from './case-changes-filter';
import type { ChangeRecord, ChangeStream } from './dynamodb-stream';
import type { LoadedFunction } from './handlers';
import { invokeWithTimeout, LOCAL_REGION, lambdaContextFor } from './lambda-context';
import type { RuntimeLog } from './log';

export interface StreamMappingOptions {
  stream: ChangeStream;
  tableName: string;
  target: LoadedFunction;
  log: RuntimeLog;
  /** Defaults: CASE_CHANGES_BATCH, as the stack configures the event source on AWS. */
  batchSize?: number;
  maxBatchingWindowMs?: number;
  retryAttempts?: number;
}

export interface StreamMapping {
  /** Delivers everything recorded so far (tests: "the stream has caught up"). */
  drain(): Promise<void>;
  /**
   * Turns the mapping off or on, as `UpdateEventSourceMapping --enabled` does on AWS: meanwhile the
   * records wait in the stream. Resolves once no batch is in flight.
   */
  setEnabled(enabled: boolean): Promise<void>;
  readonly enabled: boolean;
  stop(): Promise<void>;
}

/** The stack's filter criteria: case items only (`Keys.sk = CASE`). */
const matchesFilter = (record: ChangeRecord) => matchesCaseChangesFilter(record.keys);

/** A recorded change as Lambda hands it to a stream consumer. */
export const lambdaRecordOf = (record: ChangeRecord, streamArn: string): DynamoDBRecord => ({
  eventID: record.eventID,
  eventName: record.eventName,
  eventVersion: '1.1',
  eventSource: 'aws:dynamodb',
  awsRegion: LOCAL_REGION,
  eventSourceARN: streamArn,
  dynamodb: {
    ApproximateCreationDateTime: record.approximateCreationDateTime,
    Keys: record.keys as never,
    ...(record.oldImage && { OldImage: record.oldImage as never }),
    ...(record.newImage && { NewImage: record.newImage as never }),
    SequenceNumber: record.sequenceNumber,
    SizeBytes: JSON.stringify(record.newImage ?? record.oldImage ?? {}).length,
    StreamViewType: 'NEW_AND_OLD_IMAGES',
  },
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The local event source mapping of a DynamoDB stream, as Lambda runs it for one shard: one batch at
 * a time, in order; each batch waits for `batchSize` records or the batching window; records the
 * filter leaves out are passed over; a failed batch is retried (backoff 0.2 s doubling to 5 s) up to
 * `retryAttempts` times, then logged as parked and passed over (AWS sends its pointer to the
 * on-failure queue). The checkpoint moves only past a delivered or parked batch, so a restart
 * delivers again what was in flight, as Lambda does after a crash.
 */
export const startStreamMapping = (options: StreamMappingOptions): StreamMapping => {
  const { stream, target, log } = options;
  const batchSize = options.batchSize ?? CASE_CHANGES_BATCH.batchSize;
  const windowMs = options.maxBatchingWindowMs ?? CASE_CHANGES_BATCH.maxBatchingWindowSeconds * 1000;
  const retryAttempts = options.retryAttempts ?? CASE_CHANGES_BATCH.retryAttempts;
  const streamArn = `arn:aws:dynamodb:${LOCAL_REGION}:000000000000:table/${options.tableName}/stream/local`;
  const handler = target.handler as (event: DynamoDBStreamEvent, context: Context) => Promise<unknown>;
  let stopped = false;
  let enabled = true;
  let wake: (() => void) | undefined;

  /** One batch from the checkpoint on: delivered (or parked); false when there was nothing to read. */
  const deliverOne = async (): Promise<boolean> => {
    const { records } = await stream.read(batchSize);
    const last = records[records.length - 1];
    if (!last) return false;
    const wanted = records.filter(matchesFilter);
    for (let attempt = 0; wanted.length > 0; attempt++) {
      try {
        await invokeWithTimeout(
          target.spec,
          handler,
          { Records: wanted.map((r) => lambdaRecordOf(r, streamArn)) },
          lambdaContextFor(target.spec),
        );
        break;
      } catch (error) {
        if (attempt >= retryAttempts || stopped) {
          log.error(
            `${target.spec.name}: parked stream batch ${wanted[0]?.sequenceNumber}…${last.sequenceNumber} after ${attempt + 1} attempts`,
            error,
          );
          break;
        }
        log.warn(`${target.spec.name}: stream batch failed, retrying: ${(error as Error).message}`);
        await sleep(Math.min(200 * 2 ** attempt, 5_000));
      }
    }
    stream.checkpoint(last.sequenceNumber);
    return true;
  };

  let running: Promise<void> | undefined;
  /**
   * One run of deliveries at a time (a shard has one batch in flight): one batch (what the window
   * gathered, up to `batchSize`), or every batch until the stream is empty (`drain`). A call while a
   * run is under way joins that run.
   */
  const deliver = (untilEmpty: boolean) => {
    // Off or stopped: nothing to run (a run that never awaits would clear `running` before it is set).
    if (stopped || !enabled) return running ?? Promise.resolve();
    running ??= (async () => {
      try {
        while ((await deliverOne()) && untilEmpty && !stopped && enabled) {}
      } finally {
        running = undefined;
      }
    })();
    return running;
  };

  const loop = (async () => {
    while (!stopped) {
      // The batching window: wait it out unless a full batch is there already (turned off: wait).
      const { pending } = enabled ? await stream.read(0) : { pending: 0 };
      if (pending < batchSize) {
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, windowMs).unref();
        });
      }
      if (stopped) break;
      if (!enabled) continue;
      try {
        // Each invocation gathers for the window again unless a full batch waits, as on AWS: a
        // burst's changes reach the consumer in a few large batches, not one per poll.
        await deliver(false);
      } catch (error) {
        log.error(`${target.spec.name}: reading the change stream failed`, error);
      }
    }
  })();

  return {
    async drain() {
      await running;
      await deliver(true);
    },
    async setEnabled(on) {
      enabled = on;
      if (on) wake?.();
      else await running;
    },
    get enabled() {
      return enabled;
    },
    async stop() {
      stopped = true;
      wake?.();
      await loop;
      await running;
    },
  };
};
