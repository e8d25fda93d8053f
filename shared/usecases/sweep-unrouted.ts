import { routingAreaOf } from '../domain/routing-area';
import type { CaseStore, Clock, ReportQueue } from '../ports';

export interface SweepDeps {
  store: CaseStore;
  queue: ReportQueue;
  clock: Clock;
}

/**
 * Reports younger than this are probably still in the queue; leave them to the router. Long
 * enough that a burst's backlog isn't re-sent while it drains, short enough to heal a crash quickly.
 */
export const SWEEP_GRACE_MS = 5 * 60_000;
const SWEEP_BATCH = 500;

/**
 * Finds reports that were acknowledged but never routed (the process died between the write and
 * the enqueue, or a local queue lost its messages in a restart) and hands them to the router again.
 * Routing is idempotent, so sending one twice does no harm.
 */
export const sweepUnrouted = async (
  deps: SweepDeps,
  graceMs = SWEEP_GRACE_MS,
): Promise<{ requeued: number }> => {
  const cutoff = new Date(Date.parse(deps.clock.now()) - graceMs).toISOString();
  const unrouted = await deps.store.listUnrouted(cutoff, SWEEP_BATCH);
  for (const { id, location } of unrouted) {
    await deps.queue.enqueue({ caseId: id, correlationId: `sweep:${id}`, area: routingAreaOf(location) });
  }
  return { requeued: unrouted.length };
};
