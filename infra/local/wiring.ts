import type { FunctionSpec, QueueName } from '../../shared/runtime/functions';

/**
 * How the local cloud plays the glue that AWS provides for one trigger of FUNCTIONS: a route on
 * the gateway, the gateway's Lambda authorizer, a queue poller (the event source mapping), a timer
 * (the EventBridge rule), s3rver's notifications, the stream mapping, or a job the local cloud
 * does at start-up itself.
 */
export type LocalWire =
  | { kind: 'routes'; function: string; routes: number }
  | { kind: 'authorizer'; function: string; auth: 'apiKey' }
  | {
      kind: 'poller';
      function: string;
      queue: QueueName;
      batchSize: number;
      maxBatchingWindowSeconds?: number;
    }
  | { kind: 'schedule'; function: string; everySeconds: number; startDetail?: Record<string, unknown> }
  | { kind: 'startup'; function: string }
  | { kind: 's3Notifications'; function: string; bucket: 'evidence' }
  | { kind: 'caseChanges'; function: string };

/**
 * The local cloud's wiring, read from the manifest alone: one wire per declared trigger (and one for
 * a function's routes), nothing inferred from what a function may access. `startLocalCloud` starts
 * exactly these; tests/infra/manifest.test.ts checks them against the triggers.
 */
export const planLocalWiring = (specs: readonly FunctionSpec[]): LocalWire[] =>
  specs.flatMap((spec): LocalWire[] => [
    ...(spec.routes.length > 0
      ? [{ kind: 'routes' as const, function: spec.name, routes: spec.routes.length }]
      : []),
    ...(spec.triggers ?? []).map((trigger): LocalWire => {
      switch (trigger.kind) {
        case 'caseChanges':
          return { kind: 'caseChanges', function: spec.name };
        case 'authorizer':
          return { kind: 'authorizer', function: spec.name, auth: trigger.auth };
        case 'queue':
          return {
            kind: 'poller',
            function: spec.name,
            queue: trigger.queue,
            batchSize: trigger.batchSize,
            ...(trigger.maxBatchingWindowSeconds !== undefined && {
              maxBatchingWindowSeconds: trigger.maxBatchingWindowSeconds,
            }),
          };
        case 'schedule':
          return trigger.local === 'startup'
            ? { kind: 'startup', function: spec.name }
            : {
                kind: 'schedule',
                function: spec.name,
                everySeconds: trigger.local.everySeconds,
                ...(trigger.local.startDetail && { startDetail: trigger.local.startDetail }),
              };
        default:
          return { kind: 's3Notifications', function: spec.name, bucket: trigger.bucket };
      }
    }),
  ]);

/** Functions nothing invokes, here or on AWS: worth a warning at start-up. */
export const unwiredFunctions = (specs: readonly FunctionSpec[]): string[] => {
  const wired = new Set(planLocalWiring(specs).map((wire) => wire.function));
  return specs.filter((spec) => !wired.has(spec.name)).map((spec) => spec.name);
};
