import { randomUUID } from 'node:crypto';
import type { Context, ScheduledEvent } from 'aws-lambda';
import type { LoadedFunction } from './handlers';
import {
  invokeWithTimeout,
  LOCAL_ACCOUNT,
  LOCAL_REGION,
  lambdaContextFor,
  localFunctionName,
} from './lambda-context';
import type { RuntimeLog } from './log';

export interface ScheduleOptions {
  target: LoadedFunction;
  intervalMs: number;
  log: RuntimeLog;
  /** Run once straight away (the local cloud may have stopped between two steps of a report). */
  runAtStart?: boolean;
  /** The `detail` of that first run's event (e.g. the sweep's grace: nothing survived in the queue). */
  startDetail?: Record<string, unknown>;
}

export interface Schedule {
  /** Runs the function now unless a run is already going; resolves when that run ends. */
  runNow(): Promise<void>;
  stop(): Promise<void>;
}

export const scheduledEventFor = (
  target: LoadedFunction,
  now = new Date(),
  detail: Record<string, unknown> = {},
): ScheduledEvent => ({
  version: '0',
  id: randomUUID(),
  'detail-type': 'Scheduled Event',
  source: 'aws.events',
  account: LOCAL_ACCOUNT,
  time: now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
  region: LOCAL_REGION,
  resources: [
    `arn:aws:events:${LOCAL_REGION}:${LOCAL_ACCOUNT}:rule/${localFunctionName(target.spec)}-schedule`,
  ],
  detail,
});

/** The local EventBridge schedule: one run at a time, a run that overlaps the next tick is skipped. */
export const startSchedule = (options: ScheduleOptions): Schedule => {
  const { target, log } = options;
  const handler = target.handler as (event: ScheduledEvent, context: Context) => Promise<unknown>;
  let running: Promise<void> | undefined;
  let stopped = false;

  const runNow = (detail: Record<string, unknown> = {}) => {
    if (stopped) return Promise.resolve();
    running ??= (async () => {
      try {
        const result = await invokeWithTimeout(
          target.spec,
          handler,
          scheduledEventFor(target, new Date(), detail),
          lambdaContextFor(target.spec),
        );
        log.debug(`${target.spec.name} ran: ${JSON.stringify(result ?? null)}`);
      } catch (error) {
        log.error(`${target.spec.name} failed`, error);
      } finally {
        running = undefined;
      }
    })();
    return running;
  };

  const timer = setInterval(() => void runNow(), options.intervalMs);
  timer.unref();
  if (options.runAtStart ?? true) void runNow(options.startDetail);

  return {
    runNow,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
};
