import type { Context, S3Event } from 'aws-lambda';
import { SNAPSHOT_PREFIX, UPLOAD_PREFIX } from '../../shared/domain/evidence';
import type { LoadedFunction } from './handlers';
import { invokeWithTimeout, lambdaContextFor } from './lambda-context';
import type { RuntimeLog } from './log';
import type { LocalS3Server } from './s3';

export interface S3NotificationOptions {
  server: LocalS3Server;
  target: LoadedFunction;
  log: RuntimeLog;
  /** Invocations at once (Lambda would scale out; here two cores are shared with everything else). */
  concurrency?: number;
  /** Lambda retries a failed asynchronous invocation twice. */
  retries?: number;
  retryDelayMs?: number;
}

export interface S3Notifications {
  /** Events waiting or running. */
  pending(): number;
  stop(): Promise<void>;
}

/** The prefixes whose new objects the stack's notification sends to the evidence function. */
const NOTIFIED_PREFIXES = [UPLOAD_PREFIX, SNAPSHOT_PREFIX];

/**
 * The bucket notification the CDK stack configures (ObjectCreated under `cases/` and `snapshots/`
 * → the evidence function, invoked asynchronously with two retries), played for s3rver's events.
 */
export const startS3Notifications = (options: S3NotificationOptions): S3Notifications => {
  const { target, log } = options;
  const handler = target.handler as (event: S3Event, context: Context) => Promise<unknown>;
  const concurrency = options.concurrency ?? 2;
  const retries = options.retries ?? 2;
  const queue: S3Event[] = [];
  let running = 0;
  let stopped = false;
  const idle: (() => void)[] = [];

  const invoke = async (event: S3Event) => {
    for (let attempt = 0; ; attempt++) {
      try {
        await invokeWithTimeout(target.spec, handler, event, lambdaContextFor(target.spec));
        return;
      } catch (error) {
        if (attempt >= retries || stopped) {
          log.error(`${target.spec.name} failed on ${event.Records[0]?.s3.object.key}, gave up`, error);
          return;
        }
        log.warn(`${target.spec.name} failed, retrying: ${(error as Error).message ?? String(error)}`);
        await new Promise((done) => setTimeout(done, (options.retryDelayMs ?? 1000) * (attempt + 1)));
      }
    }
  };

  const pump = () => {
    while (!stopped && running < concurrency && queue.length > 0) {
      const event = queue.shift()!;
      running++;
      void invoke(event).finally(() => {
        running--;
        pump();
        if (running === 0 && queue.length === 0) for (const done of idle.splice(0)) done();
      });
    }
  };

  options.server.onEvent((event) => {
    const record = event.Records[0];
    if (!record?.eventName.startsWith('ObjectCreated:')) return;
    const key = record.s3.object.key;
    if (!NOTIFIED_PREFIXES.some((prefix) => key.startsWith(prefix))) return;
    queue.push(event);
    pump();
  });

  return {
    pending: () => queue.length + running,
    async stop() {
      stopped = true;
      queue.length = 0;
      if (running > 0) await new Promise<void>((done) => idle.push(done));
    },
  };
};
