import { DynamoSubscriptionStore } from '../../adapters/aws/dynamodb-subscription-store';
import { SqsMessageVisibility } from '../../adapters/aws/sqs-message-visibility';
import { SqsNotificationQueue } from '../../adapters/aws/sqs-notification-queue';
import { HttpWebhookPoster, WebhookChannel } from '../../adapters/webhook/webhook-channel';
import type { DistrictIndex } from '../../domain/district-index';
import type {
  MessageVisibility,
  NotificationChannel,
  NotificationQueue,
  SubscriptionStore,
  WebhookPoster,
} from '../../ports';
import { dynamoDocumentClient } from '../clients/dynamodb';
import { sqs } from '../clients/sqs';
import { requireEnv } from '../config';
import { ENV } from '../env';

/**
 * Notifications: their queue, the district's webhooks, and the subscriptions of department systems.
 * `gatherMs`: messages published within that span share requests (see `SqsNotificationQueue`).
 */
export const notificationQueueFromEnv = (gatherMs?: number): NotificationQueue =>
  new SqsNotificationQueue({
    client: sqs,
    queueUrl: requireEnv(ENV.notificationQueueUrl),
    ...(gatherMs !== undefined && { gatherMs }),
  });

/** The notifier delays a delivery to retry by hiding its message on the notification queue. */
export const notificationVisibilityFromEnv = (): MessageVisibility =>
  new SqsMessageVisibility({ client: sqs, queueUrl: requireEnv(ENV.notificationQueueUrl) });

export const notificationChannelFromEnv = (district: DistrictIndex): NotificationChannel =>
  new WebhookChannel({ district: district.config });

export const webhookPosterFromEnv = (): WebhookPoster => new HttpWebhookPoster();

export const subscriptionStoreFromEnv = (): SubscriptionStore =>
  new DynamoSubscriptionStore({ client: dynamoDocumentClient(), tableName: requireEnv(ENV.tableName) });
