import { DynamoWatchedCases } from '../../adapters/aws/dynamodb-watched-cases';
import { SfnTimerReplies, SfnTimers } from '../../adapters/aws/sfn-timers';
import type { TimerReplies, Timers, WatchedCases } from '../../ports';
import { dynamoDocumentClient } from '../clients/dynamodb';
import { sfn } from '../clients/sfn';
import { requireEnv } from '../config';
import { ENV } from '../env';

/** Deadline timers: Step Functions executions, and the cases that should have one running. */
export const timersFromEnv = (): Timers =>
  new SfnTimers({ client: sfn, stateMachineArn: requireEnv(ENV.timerStateMachineArn) });

export const timerRepliesFromEnv = (): TimerReplies => new SfnTimerReplies(sfn);

export const watchedCasesFromEnv = (): WatchedCases =>
  new DynamoWatchedCases({ client: dynamoDocumentClient(), tableName: requireEnv(ENV.tableName) });
