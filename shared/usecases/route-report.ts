import { type Case, SYSTEM_ROUTER } from '../domain/case';
import { categorise } from '../domain/classifier/categorise';
import type { TriageModel } from '../domain/classifier/model';
import { type DuplicateVerdict, judgeDuplicates, radiusFor } from '../domain/dedup';
import type { DistrictIndex } from '../domain/district-index';
import {
  CaseNotFoundError,
  IllegalTransitionError,
  InvalidInputError,
  VersionConflictError,
} from '../domain/errors';
import { distanceMetres } from '../domain/geo';
import { cellsWithin } from '../domain/geohash';
import { flagPossibleDuplicates } from '../domain/merge';
import { recordRepeat, repeatLinkTo } from '../domain/repeat';
import { routeReport } from '../domain/routing';
import { autoDispatch, registerReport } from '../domain/workflow';
import type { CaseStore, Clock, DedupClaim, DedupClaims, RoutingRequest, StoredCase } from '../ports';
import type { CaseEffects } from './case-effects';
import { mergeInto } from './merge-cases';
import { saveWithRetry } from './save-with-retry';

export interface RouteReportDeps {
  store: CaseStore;
  claims: DedupClaims;
  district: DistrictIndex;
  clock: Clock;
  /**
   * Called once a case is registered: when other departments' open cases wait at the same
   * premises, it plans the joint visit (综合查一次). Idempotent; a failure fails the message.
   */
  planJointVisit?: (registered: Case) => Promise<void>;
  /** Timers and notifications after an auto-dispatch (idempotent, so a redelivery repeats them safely). */
  effects?: CaseEffects;
  /** Suggests categories for reports without one (built once per cold start); absent: plain triage. */
  triageModel?: TriageModel;
  /**
   * Called once the report is in a case (its own, or the one it merged into): a camera report's
   * snapshot becomes evidence there. Idempotent; a failure fails the message, whose redelivery
   * (already routed) calls it again.
   */
  placeSnapshot?: (report: Case, correlationId: string) => Promise<void>;
}

export type RouteOutcome = 'routed' | 'merged' | 'already-routed' | 'missing';

/**
 * Dedup claims cover precision-6 geohash cells (~1.2 km × 0.6 km): registrations queue per
 * neighbourhood, not per town. A report near a cell border claims every cell its radius touches.
 */
const CLAIM_PRECISION = 6;
/** How long a registration stays in the claim's own list, covering the geo index's propagation lag. */
const CLAIM_MEMORY_MS = 10 * 60_000;
/** Claim conflicts mean others progress; a busy area in a burst may take a few dozen rounds. */
const MAX_CLAIM_ATTEMPTS = 40;
/** A claimed report still unregistered after this long was left by a router that died. */
export const PENDING_CLAIM_MS = 60_000;

/** A short, growing pause (25, 50, 100 ms…) while another router finishes its registration. */
const pause = (attempt: number) =>
  new Promise((resolve) => setTimeout(resolve, 25 * 2 ** Math.min(attempt - 1, 4)));

const isoMinus = (iso: string, ms: number) => new Date(Date.parse(iso) - ms).toISOString();

/**
 * Takes every claim in key order; if any moved since it was read, the round is lost (the claims
 * already taken only list this report a moment early: others wait for it, it retries and registers).
 */
const advanceAll = async (claims: DedupClaims, read: DedupClaim[], report: Case, now: string) => {
  for (const claim of read) {
    if (!(await claims.advance(claim, report, now, isoMinus(now, CLAIM_MEMORY_MS)))) return false;
  }
  return true;
};

/** The geo index's candidates plus the claim's recent registrations (which the index may not show yet). */
const candidatesFor = async (deps: RouteReportDeps, report: Case, recentIds: string[], now: string) => {
  const since = isoMinus(now, deps.district.config.dedup.windowHours * 3_600_000);
  const radius = radiusFor(deps.district.config.dedup, deps.district, report.category);
  const near = await deps.store.findInCells(cellsWithin(report.location, radius), since);
  const missing = recentIds.filter((id) => !near.some((c) => c.id === id));
  return [...near, ...(missing.length > 0 ? await deps.store.getMany(missing) : [])];
};

type RouterContext = { actor: typeof SYSTEM_ROUTER; now: string; correlationId: string };

/**
 * The closed case a registered report repeats gains its link (idempotent: a redelivery repeats it).
 * A closed case that has since gone is no reason to lose the report: the new case keeps its link.
 */
const linkRepeat = async (deps: RouteReportDeps, registered: Case, ctx: RouterContext): Promise<void> => {
  const closedId = registered.repeatOf?.caseId;
  if (!closedId) return;
  try {
    await saveWithRetry(
      deps.store,
      closedId,
      (closed) => recordRepeat(closed, registered, ctx),
      () => new CaseNotFoundError(closedId),
    );
  } catch (error) {
    if (!(error instanceof CaseNotFoundError)) throw error;
  }
};

/**
 * Registers and routes the report as a case of its own: flagged for review if it looks like an
 * open case, linked to the closed case it repeats if it came soon after that one's closure.
 */
const register = async (
  deps: RouteReportDeps,
  stored: StoredCase,
  verdict: Pick<DuplicateVerdict, 'flagged' | 'repeatOf'>,
  ctx: RouterContext,
): Promise<RouteOutcome> => {
  const { flagged, repeatOf } = verdict;
  const { report, details } = categorise(deps.triageModel, deps.district, stored.case);
  const routing = routeReport(deps.district, {
    location: report.location,
    ...(report.category !== undefined && { category: report.category }),
  });
  const repeat = repeatOf && repeatLinkTo(repeatOf.case, repeatOf.score.score);
  let next = registerReport(repeat ? { ...report, repeatOf: repeat } : report, routing, ctx, {
    ...details,
    ...(repeat && { repeatOf: repeat }),
  });
  if (flagged.length > 0) next = flagPossibleDuplicates(next, flagged, ctx);
  if (routing.autoDispatch) next = autoDispatch(next, { ...ctx, district: deps.district });
  try {
    await deps.store.save({ ...stored, case: next }, stored.case.version);
  } catch (error) {
    if (error instanceof VersionConflictError) return 'already-routed';
    throw error;
  }
  await linkRepeat(deps, next, ctx);
  await deps.effects?.(stored.case, next);
  await deps.planJointVisit?.(next);
  await deps.placeSnapshot?.(next, ctx.correlationId);
  return 'routed';
};

/**
 * The router's step for one queued report. First the duplicate check: above the district's auto
 * threshold the report is merged into the case of its event; otherwise it takes the area's dedup
 * claim (a conditional write racing routers both touch — the loser re-reads and sees the winner's
 * report) and is registered and routed, flagged for review between the thresholds, dispatched at
 * once where the category says so. Idempotent: a redelivered message finishes or skips the job.
 */
export const routeQueuedReport = async (
  deps: RouteReportDeps,
  request: RoutingRequest,
): Promise<RouteOutcome> => {
  let stored = await deps.store.get(request.caseId);
  // Cases that refused this report since they were read: never judged again, so no look repeats a refusal.
  const refused = new Set<string>();
  for (let attempt = 1; attempt <= MAX_CLAIM_ATTEMPTS; attempt++) {
    if (!stored) return 'missing';
    if (stored.case.status !== 'reported') {
      // A redelivery after a crash between the write and its effects finishes the job: a report
      // merged before the crash may still be missing from its target (the merge's second step).
      const { mergedInto } = stored.case;
      if (stored.case.status === 'merged' && mergedInto) {
        const ctx = { actor: SYSTEM_ROUTER, now: deps.clock.now(), correlationId: request.correlationId };
        const { target } = await mergeInto(deps.store, stored, mergedInto, { ...ctx, mode: 'auto' });
        await deps.effects?.(undefined, target);
      } else {
        const ctx = { actor: SYSTEM_ROUTER, now: deps.clock.now(), correlationId: request.correlationId };
        await linkRepeat(deps, stored.case, ctx);
        await deps.effects?.(undefined, stored.case);
      }
      await deps.placeSnapshot?.(stored.case, request.correlationId);
      return 'already-routed';
    }
    const report = stored.case;
    const now = deps.clock.now();
    const ctx = { actor: SYSTEM_ROUTER, now, correlationId: request.correlationId };
    const radius = radiusFor(deps.district.config.dedup, deps.district, report.category);
    const claims = await Promise.all(
      cellsWithin(report.location, radius, CLAIM_PRECISION).map((cell) => deps.claims.read(`AREA#${cell}`)),
    );
    // A claim covers a neighbourhood: only its registrations within the radius matter here.
    const nearbyRecent = claims
      .flatMap((claim) => claim.recent)
      .filter((r) => r.caseId !== report.id && distanceMetres(r, report.location) <= radius);
    const candidates = await candidatesFor(
      deps,
      report,
      nearbyRecent.map((r) => r.caseId),
      now,
    );
    // Another router took the claim for a report nearby and hasn't registered it yet: let it
    // finish, then judge. A claim older than a minute belongs to a router that died; its report
    // is re-sent by the sweep and must not hold up the area meanwhile.
    const freshSince = isoMinus(now, PENDING_CLAIM_MS);
    const pending = candidates.some(
      (c) => c.status === 'reported' && nearbyRecent.some((r) => r.caseId === c.id && r.at >= freshSince),
    );
    if (pending) {
      await pause(attempt);
      stored = await deps.store.get(request.caseId);
      continue;
    }
    const verdict = judgeDuplicates(
      report,
      candidates,
      deps.district,
      deps.district.config.dedup,
      now,
      refused,
    );
    if (verdict.decision === 'merge' && verdict.best) {
      try {
        const { report: merged, target } = await mergeInto(deps.store, stored, verdict.best.case.id, {
          ...ctx,
          mode: 'auto',
          score: verdict.best.score.score,
          reason: `same event: score ${verdict.best.score.score}, ${verdict.best.score.distanceMetres} m apart`,
        });
        await deps.effects?.(undefined, target);
        await deps.placeSnapshot?.(merged, ctx.correlationId);
        return 'merged';
      } catch (error) {
        // A version conflict is a real race (the report or the target changed): look again. A target
        // that refuses (closed or merged since it was read, or a cycle) will refuse again: it is
        // left out of the next look, which therefore differs.
        if (error instanceof InvalidInputError && ['target_not_open', 'merge_cycle'].includes(error.rule)) {
          refused.add(verdict.best.case.id);
        } else if (!(error instanceof VersionConflictError || error instanceof IllegalTransitionError)) {
          throw error;
        }
        stored = await deps.store.get(request.caseId);
        continue;
      }
    }
    if (await advanceAll(deps.claims, claims, report, now)) {
      return register(deps, stored, verdict, ctx);
    }
    // Someone registered in this area meanwhile: judge again with their report in view.
  }
  throw new Error(
    `the dedup claim for ${request.caseId} stayed contended ${MAX_CLAIM_ATTEMPTS} times; retry later`,
  );
};
