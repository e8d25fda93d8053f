import type { SFNClient } from '@aws-sdk/client-sfn';
import { timerName } from '../../domain/escalation';
import type { DueCheckResult, TimerReplies, TimerStart, Timers } from '../../ports';
import { type ClientSource, clientOf } from './client-source';

// The Step Functions module is imported where a call uses it, never at module level: see `ClientSource`.
const sfnModule = () => import('./sfn-sdk');

export interface SfnTimersOptions {
  client: ClientSource<SFNClient>;
  stateMachineArn: string;
}

/** What a timer execution starts with; the state machine (infra/stack/timers.ts) reads these paths. */
export interface TimerInput {
  caseId: string;
  schedule: number;
  deadline: string;
  next: { watch: true; wakeAt: string; recheck: boolean };
}

export const timerInput = (request: TimerStart): TimerInput => ({
  caseId: request.key.caseId,
  schedule: request.key.schedule,
  deadline: request.key.deadline,
  next: { watch: true, wakeAt: request.wakeAt, recheck: request.recheck },
});

/**
 * One Step Functions execution per (case, deadlines version, running deadline), named after it: a
 * retried start of the same timer is refused as ExecutionAlreadyExists, which is success here.
 */
export class SfnTimers implements Timers {
  constructor(private readonly options: SfnTimersOptions) {}

  async start(request: TimerStart): Promise<void> {
    const { ExecutionAlreadyExists, StartExecutionCommand } = await sfnModule();
    const client = await clientOf(this.options.client);
    try {
      await client.send(
        new StartExecutionCommand({
          stateMachineArn: this.options.stateMachineArn,
          name: timerName(request.key),
          input: JSON.stringify(timerInput(request)),
        }),
      );
    } catch (error) {
      if (!(error instanceof ExecutionAlreadyExists)) throw error;
    }
  }
}

/** Answers the `.waitForTaskToken` state. A token already answered or expired has nobody waiting. */
export class SfnTimerReplies implements TimerReplies {
  constructor(private readonly client: ClientSource<SFNClient>) {}

  async reply(taskToken: string, result: DueCheckResult): Promise<void> {
    const { InvalidToken, SendTaskSuccessCommand, TaskDoesNotExist, TaskTimedOut } = await sfnModule();
    const client = await clientOf(this.client);
    try {
      await client.send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify(result) }));
    } catch (error) {
      if (error instanceof TaskTimedOut || error instanceof InvalidToken || error instanceof TaskDoesNotExist)
        return;
      throw error;
    }
  }
}
