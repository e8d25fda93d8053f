import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { SQSBatchItemFailure, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { MessageVisibility, NotificationChannel, NotifierMessage } from '../../shared/ports';
import { logger, metrics, traceInvocations } from '../../shared/runtime/observability';
import {
  deliverNotification,
  deliverToSubscription,
  fanOutCaseEvent,
  type SubscriptionDeliveryDeps,
} from '../../shared/usecases/deliver-notification';

export interface NotifyDeps extends SubscriptionDeliveryDeps {
  channel: NotificationChannel;
  visibility: MessageVisibility;
}

const readMessage = (body: string, messageId: string): NotifierMessage => {
  const message = JSON.parse(body) as Partial<NotifierMessage> & { kind?: string };
  const readable =
    typeof message.key === 'string' &&
    (message.kind === 'case-event' || message.kind === 'delivery'
      ? typeof (message as { event?: unknown }).event === 'object'
      : typeof (message as { recipient?: unknown }).recipient === 'object' &&
        (message as { recipient?: unknown }).recipient !== null);
  if (!readable) throw new Error(`unreadable notification ${messageId}`);
  return message as NotifierMessage;
};

class DeliveryFailedError extends Error {
  override readonly name = 'DeliveryFailedError';
}

const handleRecord = async (deps: NotifyDeps, record: SQSRecord): Promise<void> => {
  const message = readMessage(record.body, record.messageId);
  switch (message.kind) {
    case 'case-event': {
      const deliveries = await fanOutCaseEvent(deps, message);
      if (deliveries > 0) metrics.addMetric('SubscriptionDeliveriesQueued', 'Count', deliveries);
      return;
    }
    case 'delivery': {
      const attempt = Number(record.attributes.ApproximateReceiveCount) || 1;
      const result = await deliverToSubscription(deps, message, attempt);
      logger.info('subscription delivery', {
        key: message.key,
        subscriptionId: message.subscriptionId,
        attempt,
        outcome: result.outcome,
      });
      if (result.outcome !== 'failed') {
        metrics.addMetric(
          result.outcome === 'delivered' ? 'SubscriptionDeliveries' : 'SubscriptionGone',
          'Count',
          1,
        );
        return;
      }
      metrics.addMetric('SubscriptionDeliveryFailures', 'Count', 1);
      // The wait before the next attempt; none left: visible at once, so the next receive parks it.
      await deps.visibility.delay(record.receiptHandle, result.retryInSeconds ?? 0);
      throw new DeliveryFailedError(result.error);
    }
    default: {
      const outcome = await deliverNotification(deps.channel, message);
      metrics.addMetric(
        outcome === 'delivered' ? 'NotificationsDelivered' : 'NotificationsWithoutAddress',
        'Count',
        1,
      );
      logger.info('notification', { key: message.key, kind: message.kind, outcome });
    }
  }
};

/**
 * Consumes the notification queue, at least once: people's notifications (to the district file's
 * webhooks), case events (fanned out to the subscriptions that want them) and subscription
 * deliveries (signed, recorded attempt by attempt, retried with exponential backoff, then parked).
 */
export const makeHandler = (deps: NotifyDeps) =>
  middy(async (event: SQSEvent): Promise<SQSBatchResponse> => {
    const outcomes = await Promise.allSettled(event.Records.map((record) => handleRecord(deps, record)));
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
    .use(traceInvocations())
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics));
