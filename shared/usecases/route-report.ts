import { SYSTEM_ROUTER } from '../domain/case';
import type { DistrictIndex } from '../domain/district-index';
import { VersionConflictError } from '../domain/errors';
import { routeReport } from '../domain/routing';
import { autoDispatch, registerReport } from '../domain/workflow';
import type { CaseStore, Clock, RoutingRequest } from '../ports';

export interface RouteReportDeps {
  store: CaseStore;
  district: DistrictIndex;
  clock: Clock;
}

export type RouteOutcome = 'routed' | 'already-routed' | 'missing';

/**
 * The router's step for one queued report: register and route it (and dispatch at once where the
 * category says so). Idempotent: a redelivered message for a routed case is a no-op, and a lost
 * race with another consumer counts as routed.
 */
export const routeQueuedReport = async (
  deps: RouteReportDeps,
  request: RoutingRequest,
): Promise<RouteOutcome> => {
  const stored = await deps.store.get(request.caseId);
  if (!stored) return 'missing';
  if (stored.case.status !== 'reported') return 'already-routed';
  const ctx = { actor: SYSTEM_ROUTER, now: deps.clock.now(), correlationId: request.correlationId };
  const routing = routeReport(deps.district, {
    location: stored.case.location,
    ...(stored.case.category !== undefined && { category: stored.case.category }),
  });
  let next = registerReport(stored.case, routing, ctx);
  if (routing.autoDispatch) next = autoDispatch(next, { ...ctx, district: deps.district });
  try {
    await deps.store.save({ ...stored, case: next }, stored.case.version);
  } catch (error) {
    if (error instanceof VersionConflictError) return 'already-routed';
    throw error;
  }
  return 'routed';
};
