import { SfnTimerReplies, SfnTimers } from '../adapters/aws/sfn-timers';
import { SqsNotificationQueue } from '../adapters/aws/sqs-notification-queue';
import { WebhookChannel } from '../adapters/webhook/webhook-channel';
import type { DistrictIndex } from '../domain/district-index';
import type { Clock, NotificationChannel, NotificationQueue, TimerReplies, Timers } from '../ports';
import { type CaseEffects, caseEffects } from '../usecases/case-effects';
import { sfn, sqs } from './clients';
import { requireEnv } from './config';
import { ENV } from './env';

/** The deadline and notification pieces of the composition root (timers on Step Functions, notifications on SQS, webhooks). */

export { sfn };

export const timersFromEnv = (): Timers =>
  new SfnTimers({ client: sfn, stateMachineArn: requireEnv(ENV.timerStateMachineArn) });

export const timerRepliesFromEnv = (): TimerReplies => new SfnTimerReplies(sfn);

export const notificationQueueFromEnv = (): NotificationQueue =>
  new SqsNotificationQueue({ client: sqs, queueUrl: requireEnv(ENV.notificationQueueUrl) });

export const notificationChannelFromEnv = (district: DistrictIndex): NotificationChannel =>
  new WebhookChannel({ district: district.config });

export const caseEffectsFromEnv = (district: DistrictIndex, clock: Clock): CaseEffects => {
  const queue = notificationQueueFromEnv();
  // Case events for the webhook subscriptions ride the same queue: the notifier fans them out.
  return caseEffects({ district, clock, timers: timersFromEnv(), notifications: queue, events: queue });
};
