import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context, ScheduledEvent, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type * as z from '../validation/zod';
import { logger, metrics, traceInvocations } from './observability';

// The chains every non-HTTP function shares (httpFunction in shared/http/middleware.ts is the HTTP
// one): tracing, logging with the invocation's context, metrics. Messages are checked with our
// zod/mini schemas here, not with @aws-lambda-powertools/parser: its SQS envelope and JSON helpers
// import classic zod, hundreds of KB in every consumer's bundle (issue #20); its batch processor
// needs none of it.

export interface EventFunctionOptions {
  /** False where a reply carries a secret or is too big to keep in a trace. */
  captureResponse?: boolean;
  /** False where the event carries a secret (the integration key): never logged, whatever POWERTOOLS_LOGGER_LOG_EVENT says. */
  logEvent?: false;
}

/** Any event-driven function (the key authorizer, S3 notifications, the change stream). */
export const eventFunction = <E, R>(
  handler: (event: E, context: Context) => Promise<R>,
  options: EventFunctionOptions = {},
) =>
  middy<E, R>(handler)
    .use(traceInvocations({ captureResponse: options.captureResponse ?? true }))
    .use(
      injectLambdaContext(logger, {
        resetKeys: true,
        ...(options.logEvent === false && { logEvent: false }),
      }),
    )
    .use(logMetrics(metrics));

/**
 * A function an EventBridge schedule invokes (the local cloud's scheduler sends the same event). The
 * event may be partial: an operator invoking it by hand sends what they like.
 */
export const scheduledFunction = <R>(handler: (event: Partial<ScheduledEvent> | undefined) => Promise<R>) =>
  eventFunction<Partial<ScheduledEvent> | undefined, R>((event) => handler(event));

/** A message that will never parse: failing it lets SQS park it in the DLQ after maxReceiveCount. */
export class UnreadableMessageError extends Error {
  override readonly name = 'UnreadableMessageError';
}

export interface SqsFunctionOptions {
  /** What a message is called in the error of one that doesn't parse: `unreadable <what> <id>: …`. */
  message: string;
  /** Logs and counts a record that failed; SQS delivers it again (then parks it). */
  onFailure: (error: Error, record: SQSRecord) => void;
  /** One record after another (a record takes the whole invocation); in parallel otherwise. */
  sequential?: boolean;
  captureResponse?: boolean;
}

const readerOf =
  <S extends z.ZodMiniType>(schema: S, what: string) =>
  (record: SQSRecord): z.infer<S> => {
    try {
      return schema.parse(JSON.parse(record.body)) as z.infer<S>;
    } catch (error) {
      throw new UnreadableMessageError(`unreadable ${what} ${record.messageId}: ${(error as Error).message}`);
    }
  };

/**
 * Powertools' processor reports each failed record in the partial batch response. With
 * `throwOnFullBatchFailure: false` a batch whose records all failed is answered like any other
 * (every id listed) instead of throwing, as the consumers did before they shared this.
 */
const partialResponse = (
  event: SQSEvent,
  context: Context,
  recordHandler: (record: SQSRecord) => Promise<unknown>,
  options: Pick<SqsFunctionOptions, 'onFailure' | 'sequential'>,
): Promise<SQSBatchResponse> =>
  processPartialResponse(
    event,
    async (record: SQSRecord) => {
      try {
        return await recordHandler(record);
      } catch (error) {
        options.onFailure(error as Error, record);
        throw error;
      }
    },
    new BatchProcessor(EventType.SQS),
    { context, throwOnFullBatchFailure: false, processInParallel: !options.sequential },
  ) as Promise<SQSBatchResponse>;

/** An SQS consumer: each record's body checked with `schema`, handled on its own, failing alone. */
export const sqsFunction = <S extends z.ZodMiniType>(
  schema: S,
  recordHandler: (message: z.infer<S>, record: SQSRecord, context: Context) => Promise<void>,
  options: SqsFunctionOptions,
) => {
  const read = readerOf(schema, options.message);
  return eventFunction<SQSEvent, SQSBatchResponse>(
    (event, context) =>
      partialResponse(event, context, (record) => recordHandler(read(record), record, context), options),
    { captureResponse: options.captureResponse ?? true },
  );
};

export interface ReadableRecord<T> {
  message: T;
  record: SQSRecord;
}

/**
 * An SQS consumer that handles its batch's readable messages together, in one call, and answers
 * per record (an Error fails that record alone). For the router: a FIFO batch's reports of one
 * routing area are routed in one pass, areas in parallel, which Powertools' processors (a handler
 * per record) cannot express. Unreadable records fail before the call, on their own; the outcomes
 * still go through Powertools' processor, so the partial batch response is built in one place.
 */
export const sqsBatchFunction = <S extends z.ZodMiniType>(
  schema: S,
  batchHandler: (records: ReadableRecord<z.infer<S>>[]) => Promise<Map<string, Error | undefined>>,
  options: SqsFunctionOptions,
) => {
  const read = readerOf(schema, options.message);
  return eventFunction<SQSEvent, SQSBatchResponse>(
    async (event, context) => {
      const readable: ReadableRecord<z.infer<S>>[] = [];
      const unreadable = new Map<string, Error>();
      for (const record of event.Records) {
        try {
          readable.push({ message: read(record), record });
        } catch (error) {
          unreadable.set(record.messageId, error as Error);
        }
      }
      const outcomes = readable.length > 0 ? batchHandler(readable) : Promise.resolve(new Map());
      return partialResponse(
        event,
        context,
        async (record) => {
          const failure = unreadable.get(record.messageId) ?? (await outcomes).get(record.messageId);
          if (failure) throw failure;
        },
        options,
      );
    },
    { captureResponse: options.captureResponse ?? true },
  );
};
