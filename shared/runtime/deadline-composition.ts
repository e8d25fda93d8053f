import type { SFNClient } from '@aws-sdk/client-sfn';
import { SfnTimerReplies, SfnTimers } from '../adapters/aws/sfn-timers';
import { SqsNotificationQueue } from '../adapters/aws/sqs-notification-queue';
import { WebhookChannel } from '../adapters/webhook/webhook-channel';
import type { DistrictIndex } from '../domain/district-index';
import type { Clock, NotificationChannel, NotificationQueue, TimerReplies, Timers } from '../ports';
import { type CaseEffects, caseEffects } from '../usecases/case-effects';
import { extended, sqs } from './clients';
import { optionalEnv, requireEnv } from './config';
import { ENV } from './env';
import { tracer } from './observability';

/**
 * The deadline and notification pieces of the composition root (timers on Step Functions,
 * notifications on SQS, webhooks). One Step Functions client per process, its module loaded when
 * first asked for (as `sqs` and `s3`): the API functions start a timer on some commands only.
 * Functions that use it on every path ask for it at cold start (see their handler.ts). Its
 * endpoint comes from the environment only when set (the local cloud's Step Functions).
 */
let sfnClient: Promise<SFNClient> | undefined;

export const sfn = (): Promise<SFNClient> => {
  sfnClient ??= import('../adapters/aws/sfn-sdk').then(({ SFNClient }) => {
    const endpoint = optionalEnv(ENV.sfnEndpoint);
    return extended(tracer.captureAWSv3Client(new SFNClient({ ...(endpoint && { endpoint }) })));
  });
  return sfnClient;
};

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
