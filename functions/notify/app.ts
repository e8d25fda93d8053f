import type { SQSRecord } from 'aws-lambda';
import type {
  MessageVisibility,
  NotificationChannel,
  NotifierMessage,
  SubscriptionStore,
} from '../../shared/ports';
import { sqsFunction } from '../../shared/runtime/event-functions';
import { logger, metrics } from '../../shared/runtime/observability';
import {
  deliverNotification,
  deliverToSubscription,
  fanOutCaseEvent,
  type SubscriptionDeliveryDeps,
  subscriptionsPerBatch,
} from '../../shared/usecases/deliver-notification';
import * as z from '../../shared/validation/zod';

export interface NotifyDeps extends SubscriptionDeliveryDeps {
  channel: NotificationChannel;
  visibility: MessageVisibility;
}

/**
 * What the notifier takes off its queue: the parts each kind is dispatched on are checked, the rest
 * passes through as written by its producer (shared/domain/notifications.ts, subscriptions.ts).
 */
const NotifierMessageSchema = z.union([
  z.looseObject({
    kind: z.literal('case-event'),
    key: z.string(),
    event: z.looseObject({}),
  }),
  z.looseObject({
    kind: z.literal('delivery'),
    key: z.string(),
    subscriptionId: z.string(),
    event: z.looseObject({}),
  }),
  z.looseObject({
    kind: z.enum(['assignment', 'escalation']),
    key: z.string(),
    recipient: z.looseObject({}),
  }),
]);

class DeliveryFailedError extends Error {
  override readonly name = 'DeliveryFailedError';
}

const handleRecord = async (
  deps: NotifyDeps,
  message: NotifierMessage,
  record: SQSRecord,
  subscriptions: Pick<SubscriptionStore, 'listStored'>,
): Promise<void> => {
  switch (message.kind) {
    case 'case-event': {
      const deliveries = await fanOutCaseEvent({ subscriptions, queue: deps.queue }, message);
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
export const makeHandler = (deps: NotifyDeps) => {
  const subscriptionsOf = subscriptionsPerBatch(deps.subscriptions);
  return sqsFunction(
    NotifierMessageSchema,
    // The schema checked what each kind is dispatched on; the rest is as its producer wrote it.
    (message, record, context) =>
      handleRecord(
        deps,
        message as unknown as NotifierMessage,
        record,
        subscriptionsOf(context.awsRequestId),
      ),
    {
      message: 'notification',
      onFailure: (error, { messageId }) => {
        logger.warn('notification not delivered', { messageId, error });
        metrics.addMetric('NotificationFailures', 'Count', 1);
      },
    },
  );
};
