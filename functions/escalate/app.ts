import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { SQSBatchItemFailure, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { logger, metrics, traceInvocations } from '../../shared/runtime/observability';
import { type CheckDeadlineDeps, checkDeadline } from '../../shared/usecases/check-deadline';
import * as z from '../../shared/validation/zod';

/** The due check the timer's state machine sends (infra/stack/timers.ts builds the body). */
const DueCheckMessage = z.object({
  caseId: z.string().check(z.minLength(1)),
  schedule: z.number().check(z.int(), z.gte(0)),
  deadline: z.enum(['accept', 'handle']),
  taskToken: z.string().check(z.minLength(1)),
  recheck: z._default(z.boolean(), false),
});

const checkRecord = async (deps: CheckDeadlineDeps, record: SQSRecord): Promise<void> => {
  let message: z.infer<typeof DueCheckMessage>;
  try {
    message = DueCheckMessage.parse(JSON.parse(record.body));
  } catch (error) {
    throw new Error(`unreadable due check ${record.messageId}: ${(error as Error).message}`);
  }
  const redelivered = Number(record.attributes.ApproximateReceiveCount) > 1;
  const result = await checkDeadline(deps, { ...message, redelivered });
  metrics.addMetric(
    result.outcome === 'escalated' ? 'Escalations' : 'DueChecksWithoutEscalation',
    'Count',
    1,
  );
  logger.info('due check', { caseId: message.caseId, schedule: message.schedule, ...result });
};

/**
 * Consumes the due-check queue: each record is one timer that woke up. Records are checked
 * concurrently and fail alone (partial batch response); a check that keeps failing lands in the
 * dead-letter queue, and its timer retries the hand-over when the task times out.
 */
export const makeHandler = (deps: CheckDeadlineDeps) =>
  middy(async (event: SQSEvent): Promise<SQSBatchResponse> => {
    const outcomes = await Promise.allSettled(event.Records.map((record) => checkRecord(deps, record)));
    const batchItemFailures: SQSBatchItemFailure[] = [];
    outcomes.forEach((outcome, index) => {
      if (outcome.status === 'fulfilled') return;
      const { messageId } = event.Records[index]!;
      logger.error('due check failed', { messageId, error: outcome.reason as Error });
      metrics.addMetric('DueCheckFailures', 'Count', 1);
      batchItemFailures.push({ itemIdentifier: messageId });
    });
    return { batchItemFailures };
  })
    .use(traceInvocations())
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics));
