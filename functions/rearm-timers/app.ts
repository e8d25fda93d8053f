import { scheduledFunction } from '../../shared/runtime/event-functions';
import { logger, metrics } from '../../shared/runtime/observability';
import { type RearmTimersDeps, rearmTimers } from '../../shared/usecases/rearm-timers';

/**
 * Scheduled on AWS (hourly): starts the timer of every case whose deadline runs. A function that
 * died between saving a case and starting its timer left that deadline unwatched; this finds it.
 * Timers that exist are untouched (deterministic execution names: the start is refused and that
 * counts as done). Locally the same re-arm runs at every start-up instead.
 */
export const makeHandler = (deps: RearmTimersDeps) =>
  scheduledFunction(async () => {
    const result = await rearmTimers(deps);
    metrics.addMetric('WatchedCases', 'Count', result.cases);
    logger.info('deadline timers re-armed', result);
    return result;
  });
