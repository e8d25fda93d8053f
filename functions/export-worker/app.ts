import type { Context, SQSRecord } from 'aws-lambda';
import { EXPORT_MAX_DELIVERIES } from '../../shared/domain/export-job';
import type { MessageVisibility } from '../../shared/ports';
import { sqsFunction } from '../../shared/runtime/event-functions';
import { logger, metrics } from '../../shared/runtime/observability';
import { type ExportWorkerDeps, failJob, runExportJob } from '../../shared/usecases/export-worker';
import * as z from '../../shared/validation/zod';

export interface ExportWorkerFunctionDeps extends ExportWorkerDeps {
  visibility: MessageVisibility;
  /**
   * Time kept back from the invocation's remaining time: no step starts after that, so a step in
   * flight (a page, a chunk put, the save) finishes before Lambda's timeout.
   */
  marginMs?: number;
}

/** A reading page takes about a second locally; a chunk put and the conditional save a few more. */
export const STEP_MARGIN_MS = 15_000;

/**
 * What the export job queue carries (SqsExportJobQueue): the job to take further. An unreadable
 * message fails every delivery and is parked in the DLQ (which alarms), like any poison message.
 */
const ExportJobMessage = z.object({ jobId: z.string() });

/** Retried failures come back after 5, 10, 20, 40 s: a flaky S3 or table call costs the requester seconds, not the visibility timeout. */
const backoffSeconds = (attempt: number) => 5 * 2 ** (attempt - 1);

const handleRecord = async (
  deps: ExportWorkerFunctionDeps,
  jobId: string,
  record: SQSRecord,
  context: Context,
) => {
  const attempt = Number(record.attributes.ApproximateReceiveCount) || 1;
  const deadline = performance.now() + context.getRemainingTimeInMillis() - (deps.marginMs ?? STEP_MARGIN_MS);
  try {
    const outcome = await runExportJob(deps, jobId, deadline);
    logger.info('export job step', { jobId, attempt, outcome });
    if (outcome === 'done') metrics.addMetric('ExportJobsDone', 'Count', 1);
    if (outcome === 'failed') metrics.addMetric('ExportJobsFailed', 'Count', 1);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    if (attempt < EXPORT_MAX_DELIVERIES) {
      await deps.visibility.delay(record.receiptHandle, backoffSeconds(attempt));
      throw error;
    }
    // The last delivery: the requester learns why instead of watching a job that never moves.
    const job = await deps.jobs.get(jobId);
    if (job && (job.status === 'queued' || job.status === 'running')) {
      await failJob(deps, job, {
        rule: 'worker_failed',
        reason: `the export failed ${attempt} times; last error: ${reason}`,
      });
      metrics.addMetric('ExportJobsFailed', 'Count', 1);
    }
    logger.error('export job failed for good', { jobId, attempt, error: error as Error });
  }
};

/**
 * Consumes the export queue: each message names a job, and the worker takes it as far as this
 * invocation's time allows, then queues it again (shared/usecases/export-worker.ts). A failure is
 * retried with backoff; on the last delivery the job is marked failed with the reason.
 */
export const makeHandler = (deps: ExportWorkerFunctionDeps) =>
  sqsFunction(ExportJobMessage, ({ jobId }, record, context) => handleRecord(deps, jobId, record, context), {
    message: 'export job message',
    // One after another: a job uses the whole invocation; the rest of a batch is queued again quickly.
    sequential: true,
    captureResponse: false,
    onFailure: (error, { messageId }) =>
      logger.warn('export job step failed; it will be retried', { messageId, error }),
  });
