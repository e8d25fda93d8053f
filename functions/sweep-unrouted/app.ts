import { scheduledFunction } from '../../shared/runtime/event-functions';
import { logger, metrics } from '../../shared/runtime/observability';
import { type SweepDeps, sweepUnrouted } from '../../shared/usecases/sweep-unrouted';

/** The schedule may shorten the grace (`detail.graceSeconds`): when it knows the queue lost everything. */
const graceOf = (event: unknown): number | undefined => {
  const seconds = (event as { detail?: { graceSeconds?: unknown } } | undefined)?.detail?.graceSeconds;
  return typeof seconds === 'number' && Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined;
};

/** Scheduled (every 5 minutes on AWS, every 30 s locally): re-enqueue acknowledged but unrouted reports. */
export const makeHandler = (deps: SweepDeps) =>
  scheduledFunction(async (event) => {
    const result = await sweepUnrouted(deps, graceOf(event));
    metrics.addMetric('ReportsRequeued', 'Count', result.requeued);
    if (result.requeued > 0) logger.warn('re-enqueued unrouted reports', result);
    return result;
  });
