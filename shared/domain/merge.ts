import type { Priority } from '../district/schema';
import type { Actor, Case, Deadlines, LinkedReport } from './case';
import { IllegalTransitionError, InvalidInputError } from './errors';
import { advance } from './workflow';

/**
 * Merging a duplicate report into the case of its event, and taking it out again. Each side is one
 * version-checked write, and each step is idempotent, so a merge (or unmerge) that fails halfway is
 * finished by simply running it again: the report first (its version-checked write decides the
 * merge), then the target.
 */

export interface MergeContext {
  actor: Actor;
  now: string;
  correlationId?: string;
  mode: 'auto' | 'manual';
  /** The duplicate score when the router merged it. */
  score?: number;
  reason?: string;
}

const URGENCY: Record<Priority, number> = { urgent: 0, high: 1, normal: 2, low: 3 };

const moreUrgent = (a: Priority, b: Priority): Priority => (URGENCY[a] <= URGENCY[b] ? a : b);

const earlier = (a: string, b: string) => (Date.parse(a) <= Date.parse(b) ? a : b);

/** Both deadlines running: the earlier of each, so merging never buys time. */
const combinedDeadlines = (target?: Deadlines, report?: Deadlines): Deadlines | undefined =>
  target && report
    ? {
        ...target,
        acceptBy: earlier(target.acceptBy, report.acceptBy),
        handleBy: earlier(target.handleBy, report.handleBy),
      }
    : target;

const MERGEABLE: readonly Case['status'][] = [
  'reported',
  'registered',
  'dispatched',
  'accepted',
  'handled',
  'verified',
];

/** The clear 4xx for a merge that can't be: itself, into a closed/merged/cancelled case, or a cycle. */
export const assertMergeable = (report: Case, target: Case): void => {
  if (report.id === target.id) {
    throw new InvalidInputError('into', 'same_case', 'a case cannot be merged into itself');
  }
  if (report.mergedInto === target.id || target.linkedReports.some((l) => l.caseId === report.id)) return;
  if (!MERGEABLE.includes(report.status)) throw new IllegalTransitionError('merge', report.status);
  if (!MERGEABLE.includes(target.status)) {
    throw new InvalidInputError(
      'into',
      'target_not_open',
      `case ${target.id} is ${target.status}: merge into an open case`,
    );
  }
  if (target.mergedInto !== undefined || report.linkedReports.some((l) => l.caseId === target.id)) {
    throw new InvalidInputError(
      'into',
      'merge_cycle',
      `case ${target.id} was merged into ${report.id}: that would be a cycle`,
    );
  }
};

const linkOf = (report: Case, ctx: MergeContext): LinkedReport => ({
  caseId: report.id,
  source: report.source,
  reportedAt: report.reportedAt,
  description: report.description,
  ...(report.reporter && { reporter: report.reporter }),
  ...(report.externalRef && { externalRef: report.externalRef }),
  ...(report.camera && { camera: report.camera }),
  submittedBy: report.submittedBy,
  mode: ctx.mode,
  ...(ctx.score !== undefined && { score: ctx.score }),
  mergedAt: ctx.now,
});

/** Step 2, on the target: it gains the report (and the reports already merged into it). No-op if done. */
export const linkReport = (target: Case, report: Case, ctx: MergeContext): Case => {
  if (target.linkedReports.some((l) => l.caseId === report.id)) return target;
  const carried = report.linkedReports.filter(
    (l) => !target.linkedReports.some((t) => t.caseId === l.caseId),
  );
  const deadlines = combinedDeadlines(target.deadlines, report.deadlines);
  return advance(
    target,
    {
      action: 'report-linked',
      to: target.status,
      ...(ctx.reason !== undefined && { reason: ctx.reason }),
      details: {
        caseId: report.id,
        mode: ctx.mode,
        ...(ctx.score !== undefined && { score: ctx.score }),
        ...(carried.length > 0 && { carried: carried.map((l) => l.caseId) }),
      },
    },
    ctx,
    {
      linkedReports: [...target.linkedReports, linkOf(report, ctx), ...carried],
      priority: moreUrgent(target.priority, report.priority),
      ...(deadlines && { deadlines }),
    },
  );
};

/** Step 1, on the report: it points at the target and leaves every queue. No-op if done. */
export const markMerged = (report: Case, targetId: string, ctx: MergeContext): Case => {
  if (report.status === 'merged' && report.mergedInto === targetId) return report;
  const next = advance(
    report,
    {
      action: 'merged',
      to: 'merged',
      ...(ctx.reason !== undefined && { reason: ctx.reason }),
      details: { into: targetId, mode: ctx.mode, ...(ctx.score !== undefined && { score: ctx.score }) },
    },
    ctx,
    { mergedInto: targetId, statusBeforeMerge: report.status },
  );
  delete next.possibleDuplicates;
  return next;
};

/** Unmerge step 1, on the target: the report's link (and what it carried in) is removed. No-op if done. */
export const unlinkReport = (target: Case, report: Case, ctx: Omit<MergeContext, 'mode'>): Case => {
  const carried = new Set([report.id, ...report.linkedReports.map((l) => l.caseId)]);
  if (!target.linkedReports.some((l) => l.caseId === report.id)) return target;
  return advance(
    target,
    {
      action: 'report-unlinked',
      to: target.status,
      ...(ctx.reason !== undefined && { reason: ctx.reason }),
      details: { caseId: report.id },
    },
    ctx,
    { linkedReports: target.linkedReports.filter((l) => !carried.has(l.caseId)) },
  );
};

/** Unmerge step 2, on the report: back to the status it had. Priority and deadlines of the target stay. */
export const markUnmerged = (report: Case, ctx: Omit<MergeContext, 'mode'>): Case => {
  if (report.status !== 'merged') throw new IllegalTransitionError('unmerge', report.status);
  const next = advance(
    report,
    {
      action: 'unmerged',
      to: report.statusBeforeMerge ?? 'registered',
      ...(ctx.reason !== undefined && { reason: ctx.reason }),
      details: { from: report.mergedInto },
    },
    ctx,
  );
  delete next.mergedInto;
  delete next.statusBeforeMerge;
  return next;
};

/** Into the review queue: created as its own case, but a person should look. */
export const flagPossibleDuplicates = (
  c: Case,
  flagged: { caseId: string; score: number }[],
  ctx: Omit<MergeContext, 'mode'>,
): Case =>
  advance(c, { action: 'duplicate-flagged', to: c.status, details: { candidates: flagged } }, ctx, {
    possibleDuplicates: flagged,
  });

/** Out of the review queue: a person decided these are different events. */
export const dismissPossibleDuplicates = (c: Case, ctx: Omit<MergeContext, 'mode'>): Case => {
  if (!c.possibleDuplicates?.length) {
    throw new InvalidInputError(
      'possibleDuplicates',
      'nothing_to_dismiss',
      'this case is not flagged as a possible duplicate',
    );
  }
  const next = advance(
    c,
    {
      action: 'duplicate-dismissed',
      to: c.status,
      ...(ctx.reason !== undefined && { reason: ctx.reason }),
      details: { candidates: c.possibleDuplicates },
    },
    ctx,
  );
  delete next.possibleDuplicates;
  return next;
};
