import { SQSServiceException } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDistrictApp } from '../../infra/district-app';
import { definitionOf, forLocalRuns, timerDefinition } from '../../infra/local/step-functions';
import type { DistrictStack } from '../../infra/stack/district-stack';
import { TIMER_STATES } from '../../infra/stack/timers';
import { type TestApp, testApp } from './synth';

/**
 * The deadline timers' state machine as `cdk synth` deploys it, run with aws-local-stepfunctions
 * (waits overridden): the path it takes for each answer of the escalation function.
 */
let synth: TestApp;
let stack: DistrictStack;
beforeAll(() => {
  synth = testApp({ nag: false });
  stack = buildDistrictApp(synth.app, { district: 'sandun' });
});
afterAll(() => synth.dispose());

type Answer = { watch: boolean; wakeAt?: string; recheck: boolean };

/** Runs the stack's definition with scripted answers; returns the states entered and the hand-overs. */
const runWith = async (answers: (Answer | Error)[]) => {
  const { StateMachine } = await import('aws-local-stepfunctions');
  const machine = new StateMachine(forLocalRuns(definitionOf(stack.timers.stateMachine)), {
    validationOptions: { checkArn: false },
  });
  const handedOver: unknown[] = [];
  const run = machine.run(
    {
      caseId: 'C1',
      schedule: 4,
      deadline: 'accept',
      next: { watch: true, wakeAt: '2026-01-01T00:00:00Z', recheck: true },
    },
    {
      overrides: {
        waitTimeOverrides: { [TIMER_STATES.wait]: 0 },
        retryIntervalOverrides: { [TIMER_STATES.handOver]: 0 },
        taskResourceLocalHandlers: {
          [TIMER_STATES.handOver]: async (input) => {
            handedOver.push(input);
            const answer = answers.shift();
            if (!answer) throw new Error('no scripted answer left');
            if (answer instanceof Error) throw answer;
            return answer;
          },
        },
      },
      context: { Task: { Token: 'token-1' } },
    },
  );
  const entered: string[] = [];
  const collect = (async () => {
    for await (const event of run.eventLogs)
      if (event.type === 'StateEntered') entered.push(event.state.name);
  })();
  const output = await run.result;
  await collect;
  return { entered, handedOver, output };
};

describe('the deadline timer state machine', () => {
  it('is the definition the local cloud runs (same construct, same states)', () => {
    const deployed = definitionOf(stack.timers.stateMachine);
    const local = timerDefinition();
    expect(local.StartAt).toBe(deployed.StartAt);
    expect(local.States).toEqual(deployed.States);
    expect(deployed.StartAt).toBe(TIMER_STATES.wait);
  });

  it('waits on a timestamp, hands the check over with a task token, retries an unanswered one', () => {
    const { States } = definitionOf(stack.timers.stateMachine);
    expect(States[TIMER_STATES.wait]).toMatchObject({ Type: 'Wait', TimestampPath: '$.next.wakeAt' });
    expect(States[TIMER_STATES.handOver]).toMatchObject({
      Type: 'Task',
      Resource: 'arn:aws:states:::sqs:sendMessage.waitForTaskToken',
      TimeoutSeconds: 900,
      ResultPath: '$.next',
      Parameters: { MessageBody: { 'taskToken.$': '$$.Task.Token', 'caseId.$': '$.caseId' } },
      Retry: [
        { ErrorEquals: ['States.TaskFailed'], MaxAttempts: 6 },
        { ErrorEquals: ['States.Timeout'], MaxAttempts: 4 },
      ],
    });
    // JSONPath, not JSONata: the local engine ignores JSONata.
    expect(JSON.stringify(States)).not.toContain('JSONata');
  });

  it('stops when the first check says so (the case was accepted or closed)', async () => {
    const { entered, handedOver } = await runWith([{ watch: false, recheck: false }]);
    expect(entered).toEqual([
      TIMER_STATES.wait,
      TIMER_STATES.handOver,
      TIMER_STATES.decide,
      TIMER_STATES.done,
    ]);
    expect(handedOver).toEqual([
      {
        QueueUrl: expect.any(String),
        MessageBody: { caseId: 'C1', schedule: 4, deadline: 'accept', recheck: true, taskToken: 'token-1' },
      },
    ]);
  });

  it('hands the check over again when SQS fails the send, instead of failing the timer', async () => {
    const sqsFailure = new SQSServiceException({
      name: 'InternalError',
      $fault: 'server',
      $metadata: { httpStatusCode: 500 },
      message: 'We encountered an internal error. Please try again.',
    });
    const { entered, handedOver, output } = await runWith([
      sqsFailure,
      sqsFailure,
      { watch: false, recheck: false },
    ]);
    expect(handedOver).toHaveLength(3);
    expect(entered.at(-1)).toBe(TIMER_STATES.done);
    expect(output).toMatchObject({ caseId: 'C1', next: { watch: false } });
  });

  it('loops while the case needs watching, carrying the next wake time and dropping the recheck', async () => {
    const { entered, handedOver, output } = await runWith([
      { watch: true, wakeAt: '2026-01-01T01:00:00Z', recheck: false },
      { watch: true, wakeAt: '2026-01-01T05:00:00Z', recheck: false },
      { watch: false, recheck: false },
    ]);
    const loop = [TIMER_STATES.wait, TIMER_STATES.handOver, TIMER_STATES.decide];
    expect(entered).toEqual([...loop, ...loop, ...loop, TIMER_STATES.done]);
    expect(handedOver.map((h) => (h as { MessageBody: { recheck: boolean } }).MessageBody.recheck)).toEqual([
      true,
      false,
      false,
    ]);
    expect(output).toMatchObject({ caseId: 'C1', next: { watch: false } });
  });
});
