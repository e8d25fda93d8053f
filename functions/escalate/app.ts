import { sqsFunction } from '../../shared/runtime/event-functions';
import { logger, metrics } from '../../shared/runtime/observability';
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

/**
 * Consumes the due-check queue: each record is one timer that woke up. Records are checked
 * concurrently and fail alone (partial batch response); a check that keeps failing lands in the
 * dead-letter queue, and its timer retries the hand-over when the task times out.
 */
export const makeHandler = (deps: CheckDeadlineDeps) =>
  sqsFunction(
    DueCheckMessage,
    async (message, record) => {
      const redelivered = Number(record.attributes.ApproximateReceiveCount) > 1;
      const result = await checkDeadline(deps, { ...message, redelivered });
      metrics.addMetric(
        result.outcome === 'escalated' ? 'Escalations' : 'DueChecksWithoutEscalation',
        'Count',
        1,
      );
      logger.info('due check', { caseId: message.caseId, schedule: message.schedule, ...result });
    },
    {
      message: 'due check',
      onFailure: (error, { messageId }) => {
        logger.error('due check failed', { messageId, error });
        metrics.addMetric('DueCheckFailures', 'Count', 1);
      },
    },
  );
