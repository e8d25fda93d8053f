import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import {
  DeduplicationScope,
  FifoThroughputLimit,
  type IQueue,
  Queue,
  QueueEncryption,
} from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { QueueTrigger } from '../../shared/runtime/functions';
import type { AlarmTopic } from './alarms';

export { ROUTER_MAX_CONCURRENCY } from '../../shared/runtime/functions';

/** Receives after which a message is parked in the dead-letter queue (and an operator is alarmed). */
export const MAX_RECEIVE_COUNT = 5;
/** Reports waiting longer than this mean the router is down or throttled. */
export const OLDEST_MESSAGE_ALARM_SECONDS = 300;
/** The longest batching window of a queue's consumer (it counts against visibility). */
const MAX_BATCHING_WINDOW = Duration.seconds(1);

/** An alarm on the first message a queue of parked messages (a DLQ, a failure destination) holds. */
const parkedAlarm = (scope: Construct, id: string, queue: Queue, description: string): Alarm =>
  new Alarm(scope, id, {
    alarmDescription: description,
    metric: queue.metricApproximateNumberOfMessagesVisible({
      period: Duration.minutes(1),
      statistic: 'Maximum',
    }),
    threshold: 0,
    comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
    evaluationPeriods: 1,
    treatMissingData: TreatMissingData.NOT_BREACHING,
  });

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
  /**
   * FIFO, high throughput: messages of one group (the intake queue's routing area) reach one
   * consumer batch at a time, in order; groups are consumed in parallel; deduplication and the
   * throughput quota are per group.
   */
  fifo?: boolean;
}

export class WorkQueue extends Construct {
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;
  readonly fifo: boolean;

  constructor(scope: Construct, id: string, props: WorkQueueProps) {
    super(scope, id);
    this.fifo = props.fifo ?? false;
    // A FIFO queue's dead letters must go to a FIFO queue.
    this.deadLetterQueue = new Queue(this, 'DeadLetterQueue', {
      ...(this.fifo && { fifo: true }),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.queue = new Queue(this, 'Queue', {
      ...(this.fifo && {
        fifo: true,
        fifoThroughputLimit: FifoThroughputLimit.PER_MESSAGE_GROUP_ID,
        deduplicationScope: DeduplicationScope.MESSAGE_GROUP,
      }),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(4),
      visibilityTimeout: Duration.seconds(
        6 * props.consumerTimeout.toSeconds() + MAX_BATCHING_WINDOW.toSeconds(),
      ),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: MAX_RECEIVE_COUNT },
    });
    const parked = parkedAlarm(
      this,
      'DeadLetterAlarm',
      this.deadLetterQueue,
      `${props.description}: messages parked in the dead-letter queue; inspect and redrive.`,
    );
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

  /** The consumer's event source, as its trigger says; it grants receiving, deleting and visibility changes. */
  consumeWith(fn: LambdaFunction, trigger: QueueTrigger): void {
    fn.addEventSource(eventSourceFor(this.queue, trigger));
  }
}

/** The event source mapping of a work queue's consumer: its trigger's batches, with partial batch failures. */
export const eventSourceFor = (queue: IQueue, trigger: QueueTrigger): SqsEventSource =>
  new SqsEventSource(queue, {
    batchSize: trigger.batchSize,
    ...(trigger.maxConcurrency !== undefined && { maxConcurrency: trigger.maxConcurrency }),
    ...(trigger.maxBatchingWindowSeconds !== undefined && {
      maxBatchingWindow: Duration.seconds(trigger.maxBatchingWindowSeconds),
    }),
    reportBatchItemFailures: true,
  });

export interface FailureQueueProps {
  description: string;
  alarms: AlarmTopic;
}

/**
 * Where an event source parks what its consumer kept failing on (a stream batch's pointer, for
 * one): kept 14 days, and any message alarms an operator.
 */
export class FailureQueue extends Construct {
  readonly queue: Queue;

  constructor(scope: Construct, id: string, props: FailureQueueProps) {
    super(scope, id);
    this.queue = new Queue(this, 'Queue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    props.alarms.notify(
      parkedAlarm(
        this,
        'Alarm',
        this.queue,
        `${props.description}: inspect the parked batch, then rebuild the figures it covers.`,
      ),
    );
  }
}
