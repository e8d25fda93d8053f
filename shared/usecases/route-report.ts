import { type Case, SYSTEM_ROUTER } from '../domain/case';
import { categorise } from '../domain/classifier/categorise';
import type { TriageModel } from '../domain/classifier/model';
import { type DedupCandidate, type DuplicateVerdict, judgeDuplicates, radiusFor } from '../domain/dedup';
import type { DistrictIndex } from '../domain/district-index';
import {
  CaseNotFoundError,
  IllegalTransitionError,
  InvalidInputError,
  VersionConflictError,
} from '../domain/errors';
import { distanceMetres } from '../domain/geo';
import { cellsWithin, GEO_CELL_PRECISION, geohash } from '../domain/geohash';
import { flagPossibleDuplicates, type MergeContext } from '../domain/merge';
import { recordRepeat, repeatLinkTo } from '../domain/repeat';
import { routeReport } from '../domain/routing';
import { ROUTING_AREA_PRECISION } from '../domain/routing-area';
import { autoDispatch, registerReport } from '../domain/workflow';
import type { CaseStore, Clock, DedupClaim, DedupClaims, RoutingRequest, StoredCase } from '../ports';
import type { CaseEffects } from './case-effects';
import type { CellCandidates } from './cell-candidates';
import { mergeAllInto, mergeInto } from './merge-cases';
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
  /** The process's memory of recently read geo cells; absent: every look reads the index. */
  cells?: CellCandidates;
}

export type RouteOutcome = 'routed' | 'merged' | 'already-routed' | 'missing';

/** Each report of a batch ends routed (or skipped), or with the error that fails its message. */
export type RouteResult = RouteOutcome | Error;

/**
 * A queued report as the router takes it. `redelivered`: the queue delivered this message before
 * (the consumer failed or died), so a report found already routed may be missing its effects; a
 * first delivery of a report already routed is a second send (a client's retry, the sweep) and
 * changes nothing.
 */
export type QueuedReport = RoutingRequest & { redelivered?: boolean };

/**
 * Area claims cover the routing areas' cells (precision 6, ~1.2 km × 0.6 km). The queue already
 * routes one area's reports one batch at a time, so a claim is only ever contended by the routers
 * of the few areas next to it, for reports near the border.
 */
const CLAIM_PRECISION = ROUTING_AREA_PRECISION;
/**
 * How long a registration stays in the claim's own list: it covers the geo index's propagation lag
 * (a GSI is eventually consistent, typically well under a second), ten times over. The list is read
 * and rewritten by every batch that touches the claim: in the 600-report hotspot burst a claim
 * grew to 31 KB with a minute's memory, 19 KB with ten seconds.
 */
const CLAIM_MEMORY_MS = 10_000;
/**
 * A round is lost only when a neighbouring area's router registered near the border meanwhile (it
 * made progress), or while it finishes a registration we must see; a dozen rounds is far more than
 * a handful of neighbours can cause.
 */
const MAX_ROUNDS = 12;
/** A claimed report still unregistered after this long was left by a router that died. */
export const PENDING_CLAIM_MS = 60_000;

/** A short, growing pause (25, 50, 100 ms…) while a neighbouring router finishes its registration. */
const pause = (round: number) =>
  new Promise((resolve) => setTimeout(resolve, 25 * 2 ** Math.min(round - 1, 4)));

const isoMinus = (iso: string, ms: number) => new Date(Date.parse(iso) - ms).toISOString();

type RouterContext = { actor: typeof SYSTEM_ROUTER; now: string; correlationId: string };

const radiusOf = (deps: RouteReportDeps, report: Case) =>
  radiusFor(deps.district.config.dedup, deps.district, report.category);

const claimKeyOf = (areaCell: string) => `AREA#${areaCell}`;

const claimKeysOf = (deps: RouteReportDeps, report: Case) =>
  cellsWithin(report.location, radiusOf(deps, report), CLAIM_PRECISION).map(claimKeyOf);

/** The claim of the area a geo cell lies in: geohash cells nest, so the area's cell is a prefix. */
const claimKeyOfCell = (cell: string) => claimKeyOf(cell.slice(0, CLAIM_PRECISION));

/**
 * A claim's registered cells once `listed` register through it: the cells of its own area they lie
 * in, each with its newest `reportedAt`, and none older than the dedup window (`since`). A
 * registration near the border is listed by the neighbouring area's claim too, but its cell belongs
 * to its own area's claim only: that is the claim the router reads for the cell.
 */
const registeredCellsAfter = (claim: DedupClaim, listed: Case[], since: string): Record<string, string> => {
  const cells = Object.fromEntries(Object.entries(claim.registeredCells).filter(([, at]) => at >= since));
  for (const registered of listed) {
    const cell = geohash(registered.location, GEO_CELL_PRECISION);
    if (claimKeyOfCell(cell) !== claim.key) continue;
    if ((cells[cell] ?? '') < registered.reportedAt) cells[cell] = registered.reportedAt;
  }
  return cells;
};

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
 * The registered case a report becomes: routed, flagged for review if it looks like an open case,
 * linked to the closed case it repeats, dispatched at once where its category says so. Pure.
 */
const registration = (
  deps: RouteReportDeps,
  report: Case,
  verdict: Pick<DuplicateVerdict, 'flagged' | 'repeatOf'>,
  ctx: RouterContext,
): Case => {
  const { flagged, repeatOf } = verdict;
  const { report: categorised, details } = categorise(deps.triageModel, deps.district, report);
  const routing = routeReport(deps.district, {
    location: categorised.location,
    ...(categorised.category !== undefined && { category: categorised.category }),
  });
  const repeat = repeatOf && repeatLinkTo(repeatOf.case, repeatOf.score.score);
  let next = registerReport(repeat ? { ...categorised, repeatOf: repeat } : categorised, routing, ctx, {
    ...details,
    ...(repeat && { repeatOf: repeat }),
  });
  if (flagged.length > 0) next = flagPossibleDuplicates(next, flagged, ctx);
  if (routing.autoDispatch) next = autoDispatch(next, { ...ctx, district: deps.district });
  return next;
};

/**
 * After a registration is saved: the repeat link, timers and notifications, joint visit, snapshot.
 * Side by side: none reads what another writes, each is idempotent, and any failure fails the
 * message, whose redelivery (already routed) does them all again.
 */
const afterRegistration = async (deps: RouteReportDeps, before: Case, next: Case, ctx: RouterContext) => {
  const settled = await Promise.allSettled([
    linkRepeat(deps, next, ctx),
    deps.effects?.(before, next),
    deps.planJointVisit?.(next),
    deps.placeSnapshot?.(next, ctx.correlationId),
  ]);
  const failed = settled.find((s) => s.status === 'rejected');
  if (failed) throw failed.reason;
};

/**
 * A report found already routed (a redelivery after a crash between the write and its effects)
 * finishes the job: a report merged before the crash may still be missing from its target (the
 * merge's second step); every effect is idempotent.
 */
const finishRouted = async (deps: RouteReportDeps, stored: StoredCase, correlationId: string) => {
  const ctx = { actor: SYSTEM_ROUTER, now: deps.clock.now(), correlationId };
  const { mergedInto } = stored.case;
  if (stored.case.status === 'merged' && mergedInto) {
    const { target } = await mergeInto(deps.store, stored, mergedInto, { ...ctx, mode: 'auto' });
    await deps.effects?.(undefined, target);
  } else {
    await linkRepeat(deps, stored.case, ctx);
    await deps.effects?.(undefined, stored.case);
  }
  await deps.placeSnapshot?.(stored.case, correlationId);
};

type Decision =
  | { kind: 'merge'; stored: StoredCase; target: DedupCandidate; score: number; distance: number }
  | { kind: 'register'; stored: StoredCase; next: Case; claimKeys: string[] };

/** The start of the dedup window: older cases are no report's candidates. */
const windowStart = (deps: RouteReportDeps, now: string) =>
  isoMinus(now, deps.district.config.dedup.windowHours * 3_600_000);

/**
 * One area's batch, read once: the claims of every cell its reports' radii touch (`alreadyRead`:
 * some of them, read a moment ago), and their candidates. The claims first: they say which cells
 * hold registered cases, and only those are read from the geo index (most cells of a district hold
 * none, and each was a query). A registration the geo index doesn't show yet claimed before the
 * claim was read (so it is listed there, cell and case) or after it (so taking the claim fails, see
 * `takeClaims`).
 */
const readArea = async (
  deps: RouteReportDeps,
  open: StoredCase[],
  now: string,
  alreadyRead: DedupClaim[] = [],
) => {
  const claimKeys = [...new Set(open.flatMap((s) => claimKeysOf(deps, s.case)))].sort();
  const since = windowStart(deps, now);
  const read = new Map(alreadyRead.map((claim) => [claim.key, claim]));
  const [claims, listedSince] = await Promise.all([
    Promise.all(claimKeys.map((key) => read.get(key) ?? deps.claims.read(key))),
    deps.claims.registeredCellsSince(now),
  ]);
  const claimOf = new Map(claims.map((claim) => [claim.key, claim]));
  // Until the claims have listed a whole window of registrations, every cell is read.
  const listsComplete = listedSince <= since;
  const cells = [
    ...new Set(open.flatMap((s) => cellsWithin(s.case.location, radiusOf(deps, s.case)))),
  ].filter((cell) => {
    const claim = claimOf.get(claimKeyOfCell(cell));
    return !listsComplete || !claim || (claim.registeredCells[cell] ?? '') >= since;
  });
  const found = deps.cells
    ? await deps.cells.read(cells, since, now, (unread, from) => deps.store.findInCells(unread, from))
    : await deps.store.findInCells(cells, since);
  const ours = new Set(open.map((s) => s.case.id));
  const near = (point: { lat: number; lng: number }) =>
    open.some((s) => distanceMetres(point, s.case.location) <= radiusOf(deps, s.case));
  // A claim covers a neighbourhood: only its registrations within some report's radius matter.
  const recent = claims.flatMap((claim) => claim.recent).filter((r) => !ours.has(r.caseId) && near(r));
  const missing = [...new Set(recent.map((r) => r.caseId))].filter((id) => !found.some((c) => c.id === id));
  const candidates = [...found, ...(missing.length > 0 ? await deps.store.getMany(missing) : [])].filter(
    (c) => !ours.has(c.id),
  );
  // Another router took a claim for a report nearby and hasn't registered it yet: let it finish,
  // then judge. A claim older than PENDING_CLAIM_MS belongs to a router that died; its report is
  // re-sent by the queue or the sweep and must not hold up the area meanwhile.
  const freshSince = isoMinus(now, PENDING_CLAIM_MS);
  const fresh = new Set(recent.filter((r) => r.at >= freshSince).map((r) => r.caseId));
  const pending = candidates.some((c) => c.status === 'reported' && fresh.has(c.id));
  return { claims, candidates, pending };
};

/** Judges the batch in order, in memory: a report may merge into one registered earlier in the batch. */
const judgeBatch = (
  deps: RouteReportDeps,
  open: StoredCase[],
  candidates: DedupCandidate[],
  refused: Map<string, Set<string>>,
  ctxOf: (report: Case) => RouterContext,
): Decision[] => {
  const decisions: Decision[] = [];
  const registeredHere: Case[] = [];
  for (const stored of open) {
    const report = stored.case;
    const ctx = ctxOf(report);
    const verdict = judgeDuplicates(
      report,
      [...candidates, ...registeredHere],
      deps.district,
      deps.district.config.dedup,
      ctx.now,
      refused.get(report.id),
    );
    if (verdict.decision === 'merge' && verdict.best) {
      decisions.push({
        kind: 'merge',
        stored,
        target: verdict.best.case,
        score: verdict.best.score.score,
        distance: verdict.best.score.distanceMetres,
      });
      continue;
    }
    const next = registration(deps, report, verdict, ctx);
    registeredHere.push(next);
    decisions.push({ kind: 'register', stored, next, claimKeys: claimKeysOf(deps, report) });
  }
  return decisions;
};

/**
 * A claim that moved since it was read is read again this many times before the round is lost:
 * enough for the few areas whose reports near the border share it.
 */
const MAX_CLAIM_REFRESHES = 8;

/**
 * Takes every claim the registrations touch, in key order, each once for the batch. A claim that
 * moved since it was read (a neighbouring area's router registered through it) is read again: if
 * nothing registered meanwhile lies within a registration's radius, the judgement stands and the
 * claim is taken at its new version; otherwise the round is lost (the claims already taken only
 * list these reports a moment early: the neighbours wait for them, this router judges again and
 * registers). Most of a busy district's claim races are between reports far apart that merely
 * share a border cell; re-reading one claim settles them without judging the batch again.
 */
const takeClaims = async (
  deps: RouteReportDeps,
  claims: DedupClaim[],
  registrations: Extract<Decision, { kind: 'register' }>[],
  now: string,
): Promise<boolean> => {
  const since = windowStart(deps, now);
  const ours = new Set(registrations.map((d) => d.next.id));
  const matters = (point: { lat: number; lng: number; caseId: string }) =>
    !ours.has(point.caseId) &&
    registrations.some((d) => distanceMetres(point, d.next.location) <= radiusOf(deps, d.next));
  for (const read of claims) {
    const listed = registrations.filter((d) => d.claimKeys.includes(read.key)).map((d) => d.next);
    if (listed.length === 0) continue;
    let claim = read;
    for (let refresh = 0; ; refresh++) {
      const cells = registeredCellsAfter(claim, listed, since);
      if (await deps.claims.advance(claim, listed, now, isoMinus(now, CLAIM_MEMORY_MS), cells)) break;
      if (refresh === MAX_CLAIM_REFRESHES) return false;
      const seen = new Set(claim.recent.map((r) => r.caseId));
      claim = await deps.claims.read(read.key);
      if (claim.recent.some((r) => !seen.has(r.caseId) && matters(r))) return false;
    }
  }
  return true;
};

/**
 * The router's step for one routing area's batch of queued reports (the intake queue hands an area
 * to one router at a time). The batch is read once: its reports, the area's claims and candidates.
 * Each report is judged in order, against the candidates and the reports registered before it in
 * the batch: above the district's auto threshold it is merged into the case of its event
 * (several reports into one case in one write on the target); otherwise it is registered and
 * routed, after the batch has advanced each claim it touches once. A round is repeated only for a
 * real race (a neighbouring area registered near the border, a case changed under us); a merge
 * target that refuses is left out of the next look, so no round can repeat a refusal.
 * Idempotent: a redelivered message finishes or skips the job.
 */
export const routeReports = async (
  deps: RouteReportDeps,
  requests: QueuedReport[],
): Promise<Map<string, RouteResult>> => {
  const results = new Map<string, RouteResult>();
  const correlationOf = new Map(requests.map((r) => [r.caseId, r.correlationId]));
  const redelivered = new Set(requests.filter((r) => r.redelivered).map((r) => r.caseId));
  const refused = new Map<string, Set<string>>();
  const ids = [...correlationOf.keys()];

  /** Reports of `ids` still to route, in batch order; the others are settled here. */
  const load = async (wanted: string[]): Promise<StoredCase[]> => {
    const byId = new Map((await deps.store.getManyStored(wanted)).map((s) => [s.case.id, s]));
    const open: StoredCase[] = [];
    await Promise.all(
      wanted.map(async (id) => {
        const stored = byId.get(id);
        if (!stored) results.set(id, 'missing');
        else if (stored.case.status !== 'reported') {
          try {
            // Routed before a crash: finish the job. Routed by another delivery: that one does.
            if (redelivered.has(id)) await finishRouted(deps, stored, correlationOf.get(id) ?? id);
            results.set(id, 'already-routed');
          } catch (error) {
            results.set(id, error as Error);
          }
        }
      }),
    );
    for (const id of wanted) {
      const stored = byId.get(id);
      if (stored?.case.status === 'reported') open.push(stored);
    }
    return open;
  };

  // A batch is one routing area's (the queue's message group), and every report's radius reaches
  // its own area's claim: that claim is read while the reports are, a round trip off every batch.
  // The neighbouring areas' claims a radius reaches are read once the reports are in.
  const ownClaims = [...new Set(requests.flatMap((r) => (r.area ? [claimKeyOf(r.area)] : [])))];
  let [open, claimsRead] = await Promise.all([
    load(ids),
    Promise.all(ownClaims.map((key) => deps.claims.read(key))),
  ]);
  for (let round = 1; open.length > 0 && round <= MAX_ROUNDS; round++) {
    const now = deps.clock.now();
    const ctxOf = (report: Case): RouterContext => ({
      actor: SYSTEM_ROUTER,
      now,
      correlationId: correlationOf.get(report.id) ?? report.id,
    });
    const area = await readArea(deps, open, now, claimsRead);
    // A later round reads every claim afresh.
    claimsRead = [];
    if (area.pending) {
      await pause(round);
      open = await load(open.map((s) => s.case.id));
      continue;
    }
    const decisions = judgeBatch(deps, open, area.candidates, refused, ctxOf);
    const registrations = decisions.filter((d) => d.kind === 'register');
    if (registrations.length > 0 && !(await takeClaims(deps, area.claims, registrations, now))) {
      // A neighbouring area registered near the border meanwhile: judge again with it in view.
      open = await load(open.map((s) => s.case.id));
      continue;
    }

    const again: string[] = [];
    const registered = new Set<string>();
    const refuse = (reportId: string, targetId: string) => {
      refused.set(reportId, new Set([...(refused.get(reportId) ?? []), targetId]));
      again.push(reportId);
    };

    // One write on each target, its reports' first. A target registered in this batch waits for
    // its registration's write; the others (cases of earlier batches) are merged into at once.
    const merges = decisions.filter((d) => d.kind === 'merge');
    const byTarget = new Map<string, typeof merges>();
    for (const merge of merges)
      byTarget.set(merge.target.id, [...(byTarget.get(merge.target.id) ?? []), merge]);
    const inBatch = new Set(registrations.map((d) => d.stored.case.id));
    const mergeGroup = async (targetId: string, group: typeof merges) => {
      if (inBatch.has(targetId) && !registered.has(targetId)) {
        // Its registration failed: never merge into a report that is not a case yet.
        for (const merge of group) refuse(merge.stored.case.id, targetId);
        return undefined;
      }
      try {
        const reports = group.map(({ stored, score, distance }) => ({
          stored,
          ctx: {
            ...ctxOf(stored.case),
            mode: 'auto',
            score,
            reason: `same event: score ${score}, ${distance} m apart`,
          } satisfies MergeContext,
        }));
        const outcome = await mergeAllInto(deps.store, reports, targetId);
        for (const conflicted of outcome.conflicted) again.push(conflicted.case.id);
        return outcome;
      } catch (error) {
        // A target that refuses (closed or merged since it was read, or a cycle) will refuse
        // again: left out of the next look. A conflict or a transition is a real change: look again.
        // Either way the target changed since its cell was read: the next look reads it afresh.
        deps.cells?.forget(group.map((merge) => merge.target));
        if (error instanceof InvalidInputError && ['target_not_open', 'merge_cycle'].includes(error.rule)) {
          for (const merge of group) refuse(merge.stored.case.id, targetId);
        } else if (error instanceof VersionConflictError || error instanceof IllegalTransitionError) {
          for (const merge of group) again.push(merge.stored.case.id);
        } else {
          for (const merge of group) results.set(merge.stored.case.id, error as Error);
        }
        return undefined;
      }
    };
    /** Each target is its own item: their merges run side by side, then their effects together. */
    const mergeAll = async (groups: [string, typeof merges][]) => {
      const outcomes = await Promise.all(groups.map(([targetId, group]) => mergeGroup(targetId, group)));
      await Promise.all(
        outcomes.map(async (outcome) => {
          if (!outcome) return;
          try {
            await deps.effects?.(outcome.before, outcome.target);
          } catch (error) {
            for (const report of outcome.merged) results.set(report.id, error as Error);
            return;
          }
          for (const report of outcome.merged) {
            try {
              await deps.placeSnapshot?.(report, ctxOf(report).correlationId);
              results.set(report.id, 'merged');
            } catch (error) {
              results.set(report.id, error as Error);
            }
          }
        }),
      );
    };
    /** The registrations side by side; the ones written. */
    const saveRegistrations = async () => {
      await Promise.all(
        registrations.map(async ({ stored, next }) => {
          const id = stored.case.id;
          try {
            await deps.store.save({ ...stored, case: next }, stored.case.version);
            registered.add(id);
          } catch (error) {
            // Routed by another delivery meanwhile: the next look finishes its job.
            if (error instanceof VersionConflictError) again.push(id);
            else results.set(id, error as Error);
          }
        }),
      );
      const saved = registrations.filter((d) => registered.has(d.stored.case.id));
      deps.cells?.remember(saved.map((d) => d.next));
      return saved;
    };
    /** What follows each registration, all started together (their notifications share requests). */
    const followRegistrations = (saved: typeof registrations) =>
      Promise.all(
        saved.map(async ({ stored, next }) => {
          try {
            await afterRegistration(deps, stored.case, next, ctxOf(stored.case));
            results.set(stored.case.id, 'routed');
          } catch (error) {
            results.set(stored.case.id, error as Error);
          }
        }),
      );
    const groups = [...byTarget];
    // Merges into earlier cases run beside the registrations' writes; merges into this batch's
    // registrations once those are written, beside their effects (a joint visit marking a target
    // as it merges costs a re-read, not a wrong write).
    await Promise.all([
      mergeAll(groups.filter(([targetId]) => !inBatch.has(targetId))),
      saveRegistrations().then((saved) =>
        Promise.all([
          followRegistrations(saved),
          mergeAll(groups.filter(([targetId]) => inBatch.has(targetId))),
        ]),
      ),
    ]);
    open = again.length > 0 ? await load([...new Set(again)]) : [];
  }
  for (const stored of open) {
    results.set(
      stored.case.id,
      new Error(`routing ${stored.case.id} lost ${MAX_ROUNDS} rounds to neighbouring areas; retry later`),
    );
  }
  return results;
};

/** One report on its own: a batch of one. */
export const routeQueuedReport = async (
  deps: RouteReportDeps,
  request: QueuedReport,
): Promise<RouteOutcome> => {
  const result = (await routeReports(deps, [request])).get(request.caseId) ?? 'missing';
  if (result instanceof Error) throw result;
  return result;
};
