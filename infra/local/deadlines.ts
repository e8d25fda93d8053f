import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoWatchedCases } from '../../shared/adapters/aws/dynamodb-watched-cases';
import { timerInput } from '../../shared/adapters/aws/sfn-timers';
import type { DistrictConfig } from '../../shared/district/schema';
import { indexDistrict } from '../../shared/domain/district-index';
import { timerName } from '../../shared/domain/escalation';
import { systemClock, type Timers } from '../../shared/ports';
import { ENV } from '../../shared/runtime/env';
import { rearmTimers } from '../../shared/usecases/rearm-timers';
import type { RuntimeLog } from './log';
import { type LocalStepFunctions, startLocalStepFunctions } from './step-functions';

/** What tools read about the deadline machinery from `<data>/local-cloud.json`. */
export interface LocalDeadlinesInfo {
  sfnEndpoint: string;
  stateMachineArn: string;
  dueCheckQueueUrl: string;
  notificationQueueUrl: string;
}

export interface LocalDeadlines {
  info: LocalDeadlinesInfo;
  stepFunctions: LocalStepFunctions;
  /** The handlers' environment for timers and notifications. */
  environment: Record<string, string>;
  /** The due-check and notification queues, for the pollers of their consumers' triggers. */
  queues: { dueChecks: WorkQueue; notifications: WorkQueue };
  /** Starts a timer for every case whose deadline runs (nothing survives a restart in memory). */
  rearm(
    dynamodb: DynamoDBClient,
    tableName: string,
    district: DistrictConfig,
  ): Promise<{ cases: number; started: number }>;
  stop(): Promise<void>;
}

export interface WorkQueue {
  url: string;
  arn: string;
}

const arnOf = async (sqs: SQSClient, queueUrl: string): Promise<string> => {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }),
  );
  if (!Attributes?.QueueArn) throw new Error(`fauxqs returned no QueueArn for ${queueUrl}`);
  return Attributes.QueueArn;
};

/** A queue with its DLQ, as `WorkQueue` in infra/stack/timers.ts builds them on AWS. */
const createWorkQueue = async (
  sqs: SQSClient,
  name: string,
  visibilityTimeoutSeconds: number,
): Promise<WorkQueue> => {
  const dlq = await sqs.send(
    new CreateQueueCommand({ QueueName: `${name}-dlq`, Attributes: { MessageRetentionPeriod: '1209600' } }),
  );
  if (!dlq.QueueUrl) throw new Error(`fauxqs returned no URL for ${name}-dlq`);
  const queue = await sqs.send(
    new CreateQueueCommand({
      QueueName: name,
      Attributes: {
        VisibilityTimeout: String(visibilityTimeoutSeconds),
        RedrivePolicy: JSON.stringify({
          deadLetterTargetArn: await arnOf(sqs, dlq.QueueUrl),
          maxReceiveCount: 5,
        }),
      },
    }),
  );
  if (!queue.QueueUrl) throw new Error(`fauxqs returned no URL for ${name}`);
  return { url: queue.QueueUrl, arn: await arnOf(sqs, queue.QueueUrl) };
};

export interface LocalDeadlinesOptions {
  sqs: SQSClient;
  districtId: string;
  log: RuntimeLog;
  credentials: { accessKeyId: string; secretAccessKey: string };
}

/**
 * The deadline timers on the local cloud: the due-check and notification queues in fauxqs, the
 * state machine of the stack running in-process, and the re-arming of timers from the table at
 * start (executions live in memory, like fauxqs's messages).
 */
export const startLocalDeadlines = async (options: LocalDeadlinesOptions): Promise<LocalDeadlines> => {
  const { sqs, log } = options;
  const dueChecks = await createWorkQueue(sqs, `xietong-${options.districtId}-due-checks`, 30);
  const notifications = await createWorkQueue(sqs, `xietong-${options.districtId}-notifications`, 30);
  const stepFunctions = await startLocalStepFunctions({ sqs, dueCheckQueueUrl: dueChecks.url, log });
  const info: LocalDeadlinesInfo = {
    sfnEndpoint: stepFunctions.endpoint,
    stateMachineArn: stepFunctions.stateMachineArn,
    dueCheckQueueUrl: dueChecks.url,
    notificationQueueUrl: notifications.url,
  };
  return {
    info,
    stepFunctions,
    environment: {
      [ENV.sfnEndpoint]: stepFunctions.endpoint,
      [ENV.timerStateMachineArn]: stepFunctions.stateMachineArn,
      [ENV.notificationQueueUrl]: notifications.url,
    },
    queues: { dueChecks, notifications },
    async rearm(dynamodb, tableName, district) {
      // In-process starts: the same names and inputs as SfnTimers sends, without 10,000 HTTP calls.
      const timers: Timers = {
        async start(request) {
          try {
            stepFunctions.startExecution(timerName(request.key), JSON.stringify(timerInput(request)));
          } catch (error) {
            if ((error as { type?: string }).type !== 'ExecutionAlreadyExists') throw error;
          }
        },
      };
      return rearmTimers({
        watched: new DynamoWatchedCases({ client: DynamoDBDocumentClient.from(dynamodb), tableName }),
        district: indexDistrict(district),
        clock: systemClock,
        timers,
      });
    },
    stop: () => stepFunctions.stop(),
  };
};
