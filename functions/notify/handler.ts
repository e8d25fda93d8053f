import { DynamoSubscriptionStore } from '../../shared/adapters/aws/dynamodb-subscription-store';
import { SqsMessageVisibility } from '../../shared/adapters/aws/sqs-message-visibility';
import { HttpWebhookPoster } from '../../shared/adapters/webhook/webhook-channel';
import { systemClock } from '../../shared/ports';
import { dynamoDocumentClient, sqs } from '../../shared/runtime/clients';
import { districtIndexFromEnv } from '../../shared/runtime/composition';
import { optionalEnv, requireEnv } from '../../shared/runtime/config';
import {
  notificationChannelFromEnv,
  notificationQueueFromEnv,
} from '../../shared/runtime/deadline-composition';
import { ENV } from '../../shared/runtime/env';
import { makeHandler, type NotifyDeps } from './app';

// The notifier fans out and delays through SQS: its client is built at cold start (see `sqs`).
await sqs();

const retryBaseSeconds = (): number => {
  const raw = optionalEnv(ENV.webhookRetryBaseSeconds);
  const value = raw === undefined ? 30 : Number(raw);
  if (!Number.isFinite(value) || value < 0 || value > 900) {
    throw new Error(`${ENV.webhookRetryBaseSeconds} must be seconds between 0 and 900, not "${raw}"`);
  }
  return value;
};

export const buildDeps = (): NotifyDeps => ({
  channel: notificationChannelFromEnv(districtIndexFromEnv()),
  subscriptions: new DynamoSubscriptionStore({
    client: dynamoDocumentClient(),
    tableName: requireEnv(ENV.tableName),
  }),
  queue: notificationQueueFromEnv(),
  visibility: new SqsMessageVisibility({ client: sqs, queueUrl: requireEnv(ENV.notificationQueueUrl) }),
  poster: new HttpWebhookPoster(),
  clock: systemClock,
  retryBaseSeconds: retryBaseSeconds(),
});

export const handler = makeHandler(buildDeps());
