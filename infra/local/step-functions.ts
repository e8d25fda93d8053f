import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { App, Duration, Stack } from 'aws-cdk-lib';
import type { CfnStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import type { StateMachineDefinition } from 'aws-local-stepfunctions';
import { AlarmTopic } from '../stack/alarms';
import { DeadlineTimers, TIMER_STATES } from '../stack/timers';
import { runAsCaller, STATE_MACHINE_CALLER } from './iam/caller';
import { LOCAL_ACCOUNT, LOCAL_REGION } from './lambda-context';
import type { RuntimeLog } from './log';

/**
 * The deadline timers' state machine, run in this process with aws-local-stepfunctions behind a
 * tiny Step Functions API (StartExecution, SendTaskSuccess/Failure/Heartbeat, DescribeExecution,
 * StopExecution), so the handlers' Step Functions client only needs `AWS_ENDPOINT_URL_SFN`.
 * The definition is the one the stack deploys: built by the same construct, resolved, parsed.
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Evaluates the few intrinsics a resolved definition string holds into plain strings. */
const evaluate = (value: unknown, refs: Record<string, string>): string => {
  if (typeof value === 'string') return value;
  const object = value as Record<string, unknown>;
  if ('Ref' in object) return refs[object.Ref as string] ?? `local-${String(object.Ref)}`;
  if ('Fn::GetAtt' in object) return `local-${(object['Fn::GetAtt'] as string[]).join('.')}`;
  if ('Fn::Join' in object) {
    const [separator, parts] = object['Fn::Join'] as [string, unknown[]];
    return parts.map((part) => evaluate(part, refs)).join(separator);
  }
  if ('Fn::Select' in object) {
    const [index, list] = object['Fn::Select'] as [number, unknown];
    const items = Array.isArray(list)
      ? list.map((item) => evaluate(item, refs))
      : evaluate(list, refs).split(',');
    return items[index] ?? '';
  }
  if ('Fn::Split' in object) {
    const [separator, source] = object['Fn::Split'] as [string, unknown];
    return evaluate(source, refs).split(separator).join(',');
  }
  throw new Error(`unsupported intrinsic in the state machine definition: ${JSON.stringify(value)}`);
};

/** The ASL of a CDK state machine, as CloudFormation would receive it (placeholders for ARNs). */
export const definitionOf = (stateMachine: DeadlineTimers['stateMachine']): StateMachineDefinition => {
  const cfn = stateMachine.node.defaultChild as CfnStateMachine;
  const resolved = Stack.of(stateMachine).resolve(cfn.definitionString) as unknown;
  return JSON.parse(evaluate(resolved, { 'AWS::Partition': 'aws' })) as StateMachineDefinition;
};

/** Builds the timers construct exactly as the DistrictStack does, in a throwaway app (no synth). */
export const timerDefinition = (): StateMachineDefinition => {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'LocalTimers');
  const timers = new DeadlineTimers(stack, 'Timers', {
    districtId: 'local',
    alarms: new AlarmTopic(stack, 'Alarms', { districtId: 'local' }),
    tracing: false,
    consumerTimeout: Duration.seconds(30),
  });
  return definitionOf(timers.stateMachine);
};

/** Local runs cannot wait longer than setTimeout can (2^31 − 1 ms): drop the execution timeout. */
export const forLocalRuns = (definition: StateMachineDefinition): StateMachineDefinition => {
  const copy = structuredClone(definition);
  delete copy.TimeoutSeconds;
  for (const [name, state] of Object.entries(copy.States)) {
    const seconds = (state as { TimeoutSeconds?: number }).TimeoutSeconds;
    if (seconds !== undefined && seconds * 1000 > 2 ** 31 - 1) {
      throw new Error(`state ${name} times out after ${seconds} s: too long for a local run`);
    }
  }
  return copy;
};

export interface TimerStats {
  live: number;
  started: number;
  fired: number;
  /** Fire time − due time of each hand-over, in ms (the newest 100,000). */
  lagsMs: number[];
}

export interface LocalStepFunctionsOptions {
  sqs: SQSClient;
  /** Where `HandDueCheck` sends the due checks (the local due-check queue). */
  dueCheckQueueUrl: string;
  log: RuntimeLog;
  definition?: StateMachineDefinition;
  stateMachineName?: string;
  /** Tests: shorten retries. */
  retryIntervalOverrides?: Record<string, number | number[]>;
}

export interface LocalStepFunctions {
  endpoint: string;
  stateMachineArn: string;
  stats(): TimerStats;
  /** StartExecution without the HTTP round trip (the local runtime's own re-arming). */
  startExecution(name: string, input: string): { executionArn: string };
  stop(): Promise<void>;
}

interface Execution {
  name: string;
  arn: string;
  input: string;
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'ABORTED';
  startDate: number;
  stopDate?: number;
  output?: string;
  abort?: () => void;
  /** When the timer should next fire (for the lag figures). */
  wakeAt?: string;
}

interface Waiter {
  resolve(output: Json): void;
  reject(error: Error): void;
}

class ApiError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

class TaskFailed extends Error {
  constructor(error: string, cause: string) {
    super(cause);
    this.name = error;
  }
}

const MAX_LAGS = 100_000;

export const startLocalStepFunctions = async (
  options: LocalStepFunctionsOptions,
): Promise<LocalStepFunctions> => {
  const { StateMachine } = await import('aws-local-stepfunctions');
  const definition = forLocalRuns(options.definition ?? timerDefinition());
  const handOver = definition.States[TIMER_STATES.handOver];
  const tasks = Object.entries(definition.States).filter(([, state]) => state.Type === 'Task');
  // A Task without a local handler would call real AWS; behind a Catch that would only look like a failure.
  if (!handOver || tasks.length !== 1) {
    throw new Error(`the timer definition must have exactly one Task, ${TIMER_STATES.handOver}`);
  }
  const machine = new StateMachine(definition, { validationOptions: { checkArn: false } });
  const name = options.stateMachineName ?? 'xietong-local-timers';
  const stateMachineArn = `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT}:stateMachine:${name}`;
  const executions = new Map<string, Execution>();
  const waiters = new Map<string, Waiter>();
  const stats: TimerStats = { live: 0, started: 0, fired: 0, lagsMs: [] };
  let stopping = false;

  const handOverFor =
    (execution: Execution) =>
    async (input: unknown): Promise<Json> => {
      const { MessageBody } = input as { MessageBody: Record<string, Json> };
      if (execution.wakeAt) {
        stats.fired++;
        stats.lagsMs.push(Date.now() - Date.parse(execution.wakeAt));
        if (stats.lagsMs.length > MAX_LAGS) stats.lagsMs.shift();
      }
      const token = `${execution.name}.${randomUUID()}`;
      const answered = new Promise<Json>((resolve, reject) => waiters.set(token, { resolve, reject }));
      // As the state machine's role (IAM check, --faults); a failure fails the task, as on AWS.
      await runAsCaller(STATE_MACHINE_CALLER, () =>
        options.sqs.send(
          new SendMessageCommand({
            QueueUrl: options.dueCheckQueueUrl,
            MessageBody: JSON.stringify({ ...MessageBody, taskToken: token }),
          }),
        ),
      );
      try {
        const output = await answered;
        const next = output as { wakeAt?: string } | null;
        execution.wakeAt = next?.wakeAt;
        return output;
      } finally {
        waiters.delete(token);
      }
    };

  const startExecution = (body: { stateMachineArn?: string; name?: string; input?: string }) => {
    if (body.stateMachineArn !== stateMachineArn) {
      throw new ApiError('StateMachineDoesNotExist', `no state machine ${body.stateMachineArn}`);
    }
    if (stopping) throw new ApiError('ServiceUnavailable', 'the local Step Functions is stopping');
    const executionName = body.name ?? randomUUID();
    const input = body.input ?? '{}';
    const existing = executions.get(executionName);
    if (existing) {
      // AWS: the same name with the same input while running is the same execution; else refused.
      if (existing.status === 'RUNNING' && existing.input === input) {
        return { executionArn: existing.arn, startDate: existing.startDate / 1000 };
      }
      throw new ApiError('ExecutionAlreadyExists', `execution ${executionName} already exists`);
    }
    const parsed = JSON.parse(input) as { next?: { wakeAt?: string } };
    const execution: Execution = {
      name: executionName,
      arn: `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT}:execution:${name}:${executionName}`,
      input,
      status: 'RUNNING',
      startDate: Date.now(),
      ...(parsed.next?.wakeAt && { wakeAt: parsed.next.wakeAt }),
    };
    executions.set(executionName, execution);
    stats.live++;
    stats.started++;
    const run = machine.run(parsed as Json as never, {
      overrides: {
        taskResourceLocalHandlers: { [TIMER_STATES.handOver]: handOverFor(execution) as never },
        ...(options.retryIntervalOverrides && { retryIntervalOverrides: options.retryIntervalOverrides }),
      },
      noThrowOnAbort: true,
      context: {
        Execution: { Id: execution.arn, Name: executionName, StartTime: new Date().toISOString() },
        Task: { Token: 'replaced-per-hand-over' },
      },
    });
    execution.abort = run.abort;
    run.result
      .then(
        (output) => {
          execution.status = execution.status === 'ABORTED' ? 'ABORTED' : 'SUCCEEDED';
          execution.output = JSON.stringify(output);
        },
        (error: unknown) => {
          execution.status = 'FAILED';
          options.log.error(`timer ${executionName} failed`, error);
        },
      )
      .finally(() => {
        execution.stopDate = Date.now();
        delete execution.abort;
        stats.live--;
      });
    return { executionArn: execution.arn, startDate: execution.startDate / 1000 };
  };

  const taskWaiter = (body: { taskToken?: string }): Waiter => {
    const waiter = body.taskToken ? waiters.get(body.taskToken) : undefined;
    if (!waiter) throw new ApiError('TaskTimedOut', 'the task token is not (or no longer) waiting');
    return waiter;
  };

  const executionNamed = (arn: string | undefined): Execution => {
    const execution = arn ? executions.get(arn.split(':').pop() ?? '') : undefined;
    if (!execution) throw new ApiError('ExecutionDoesNotExist', `no execution ${arn}`);
    return execution;
  };

  const operations: Record<string, (body: Record<string, unknown>) => unknown> = {
    StartExecution: (body) => startExecution(body),
    SendTaskSuccess: (body) => {
      taskWaiter(body).resolve(JSON.parse(String(body.output ?? 'null')) as Json);
      return {};
    },
    SendTaskFailure: (body) => {
      taskWaiter(body).reject(new TaskFailed(String(body.error ?? 'TaskFailed'), String(body.cause ?? '')));
      return {};
    },
    SendTaskHeartbeat: (body) => {
      taskWaiter(body);
      return {};
    },
    DescribeExecution: (body) => {
      const execution = executionNamed(body.executionArn as string | undefined);
      return {
        executionArn: execution.arn,
        stateMachineArn,
        name: execution.name,
        status: execution.status,
        startDate: execution.startDate / 1000,
        ...(execution.stopDate && { stopDate: execution.stopDate / 1000 }),
        input: execution.input,
        ...(execution.output && { output: execution.output }),
      };
    },
    StopExecution: (body) => {
      const execution = executionNamed(body.executionArn as string | undefined);
      if (execution.status === 'RUNNING') {
        execution.status = 'ABORTED';
        execution.abort?.();
      }
      return { stopDate: Date.now() / 1000 };
    },
  };

  const reply = (response: ServerResponse, status: number, body: unknown) => {
    response.writeHead(status, { 'content-type': 'application/x-amz-json-1.0' });
    response.end(JSON.stringify(body));
  };

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    if (request.method === 'GET' && request.url === '/local/stats') {
      const sorted = [...stats.lagsMs].sort((a, b) => a - b);
      const pick = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? null;
      reply(response, 200, {
        live: stats.live,
        started: stats.started,
        fired: stats.fired,
        lagMs: { p50: pick(0.5), p99: pick(0.99), max: sorted.at(-1) ?? null },
        memory: process.memoryUsage(),
      });
      return;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const target = String(request.headers['x-amz-target'] ?? '');
    const operation = operations[target.replace(/^AWSStepFunctions\./, '')];
    try {
      if (!operation) throw new ApiError('UnknownOperationException', `${target} is not served locally`);
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
      reply(response, 200, operation(body));
    } catch (error) {
      if (error instanceof ApiError) reply(response, 400, { __type: error.type, message: error.message });
      else reply(response, 500, { __type: 'InternalFailure', message: (error as Error).message });
    }
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      options.log.error('local Step Functions request failed', error);
      if (!response.headersSent) reply(response, 500, { __type: 'InternalFailure' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    endpoint,
    stateMachineArn,
    stats: () => stats,
    startExecution: (executionName, input) => startExecution({ stateMachineArn, name: executionName, input }),
    async stop() {
      stopping = true;
      for (const execution of executions.values()) {
        if (execution.status === 'RUNNING') {
          execution.status = 'ABORTED';
          execution.abort?.();
        }
      }
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
};
