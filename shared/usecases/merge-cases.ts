import type { Case } from '../domain/case';
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
import type { CaseStore, StoredCase } from '../ports';
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
 */
export const mergeAllInto = async (
  store: CaseStore,
  reports: { stored: StoredCase; ctx: MergeContext }[],
  targetId: string,
): Promise<{ merged: Case[]; conflicted: StoredCase[]; target: Case }> => {
  const current = await store.get(targetId);
  if (!current) throw new InvalidInputError('into', 'case_not_found', `no case ${targetId} to merge into`);
  const merged: { report: Case; ctx: MergeContext }[] = [];
  const conflicted: StoredCase[] = [];
  for (const { stored, ctx } of reports) {
    assertMergeable(stored.case, current.case);
    const report = markMerged(stored.case, targetId, ctx);
    try {
      if (report !== stored.case) await store.save({ ...stored, case: report }, stored.case.version);
      merged.push({ report, ctx });
    } catch (error) {
      if (!(error instanceof VersionConflictError)) throw error;
      conflicted.push(stored);
    }
  }
  const target = await saveWithRetry(
    store,
    targetId,
    (c) => merged.reduce((t, { report, ctx }) => linkReport(t, report, ctx), c),
    () => new InvalidInputError('into', 'case_not_found', `no case ${targetId} to merge into`),
  );
  return { merged: merged.map((m) => m.report), conflicted, target };
};
