import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Which function an SDK call is made for. Every function shares one SDK client per service in this
 * process, so the client cannot tell; the local runtime runs each invocation (and each entry file's
 * cold start) inside this context, and the IAM check and fault injection read it.
 */
export interface Caller {
  /** The function's name in FUNCTIONS (`intake`, `route-reports`, …). */
  functionName: string;
  /** Its name as Lambda would report it (the session name of its assumed role). */
  lambdaName: string;
}

const callers = new AsyncLocalStorage<Caller>();

export const runAsCaller = <T>(caller: Caller, work: () => T): T => callers.run(caller, work);

/** The function whose invocation this code runs in; undefined for the local runtime's own calls. */
export const currentCaller = (): Caller | undefined => callers.getStore();

/**
 * The timers' state machine, whose hand-over of due checks to SQS runs in this process: its calls
 * are checked against the state machine's role (and fail under --faults) like a function's.
 */
export const STATE_MACHINE_CALLER: Caller = {
  functionName: 'timers-state-machine',
  lambdaName: 'xietong-local-timers',
};
