import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type { SQSBatchItemFailure, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { NotificationMessage } from '../../shared/domain/notifications';
import type { NotificationChannel } from '../../shared/ports';
import { logger, metrics, tracer } from '../../shared/runtime/observability';
import { deliverNotification } from '../../shared/usecases/deliver-notification';

export interface NotifyDeps {
  channel: NotificationChannel;
}

const readMessage = (body: string, messageId: string): NotificationMessage => {
  const message = JSON.parse(body) as Partial<NotificationMessage>;
  if (
    typeof message.key !== 'string' ||
    typeof message.recipient !== 'object' ||
    message.recipient === null
  ) {
    throw new Error(`unreadable notification ${messageId}`);
  }
  return message as NotificationMessage;
};

/**
 * Consumes the notification queue: at least once, each message with its idempotency key. A
 * recipient without an address is logged and dropped; a failed delivery is retried, then parked.
 */
export const makeHandler = (deps: NotifyDeps) =>
  middy(async (event: SQSEvent): Promise<SQSBatchResponse> => {
    const outcomes = await Promise.allSettled(
      event.Records.map(async (record) => {
        const message = readMessage(record.body, record.messageId);
        const outcome = await deliverNotification(deps.channel, message);
        metrics.addMetric(
          outcome === 'delivered' ? 'NotificationsDelivered' : 'NotificationsWithoutAddress',
          'Count',
          1,
        );
        logger.info('notification', { key: message.key, kind: message.kind, outcome });
      }),
    );
    const batchItemFailures: SQSBatchItemFailure[] = [];
    outcomes.forEach((outcome, index) => {
      if (outcome.status === 'fulfilled') return;
      const { messageId } = event.Records[index]!;
      logger.warn('notification not delivered', { messageId, error: outcome.reason as Error });
      metrics.addMetric('NotificationFailures', 'Count', 1);
      batchItemFailures.push({ itemIdentifier: messageId });
    });
    return { batchItemFailures };
  })
    .use(captureLambdaHandler(tracer))
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics));
