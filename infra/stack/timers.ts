import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import type { IGrantable } from 'aws-cdk-lib/aws-iam';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import {
  Choice,
  Condition,
  DefinitionBody,
  IntegrationPattern,
  JsonPath,
  LogLevel,
  StateMachine,
  StateMachineType,
  Succeed,
  TaskInput,
  Timeout,
  Wait,
  WaitTime,
} from 'aws-cdk-lib/aws-stepfunctions';
import { SqsSendMessage } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { ENV } from '../../shared/runtime/env';
import { type FunctionSpec, queueTriggerOf } from '../../shared/runtime/functions';
import type { AlarmTopic } from './alarms';
import { WorkQueue } from './queues';

/** State names: the local cloud keys its task handler by name (infra/local/step-functions.ts). */
export const TIMER_STATES = {
  wait: 'WaitUntilDue',
  handOver: 'HandDueCheck',
  decide: 'StillWatching',
  done: 'Done',
} as const;

/** How long a due check may stay unanswered before the timer hands it over again. */
export const DUE_CHECK_TIMEOUT = Duration.minutes(15);
export const DUE_CHECK_RETRIES = 4;
/** Retries of a due check whose hand-over to SQS failed (throttled, 5xx): 2 s, 4 s, … 32 s. */
export const HAND_OVER_SEND_RETRIES = 6;

export interface DeadlineTimersProps {
  districtId: string;
  alarms: AlarmTopic;
  tracing: boolean;
  /** The longest timeout among the queues' consumers. */
  consumerTimeout: Duration;
}

/**
 * Durable deadlines: one Standard execution per (case, deadlines version, running deadline). It
 * waits until the time in `$.next.wakeAt`, hands a due check (with its task token) to the due-check
 * queue, and waits for the escalation function's answer: look again at a new `wakeAt`, or stop.
 * The same definition runs locally (infra/local/step-functions.ts). JSONPath only.
 */
export class DeadlineTimers extends Construct {
  readonly dueChecks: WorkQueue;
  readonly notifications: WorkQueue;
  readonly stateMachine: StateMachine;
  readonly logGroup: LogGroup;
  readonly failureAlarm: Alarm;

  constructor(scope: Construct, id: string, props: DeadlineTimersProps) {
    super(scope, id);
    this.dueChecks = new WorkQueue(this, 'DueChecks', {
      description: 'Deadline due checks',
      consumerTimeout: props.consumerTimeout,
      alarms: props.alarms,
      oldestMessageAlarm: Duration.minutes(5),
    });
    this.notifications = new WorkQueue(this, 'Notifications', {
      description: 'Notifications',
      consumerTimeout: props.consumerTimeout,
      alarms: props.alarms,
      oldestMessageAlarm: Duration.minutes(10),
    });

    const wait = new Wait(this, TIMER_STATES.wait, {
      comment: 'Sleeps until the next step of the case’s ladder (at most a week ahead)',
      time: WaitTime.timestampPath('$.next.wakeAt'),
    });
    const handOver = new SqsSendMessage(this, TIMER_STATES.handOver, {
      comment: 'The escalation function checks the case and answers with the next wake time, or stop',
      queue: this.dueChecks.queue,
      integrationPattern: IntegrationPattern.WAIT_FOR_TASK_TOKEN,
      messageBody: TaskInput.fromObject({
        caseId: JsonPath.stringAt('$.caseId'),
        schedule: JsonPath.numberAt('$.schedule'),
        deadline: JsonPath.stringAt('$.deadline'),
        recheck: JsonPath.stringAt('$.next.recheck'),
        taskToken: JsonPath.taskToken,
      }),
      resultPath: '$.next',
      taskTimeout: Timeout.duration(DUE_CHECK_TIMEOUT),
    });
    // An unanswered check (the function down, the message parked) is handed over again, then the
    // execution fails and raises the alarm.
    // A failed send (SQS throttling or a 5xx, surfaced as the task's error) would fail the whole
    // execution, and the case's deadline would go unwatched: retry it. Found by the local cloud's
    // fault injection (infra/local/faults).
    handOver.addRetry({
      errors: ['States.TaskFailed'],
      interval: Duration.seconds(2),
      maxAttempts: HAND_OVER_SEND_RETRIES,
      backoffRate: 2,
    });
    handOver.addRetry({
      errors: ['States.Timeout'],
      interval: Duration.seconds(30),
      maxAttempts: DUE_CHECK_RETRIES,
      backoffRate: 2,
    });
    const decide = new Choice(this, TIMER_STATES.decide)
      .when(Condition.booleanEquals('$.next.watch', true), wait)
      .otherwise(new Succeed(this, TIMER_STATES.done));

    this.logGroup = new LogGroup(this, 'Logs', {
      retention: RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.stateMachine = new StateMachine(this, 'StateMachine', {
      comment: `xietong ${props.districtId}: one deadline timer per case`,
      stateMachineType: StateMachineType.STANDARD,
      definitionBody: DefinitionBody.fromChainable(wait.next(handOver).next(decide)),
      logs: { destination: this.logGroup, level: LogLevel.ALL, includeExecutionData: false },
      tracingEnabled: props.tracing,
    });

    this.failureAlarm = new Alarm(this, 'FailedAlarm', {
      alarmDescription: 'Deadline timers failed (due checks unanswered): escalations may be missing.',
      metric: this.stateMachine.metricFailed({ period: Duration.minutes(5), statistic: 'Sum' }),
      threshold: 0,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    props.alarms.notify(this.failureAlarm);
  }

  /** Grants a function what its spec asks of timers and notifications, and tells it where they are. */
  bind(fn: LambdaFunction & IGrantable, spec: Pick<FunctionSpec, 'access' | 'triggers'>): void {
    const { access } = spec;
    const dueChecks = queueTriggerOf(spec, 'dueChecks');
    const notifications = queueTriggerOf(spec, 'notifications');
    if (access.timers === 'start') {
      this.stateMachine.grantStartExecution(fn);
      fn.addEnvironment(ENV.timerStateMachineArn, this.stateMachine.stateMachineArn);
    }
    if (access.timers === 'reply') this.stateMachine.grantTaskResponse(fn);
    if (dueChecks) this.dueChecks.consumeWith(fn, dueChecks);
    if (access.notifications === 'send') {
      this.notifications.queue.grantSendMessages(fn);
      fn.addEnvironment(ENV.notificationQueueUrl, this.notifications.queue.queueUrl);
    }
    if (notifications) {
      this.notifications.consumeWith(fn, notifications);
      // The notifier fans case events out onto its own queue and sets a failed delivery's backoff
      // (ChangeMessageVisibility, part of the consume grant) on it.
      this.notifications.queue.grantSendMessages(fn);
      fn.addEnvironment(ENV.notificationQueueUrl, this.notifications.queue.queueUrl);
    }
  }
}
