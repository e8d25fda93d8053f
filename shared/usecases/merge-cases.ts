import { authorize } from '../domain/authorization';
import type { Actor, Case } from '../domain/case';
import { CaseNotFoundError, InvalidInputError, VersionConflictError } from '../domain/errors';
import {
  assertMergeable,
  dismissPossibleDuplicates,
  linkReport,
  type MergeContext,
  markMerged,
  markUnmerged,
  unlinkReport,
} from '../domain/merge';
import type { CaseStore, Clock, StoredCase } from '../ports';
import { saveWithRetry } from './save-with-retry';

/**
 * Merges `report` into the case `targetId`: the report first, then the target. The report's
 * version-checked write is where the merge is decided: `report` is the version the caller decided
 * on, and if it changed meanwhile (a dispatch won the race) the merge stops with a conflict before
 * the target is touched — linking the target first left it carrying a report that never merged.
 * Both steps are idempotent, so a merge cut short by a crash (report merged, target not yet linked)
 * is completed by running it again: a report merged into this target passes the checks.
 */
export const mergeInto = async (
  store: CaseStore,
  report: StoredCase,
  targetId: string,
  ctx: MergeContext,
): Promise<{ report: Case; target: Case }> => {
  const intoMissing = () =>
    new InvalidInputError('into', 'case_not_found', `no case ${targetId} to merge into`);
  const current = await store.get(targetId);
  if (!current) throw intoMissing();
  assertMergeable(report.case, current.case);
  const merged = markMerged(report.case, targetId, ctx);
  if (merged !== report.case) await store.save({ ...report, case: merged }, report.case.version);
  const target = await saveWithRetry(store, targetId, (c) => linkReport(c, merged, ctx), intoMissing);
  return { report: merged, target };
};

/** Takes a merged report out of its case again: the target's link first, then the report's status. */
export const unmerge = async (
  store: CaseStore,
  reportId: string,
  ctx: Omit<MergeContext, 'mode'>,
): Promise<Case> => {
  const stored = await store.get(reportId);
  if (!stored) throw new CaseNotFoundError(reportId);
  const targetId = stored.case.mergedInto;
  if (targetId) {
    // The target may be gone only if someone deleted it by hand; the report is still restored.
    await saveWithRetry(
      store,
      targetId,
      (c) => unlinkReport(c, stored.case, ctx),
      () => new CaseNotFoundError(targetId),
    );
  }
  return saveWithRetry(
    store,
    reportId,
    (c) => markUnmerged(c, ctx),
    () => new CaseNotFoundError(reportId),
  );
};

export const dismissDuplicateFlag = (store: CaseStore, caseId: string, ctx: Omit<MergeContext, 'mode'>) =>
  saveWithRetry(
    store,
    caseId,
    (c) => dismissPossibleDuplicates(c, ctx),
    () => new CaseNotFoundError(caseId),
  );

/**
 * Several reports of one event into the case `targetId` (a burst at one corner): each report's own
 * version-checked write decides its merge, as in `mergeInto`, and the target then gains them all
 * in one write instead of one write per report. Reports whose write lost a race are left out
 * (returned in `conflicted`) and the target never links them. Idempotent like `mergeInto`.
 * `before` is the target as the write found it, so the caller's effects follow only what this
 * merge added (a target's whole timeline again at every merge made a hotspot's work grow with it).
 */
export const mergeAllInto = async (
  store: CaseStore,
  reports: { stored: StoredCase; ctx: MergeContext }[],
  targetId: string,
): Promise<{ merged: Case[]; conflicted: StoredCase[]; target: Case; before: Case }> => {
  const current = await store.get(targetId);
  if (!current) throw new InvalidInputError('into', 'case_not_found', `no case ${targetId} to merge into`);
  for (const { stored } of reports) assertMergeable(stored.case, current.case);
  // Each report is its own item: their writes run side by side; the target's comes after them all.
  const outcomes = await Promise.all(
    reports.map(async ({ stored, ctx }) => {
      const report = markMerged(stored.case, targetId, ctx);
      try {
        if (report !== stored.case) await store.save({ ...stored, case: report }, stored.case.version);
        return { merged: { report, ctx } };
      } catch (error) {
        if (!(error instanceof VersionConflictError)) throw error;
        return { conflicted: stored };
      }
    }),
  );
  const merged = outcomes.flatMap((o) => (o.merged ? [o.merged] : []));
  const conflicted = outcomes.flatMap((o) => (o.conflicted ? [o.conflicted] : []));
  let before = current.case;
  const target = await saveWithRetry(
    store,
    targetId,
    (c) => {
      before = c;
      return merged.reduce((t, { report, ctx }) => linkReport(t, report, ctx), c);
    },
    () => new InvalidInputError('into', 'case_not_found', `no case ${targetId} to merge into`),
    current,
  );
  return { merged: merged.map((m) => m.report), conflicted, target, before };
};

/** A reviewer's decision on a (possible) duplicate: merge it into a case, take it out again, or clear its flag. */
export type DuplicateDecision =
  | { command: 'merge'; into: string }
  | { command: 'unmerge' | 'dismiss-duplicate' };

export interface DuplicateCommand {
  caseId: string;
  decision: DuplicateDecision;
  actor: Actor;
  /** The reader's scope: a case outside it answers like a missing one (404), a target like no target. */
  visibleTo: (c: Case) => boolean;
  correlationId: string;
  reason?: string;
  /** The version the reviewer decided on; another one is a conflict (409) before anything is written. */
  expectedVersion?: number;
}

/**
 * Manual merge, unmerge and dismissing a duplicate flag: the command centre anywhere, an area chief
 * within their zone. Both cases of a merge must be in the actor's scope.
 */
export const runDuplicateCommand = async (
  deps: { store: CaseStore; clock: Clock },
  request: DuplicateCommand,
): Promise<Case> => {
  const { actor, decision, visibleTo } = request;
  const stored = await deps.store.get(request.caseId);
  if (!stored || !visibleTo(stored.case)) throw new CaseNotFoundError(request.caseId);
  authorize(actor, 'merge', stored.case);
  if (request.expectedVersion !== undefined && request.expectedVersion !== stored.case.version) {
    throw new VersionConflictError(stored.case.id, request.expectedVersion, stored.case.version);
  }
  const ctx = {
    actor,
    now: deps.clock.now(),
    correlationId: request.correlationId,
    ...(request.reason !== undefined && { reason: request.reason }),
  };
  if (decision.command === 'merge') {
    const target = await deps.store.get(decision.into);
    if (!target || !visibleTo(target.case)) {
      throw new InvalidInputError('into', 'case_not_found', `no case ${decision.into} to merge into`);
    }
    authorize(actor, 'merge', target.case);
    return (await mergeInto(deps.store, stored, decision.into, { ...ctx, mode: 'manual' })).report;
  }
  if (decision.command === 'unmerge') return unmerge(deps.store, stored.case.id, ctx);
  return dismissDuplicateFlag(deps.store, stored.case.id, ctx);
};
