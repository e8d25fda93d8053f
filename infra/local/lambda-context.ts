import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import type { FunctionSpec } from '../../shared/runtime/functions';
import { runAsCaller } from './iam/caller';

export const LOCAL_ACCOUNT = '000000000000';
export const LOCAL_REGION = 'us-east-1';
/** Lambda's default when the function list sets none; the HTTP API gives up after 30 s anyway. */
export const DEFAULT_TIMEOUT_SECONDS = 30;
const DEFAULT_MEMORY_MB = 512;

export const localFunctionName = (spec: FunctionSpec) => `xietong-local-${spec.name}`;

const notSupported = (name: string) => () => {
  throw new Error(`context.${name}() is not supported: return a value or throw instead`);
};

/** A Lambda-like context for one invocation; the deadline follows the function's timeout. */
export const lambdaContextFor = (spec: FunctionSpec, awsRequestId: string = randomUUID()): Context => {
  const timeoutMs = (spec.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS) * 1000;
  const deadline = Date.now() + timeoutMs;
  const functionName = localFunctionName(spec);
  const today = new Date().toISOString().slice(0, 10).replaceAll('-', '/');
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:${functionName}`,
    memoryLimitInMB: String(spec.memoryMb ?? DEFAULT_MEMORY_MB),
    awsRequestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `${today}/[$LATEST]${randomUUID().replaceAll('-', '')}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: notSupported('done'),
    fail: notSupported('fail'),
    succeed: notSupported('succeed'),
  };
};

export const callerOf = (spec: FunctionSpec) => ({
  functionName: spec.name,
  lambdaName: localFunctionName(spec),
});

export class FunctionTimeoutError extends Error {
  override readonly name = 'FunctionTimeoutError';
  constructor(functionName: string, seconds: number) {
    super(`${functionName} timed out after ${seconds} s`);
  }
}

/**
 * Invokes a handler as Lambda would: one event, one context, and a timeout. The handler cannot be
 * cancelled in-process, so a timed-out invocation keeps running in the background; its result is dropped.
 */
export const invokeWithTimeout = async <TEvent, TResult>(
  spec: FunctionSpec,
  handler: (event: TEvent, context: Context) => Promise<TResult>,
  event: TEvent,
  context: Context = lambdaContextFor(spec),
): Promise<TResult> => {
  const seconds = spec.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new FunctionTimeoutError(context.functionName, seconds)), seconds * 1000);
  });
  try {
    // Every invocation path (gateway, pollers, schedule, S3 events, authorizer) passes here: the
    // SDK calls the handler makes are then known to be this function's (IAM check, faults).
    const invocation = runAsCaller(callerOf(spec), () => handler(event, context));
    return await Promise.race([invocation, timeout]);
  } finally {
    clearTimeout(timer);
  }
};
