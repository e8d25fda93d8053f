import { authorize, inScope, scopeOf } from '../domain/authorization';
import type { Actor, Case, CaseStatus } from '../domain/case';
import type { DistrictIndex } from '../domain/district-index';
import {
  ForbiddenActionError,
  IllegalTransitionError,
  JointVisitNotFoundError,
  VersionConflictError,
} from '../domain/errors';
import {
  AWAITING_VISIT,
  acceptJointVisit,
  confirmJointVisit,
  createJointVisit,
  decideJointVisit,
  extendJointVisit,
  type FanOutTarget,
  fanOutSteps,
  isOpenVisit,
  type JointVisit,
  type JointVisitStatus,
  MADE_VISIT_STATUSES,
  markCovered,
  resolveJointVisit,
  SYSTEM_PLANNER,
  type VisitContext,
  visitFacts,
  visitsSavedBy,
} from '../domain/joint-visit';
import { runCommand } from '../domain/workflow';
import type { CaseStore, Clock, JointVisitStore, PremisesReader } from '../ports';
import type { CaseEffects } from './case-effects';

export interface JointVisitDeps {
  store: CaseStore;
  visits: JointVisitStore;
  premises: PremisesReader;
  district: DistrictIndex;
  clock: Clock;
  /** Timers and notifications after a covered case is dispatched, accepted or resolved for the visit. */
  effects?: CaseEffects;
}

/** Conflicting writers are other planners or commands on the same items: a few re-reads settle it. */
const MAX_ATTEMPTS = 6;

const retryOnConflict = async <T>(what: string, attempt: () => Promise<T | 'conflict'>): Promise<T> => {
  for (let i = 0; i < MAX_ATTEMPTS; i++) {
    const outcome = await attempt();
    if (outcome !== 'conflict') return outcome;
  }
  throw new VersionConflictError(what, 0);
};

const conflictAs = async (write: Promise<void>): Promise<'conflict' | undefined> => {
  try {
    await write;
    return undefined;
  } catch (error) {
    if (error instanceof VersionConflictError) return 'conflict';
    throw error;
  }
};

/** Sets `jointVisitId` on a covered case with one timeline entry; re-reads and retries on a conflict. */
const markCase = async (deps: JointVisitDeps, visit: JointVisit, caseId: string, ctx: VisitContext) =>
  retryOnConflict(caseId, async () => {
    const stored = await deps.store.get(caseId);
    if (!stored || stored.case.jointVisitId === visit.id) return undefined;
    const next = markCovered(stored.case, visit, ctx);
    return (await conflictAs(deps.store.save({ ...stored, case: next }, stored.case.version))) ?? undefined;
  });

export type PlanOutcome =
  | { outcome: 'none' }
  | { outcome: 'created' | 'extended' | 'unchanged'; visitId: string; caseIds: string[] };

/**
 * The router's hook once a case is registered (综合查一次): reads the premises from its index and
 * creates, or extends, the one open joint visit there. The visit is written first (a conditional
 * put on an id both racing planners derive alike, or a version-checked save), then every covered
 * case is marked; a redelivered message redoes only what is missing.
 */
export const planJointVisit = async (
  deps: JointVisitDeps,
  registered: Case,
  correlationId?: string,
): Promise<PlanOutcome> => {
  const { premisesId } = registered;
  const config = deps.district.config;
  if (!premisesId || config.jointVisits.mode === 'off') return { outcome: 'none' };
  // The report's own correlation id follows it into the visit it joins.
  const correlation = correlationId ?? registered.timeline[registered.timeline.length - 1]?.correlationId;
  const ctx: VisitContext = {
    actor: SYSTEM_PLANNER,
    now: deps.clock.now(),
    ...(correlation !== undefined && { correlationId: correlation }),
  };
  // The cases as the last read saw them: one already carrying the visit's mark needs no re-read.
  let seen: readonly Case[] = [];
  const planned = await retryOnConflict(premisesId, async () => {
    const read = await deps.premises.forPlanning(premisesId, AWAITING_VISIT);
    // The index may lag the case's own write (on AWS, GSIs are eventually consistent): trust the newer copy.
    const cases = [
      ...read.cases.filter((c) => c.id !== registered.id),
      read.cases.find((c) => c.id === registered.id && c.version > registered.version) ?? registered,
    ];
    seen = cases;
    const decision = decideJointVisit(config.jointVisits.mode, premisesId, cases, read.visits);
    if (decision.kind === 'none') return { outcome: 'none' as const };
    if (decision.kind === 'create') {
      const visit = createJointVisit(config, { ...decision, premisesId }, ctx);
      const created = await deps.visits.create(visit);
      if (created.created) return { outcome: 'created' as const, visit };
      // Another planner made it a moment ago: join it (the next read sees it, even if the index lags).
      return joinVisit(deps, created.existing, decision.cases, ctx);
    }
    return joinVisit(deps, decision.visit, decision.cases, ctx);
  });
  if (planned.outcome === 'none') return planned;
  const { visit } = planned;
  // Every case of the visit is marked, the ones a crash left unmarked included (a redelivery plans
  // again). A case the read showed marked already is skipped: a mark is only ever set for an open
  // visit, and the index can lag a mark but never show one that isn't there. The others are
  // separate items, marked side by side: the router's batch waits for its registrations' visits.
  const marked = new Set(seen.filter((c) => c.jointVisitId === visit.id).map((c) => c.id));
  await Promise.all(
    visit.caseIds.filter((id) => !marked.has(id)).map((caseId) => markCase(deps, visit, caseId, ctx)),
  );
  return { outcome: planned.outcome, visitId: visit.id, caseIds: visit.caseIds };
};

/** The router's `planJointVisit` hook over these deps. */
export const jointVisitPlanner =
  (deps: JointVisitDeps) =>
  async (registered: Case): Promise<void> => {
    await planJointVisit(deps, registered);
  };

/** Adds the cases to an open visit with a version check; a visit that ended meanwhile means read again. */
const joinVisit = async (
  deps: JointVisitDeps,
  visit: JointVisit,
  cases: readonly Case[],
  ctx: VisitContext,
): Promise<{ outcome: 'extended' | 'unchanged'; visit: JointVisit } | 'conflict'> => {
  if (!isOpenVisit(visit)) return 'conflict';
  const next = extendJointVisit(visit, cases, ctx);
  if (next === visit) return { outcome: 'unchanged', visit };
  return (await conflictAs(deps.visits.save(next, visit.version))) ?? { outcome: 'extended', visit: next };
};

// ——— commands on a visit ———

export interface VisitCommandRequest {
  visitId: string;
  actor: Actor;
  correlationId?: string;
}

/** One covered case after a fan-out: brought to the visit's state, there already, or left out and why. */
export interface CaseOutcome {
  caseId: string;
  outcome: 'updated' | 'unchanged' | 'skipped';
  status?: CaseStatus;
  reason?: string;
}

export interface VisitCommandResult {
  visit: JointVisit;
  cases: CaseOutcome[];
}

const visibleVisit = (actor: Actor, visit: JointVisit): boolean => {
  const scope = scopeOf(actor, 'visit');
  return scope !== undefined && inScope(scope, actor, visitFacts(visit));
};

/** Loads a visit the actor may see; one they may not see answers like a missing one. */
export const loadVisit = async (deps: JointVisitDeps, actor: Actor, visitId: string): Promise<JointVisit> => {
  const visit = await deps.visits.get(visitId);
  if (!visit || !visibleVisit(actor, visit)) throw new JointVisitNotFoundError(visitId);
  return visit;
};

const contextOf = (deps: JointVisitDeps, request: VisitCommandRequest): VisitContext => ({
  actor: request.actor,
  now: deps.clock.now(),
  ...(request.correlationId !== undefined && { correlationId: request.correlationId }),
});

/** Applies a visit transition with a version check (a no-op transition writes nothing). */
const transition = async (
  deps: JointVisitDeps,
  request: VisitCommandRequest,
  action: 'confirm_visit' | 'handle_visit',
  apply: (visit: JointVisit, ctx: VisitContext) => JointVisit,
): Promise<JointVisit> =>
  retryOnConflict(request.visitId, async () => {
    const visit = await loadVisit(deps, request.actor, request.visitId);
    authorize(request.actor, action, visitFacts(visit));
    const next = apply(visit, contextOf(deps, request));
    if (next === visit) return visit;
    return (await conflictAs(deps.visits.save(next, visit.version))) ?? next;
  });

/**
 * Brings one covered case to the visit's state as the acting person, with entries naming the
 * visit; the case stays with its own lead department. Cases already there are left alone, so a
 * fan-out that stopped halfway is finished by running it again.
 */
const fanOutToCase = async (
  deps: JointVisitDeps,
  visit: JointVisit,
  caseId: string,
  target: FanOutTarget,
  ctx: VisitContext,
): Promise<CaseOutcome> =>
  retryOnConflict(caseId, async () => {
    const stored = await deps.store.get(caseId);
    if (!stored) return { caseId, outcome: 'skipped' as const, reason: 'not found' };
    const original = stored.case;
    const steps = fanOutSteps(original, target, visit.result);
    if (steps === undefined) {
      const reason = original.hold ? 'on hold' : original.status;
      return { caseId, outcome: 'skipped' as const, status: original.status, reason };
    }
    let next = markCovered(original, visit, ctx);
    try {
      for (const input of steps) {
        next = runCommand(next, input, { ...ctx, district: deps.district, forJointVisit: visit.id });
      }
    } catch (error) {
      if (!(error instanceof IllegalTransitionError)) throw error;
      return { caseId, outcome: 'skipped' as const, status: original.status, reason: error.message };
    }
    if (next === original) return { caseId, outcome: 'unchanged' as const, status: original.status };
    const conflict = await conflictAs(deps.store.save({ ...stored, case: next }, original.version));
    if (conflict) return conflict;
    await deps.effects?.(original, next);
    return { caseId, outcome: 'updated' as const, status: next.status };
  });

const fanOut = async (deps: JointVisitDeps, visit: JointVisit, target: FanOutTarget, ctx: VisitContext) => {
  const outcomes: CaseOutcome[] = [];
  // One case at a time: a failure stops here, and a retry skips what is done.
  for (const caseId of visit.caseIds) outcomes.push(await fanOutToCase(deps, visit, caseId, target, ctx));
  return outcomes;
};

/** The command centre confirms a proposed visit (mode `propose`): proposed → planned. */
export const confirmVisit = async (deps: JointVisitDeps, request: VisitCommandRequest): Promise<JointVisit> =>
  transition(deps, request, 'confirm_visit', confirmJointVisit);

/** The joint team takes the visit on: the visit and every covered case become accepted. */
export const acceptVisit = async (
  deps: JointVisitDeps,
  request: VisitCommandRequest & { note?: string },
): Promise<VisitCommandResult> => {
  const visit = await transition(deps, request, 'handle_visit', (v, ctx) =>
    acceptJointVisit(v, { ...ctx, ...(request.note && { note: request.note }) }),
  );
  return { visit, cases: await fanOut(deps, visit, 'accepted', contextOf(deps, request)) };
};

/** The joint team reports the result: the visit and every covered case become handled. */
export const resolveVisit = async (
  deps: JointVisitDeps,
  request: VisitCommandRequest & { result: string },
): Promise<VisitCommandResult> => {
  const visit = await transition(deps, request, 'handle_visit', (v, ctx) =>
    resolveJointVisit(v, request.result, ctx),
  );
  return { visit, cases: await fanOut(deps, visit, 'handled', contextOf(deps, request)) };
};

// ——— reading ———

export const listVisits = async (
  deps: JointVisitDeps,
  actor: Actor,
  query: { status: JointVisitStatus; limit: number; cursor?: string },
) => {
  if (!scopeOf(actor, 'visit')) {
    throw new ForbiddenActionError('visit', `the ${actor.role} role may not see joint visits`);
  }
  const page = await deps.visits.listByStatus(query.status, query.limit, query.cursor);
  // Narrower scopes than the district see the visits their department or zone takes part in.
  return { ...page, items: page.items.filter((v) => visibleVisit(actor, v)) };
};

export interface JointVisitFigures {
  /** Visits made or being made (planned, accepted, handled). */
  visits: number;
  casesCovered: number;
  /** One visit instead of one per case: cases covered − visits. */
  visitsSaved: number;
  proposed: number;
  byStatus: Record<JointVisitStatus, number>;
}

/** The cockpit's figures, counted from the visits' queue index (one query per status, no scan). */
export const visitFigures = async (deps: JointVisitDeps, actor: Actor): Promise<JointVisitFigures> => {
  if (!scopeOf(actor, 'visit')) {
    throw new ForbiddenActionError('visit', `the ${actor.role} role may not see joint visits`);
  }
  const statuses: JointVisitStatus[] = ['proposed', 'planned', 'accepted', 'handled', 'cancelled'];
  const counts = await Promise.all(statuses.map((status) => deps.visits.countByStatus(status)));
  const byStatus = Object.fromEntries(statuses.map((s, i) => [s, counts[i]?.visits ?? 0])) as Record<
    JointVisitStatus,
    number
  >;
  let visits = 0;
  let casesCovered = 0;
  statuses.forEach((status, i) => {
    if (!MADE_VISIT_STATUSES.includes(status)) return;
    visits += counts[i]?.visits ?? 0;
    casesCovered += counts[i]?.casesCovered ?? 0;
  });
  return { visits, casesCovered, visitsSaved: casesCovered - visits, proposed: byStatus.proposed, byStatus };
};

/** The visit as the API shows it: with the visits it saved. */
export const visitView = (visit: JointVisit) => ({ ...visit, visitsSaved: visitsSavedBy(visit) });

/** A case at a premises as the history shows it: no description, no reporter. */
export const premisesCaseSummary = (c: Case) => ({
  kind: 'case' as const,
  id: c.id,
  ...(c.category && { category: c.category }),
  status: c.status,
  ...(c.lead && { lead: c.lead }),
  ...(c.assignee && { assignee: c.assignee }),
  reportedAt: c.reportedAt,
  ...(c.closedAt && { closedAt: c.closedAt }),
  ...(c.jointVisitId && { jointVisitId: c.jointVisitId }),
});

export const premisesVisitSummary = (v: JointVisit) => ({
  kind: 'visit' as const,
  id: v.id,
  status: v.status,
  lead: v.lead,
  cooperating: v.cooperating,
  caseIds: v.caseIds,
  createdAt: v.createdAt,
  ...(v.handledAt && { handledAt: v.handledAt }),
  ...(v.result && { result: v.result }),
});

/** 一户一档: every case and visit at the premises, newest first, for staff (never reporters). */
export const premisesHistory = async (
  deps: Pick<JointVisitDeps, 'premises'>,
  actor: Actor,
  query: { premisesId: string; limit: number; cursor?: string },
) => {
  authorize(actor, 'premises');
  const page = await deps.premises.history(query.premisesId, query.limit, query.cursor);
  return {
    premisesId: query.premisesId,
    items: page.items.map((entry) =>
      entry.kind === 'case' ? premisesCaseSummary(entry.case) : premisesVisitSummary(entry.visit),
    ),
    ...(page.cursor && { cursor: page.cursor }),
  };
};
