import { systemClock } from '../../shared/ports';
import { sqs } from '../../shared/runtime/clients/sqs';
import { districtIndexFromEnv } from '../../shared/runtime/composition/district';
import {
  notificationChannelFromEnv,
  notificationQueueFromEnv,
  notificationVisibilityFromEnv,
  subscriptionStoreFromEnv,
  webhookPosterFromEnv,
} from '../../shared/runtime/composition/notifications';
import { webhookRetryBaseSecondsFrom } from '../../shared/runtime/config';
import { makeHandler, type NotifyDeps } from './app';

// The notifier fans out and delays through SQS: its client is built at cold start (see `sqs`).
await sqs();

export const buildDeps = (): NotifyDeps => ({
  channel: notificationChannelFromEnv(districtIndexFromEnv()),
  subscriptions: subscriptionStoreFromEnv(),
  queue: notificationQueueFromEnv(),
  visibility: notificationVisibilityFromEnv(),
  poster: webhookPosterFromEnv(),
  clock: systemClock,
  retryBaseSeconds: webhookRetryBaseSecondsFrom(),
});

export const handler = makeHandler(buildDeps());
