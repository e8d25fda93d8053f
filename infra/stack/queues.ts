import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { AlarmTopic } from './alarms';

/** Receives after which a report is parked in the dead-letter queue (and an operator is alarmed). */
export const MAX_RECEIVE_COUNT = 5;
/** Reports waiting longer than this mean the router is down or throttled. */
export const OLDEST_MESSAGE_ALARM_SECONDS = 300;

export interface IntakeQueuesProps {
  /** The longest timeout among the queue's consumers. */
  consumerTimeout: Duration;
  /** The consumers' batching window, which also counts against the visibility timeout. */
  maxBatchingWindow: Duration;
  alarms: AlarmTopic;
}

/**
 * Load levelling between intake and routing. A report the router keeps failing on lands in the
 * dead-letter queue after MAX_RECEIVE_COUNT receives, raises an alarm and can be redriven.
 */
export class IntakeQueues extends Construct {
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;
  readonly deadLetterAlarm: Alarm;
  readonly backlogAlarm: Alarm;

  constructor(scope: Construct, id: string, props: IntakeQueuesProps) {
    super(scope, id);
    this.deadLetterQueue = new Queue(this, 'DeadLetterQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // A message keeps its first enqueue time in the DLQ: keep it as long as SQS allows.
      retentionPeriod: Duration.days(14),
    });
    this.queue = new Queue(this, 'Queue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(4),
      // AWS's rule for Lambda consumers: at least six times the function timeout plus the batching window.
      visibilityTimeout: Duration.seconds(
        6 * props.consumerTimeout.toSeconds() + props.maxBatchingWindow.toSeconds(),
      ),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: MAX_RECEIVE_COUNT },
    });

    this.deadLetterAlarm = new Alarm(this, 'DeadLetterAlarm', {
      alarmDescription: 'Reports are parked in the intake dead-letter queue: inspect them and redrive.',
      metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(1),
        statistic: 'Maximum',
      }),
      threshold: 0,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    this.backlogAlarm = new Alarm(this, 'BacklogAlarm', {
      alarmDescription: `Reports have waited more than ${OLDEST_MESSAGE_ALARM_SECONDS} s to be routed.`,
      metric: this.queue.metricApproximateAgeOfOldestMessage({
        period: Duration.minutes(1),
        statistic: 'Maximum',
      }),
      threshold: OLDEST_MESSAGE_ALARM_SECONDS,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 3,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    props.alarms.notify(this.deadLetterAlarm);
    props.alarms.notify(this.backlogAlarm);
  }
}
