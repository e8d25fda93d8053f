import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import { logger, metrics } from '../../shared/runtime/observability';
import { type SweepDeps, sweepUnrouted } from '../../shared/usecases/sweep-unrouted';

/** Scheduled (every 5 minutes on AWS, every 30 s locally): re-enqueue acknowledged but unrouted reports. */
export const makeHandler = (deps: SweepDeps) =>
  middy(async () => {
    const result = await sweepUnrouted(deps);
    metrics.addMetric('ReportsRequeued', 'Count', result.requeued);
    if (result.requeued > 0) logger.warn('re-enqueued unrouted reports', result);
    return result;
  })
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics));
