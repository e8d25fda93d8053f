import type { SQSClient } from '@aws-sdk/client-sqs';
import { EXPORT_MAX_DELIVERIES } from '../../shared/domain/export-job';
import { ENV } from '../../shared/runtime/env';
import type { FunctionSpec } from '../../shared/runtime/functions';
import type { LoadedFunction } from './handlers';
import { DEFAULT_TIMEOUT_SECONDS } from './lambda-context';
import type { RuntimeLog } from './log';
import { startQueuePoller } from './poller';
import { createIntakeQueues } from './sqs';

export interface LocalExportJobs {
  queueUrl: string;
  dlqUrl: string;
  /** The handlers' environment: where export jobs are queued. */
  environment: Record<string, string>;
  consumes(spec: FunctionSpec): boolean;
  /** The event source mapping of the export queue; returns its stops. */
  startConsumers(functions: Map<string, LoadedFunction>, pollers: number): (() => Promise<void>)[];
}

/**
 * The export job queue on the local cloud, as the stack builds it (a standard queue with a DLQ),
 * consumed by the export worker through the same poller as the other queues. Its visibility timeout
 * outlasts the worker's timeout, so a step still running is not handed to a second poller.
 */
export const startLocalExportJobs = async (options: {
  sqs: SQSClient;
  endpoint: string;
  districtId: string;
  specs: FunctionSpec[];
  log: RuntimeLog;
}): Promise<LocalExportJobs> => {
  const { sqs, log } = options;
  const consumes = (spec: FunctionSpec) => spec.access.exportJobs === 'consume';
  const workerTimeout = Math.max(
    DEFAULT_TIMEOUT_SECONDS,
    ...options.specs.filter(consumes).map((spec) => spec.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS),
  );
  const queues = await createIntakeQueues(sqs, options.endpoint, {
    intake: `xietong-${options.districtId}-export-jobs`,
    deadLetter: `xietong-${options.districtId}-export-jobs-dlq`,
    visibilityTimeoutSeconds: workerTimeout + 30,
    maxReceiveCount: EXPORT_MAX_DELIVERIES,
    fifo: false,
  });
  return {
    queueUrl: queues.intakeQueueUrl,
    dlqUrl: queues.dlqUrl,
    environment: { [ENV.exportQueueUrl]: queues.intakeQueueUrl },
    consumes,
    startConsumers(functions, pollers) {
      const stops: (() => Promise<void>)[] = [];
      for (const loaded of functions.values()) {
        if (!consumes(loaded.spec)) continue;
        const poller = startQueuePoller({
          sqs,
          queueUrl: queues.intakeQueueUrl,
          queueArn: queues.intakeQueueArn,
          consumer: loaded,
          log,
          concurrency: pollers,
        });
        stops.push(() => poller.stop());
      }
      return stops;
    },
  };
};
