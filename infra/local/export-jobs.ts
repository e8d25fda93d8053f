import type { SQSClient } from '@aws-sdk/client-sqs';
import { EXPORT_MAX_DELIVERIES } from '../../shared/domain/export-job';
import { ENV } from '../../shared/runtime/env';
import { consumes, type FunctionSpec } from '../../shared/runtime/functions';
import { DEFAULT_TIMEOUT_SECONDS } from './lambda-context';
import { createIntakeQueues } from './sqs';

export interface LocalExportJobs {
  queueUrl: string;
  queueArn: string;
  dlqUrl: string;
  /** The handlers' environment: where export jobs are queued. */
  environment: Record<string, string>;
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
}): Promise<LocalExportJobs> => {
  const { sqs } = options;
  const workerTimeout = Math.max(
    DEFAULT_TIMEOUT_SECONDS,
    ...options.specs
      .filter((spec) => consumes(spec, 'exportJobs'))
      .map((spec) => spec.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS),
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
    queueArn: queues.intakeQueueArn,
    dlqUrl: queues.dlqUrl,
    environment: { [ENV.exportQueueUrl]: queues.intakeQueueUrl },
  };
};
