import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { AlarmTopic } from './alarms';

/** Receives after which a message is parked in the dead-letter queue (and an operator is alarmed). */
export const MAX_RECEIVE_COUNT = 5;
/** Reports waiting longer than this mean the router is down or throttled. */
export const OLDEST_MESSAGE_ALARM_SECONDS = 300;
/** How every queue's Lambda consumer takes its messages (the window counts against visibility). */
export const CONSUMER_BATCH = { batchSize: 10, maxBatchingWindow: Duration.seconds(1) } as const;

/**
 * Load levelling between a producer and its Lambda consumer (intake → router, timers →
 * escalation, escalation → notifier). A message the consumer keeps failing on lands in the
 * dead-letter queue after MAX_RECEIVE_COUNT receives, raises an alarm and can be redriven.
 */
export interface WorkQueueProps {
  description: string;
  consumerTimeout: Duration;
  alarms: AlarmTopic;
  /** Messages waiting longer than this mean the consumer is down. */
  oldestMessageAlarm: Duration;
}

export class WorkQueue extends Construct {
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;

  constructor(scope: Construct, id: string, props: WorkQueueProps) {
    super(scope, id);
    this.deadLetterQueue = new Queue(this, 'DeadLetterQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.queue = new Queue(this, 'Queue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(4),
      visibilityTimeout: Duration.seconds(
        6 * props.consumerTimeout.toSeconds() + CONSUMER_BATCH.maxBatchingWindow.toSeconds(),
      ),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: MAX_RECEIVE_COUNT },
    });
    const parked = new Alarm(this, 'DeadLetterAlarm', {
      alarmDescription: `${props.description}: messages parked in the dead-letter queue; inspect and redrive.`,
      metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(1),
        statistic: 'Maximum',
      }),
      threshold: 0,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    const backlog = new Alarm(this, 'BacklogAlarm', {
      alarmDescription: `${props.description}: messages waited more than ${props.oldestMessageAlarm.toSeconds()} s.`,
      metric: this.queue.metricApproximateAgeOfOldestMessage({
        period: Duration.minutes(1),
        statistic: 'Maximum',
      }),
      threshold: props.oldestMessageAlarm.toSeconds(),
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 3,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    props.alarms.notify(parked);
    props.alarms.notify(backlog);
  }

  consumeWith(fn: NodejsFunction): void {
    fn.addEventSource(
      new SqsEventSource(this.queue, {
        batchSize: CONSUMER_BATCH.batchSize,
        maxBatchingWindow: CONSUMER_BATCH.maxBatchingWindow,
        reportBatchItemFailures: true,
      }),
    );
  }
}
