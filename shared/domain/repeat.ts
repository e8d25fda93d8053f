import type { Actor, Case, RepeatLink } from './case';
import { advance } from './workflow';

/**
 * A repeat after closure (重复投诉): the same event reported again soon after its case was closed.
 * 12345 practice reads it as a sign the problem was not fixed. The closed case keeps its record (its
 * figures were earned then); the new report becomes a case of its own, routed at once to whoever
 * handles it now, and the two point at each other so the people involved see the history. The
 * evaluation counts it (`repeatsAfterClosure`).
 */

interface RepeatContext {
  actor: Actor;
  now: string;
  correlationId?: string;
}

/** The new case's link to the closed case it repeats (stored with its registration). */
export const repeatLinkTo = (
  closed: Pick<Case, 'id' | 'closedAt' | 'updatedAt'>,
  score: number,
): RepeatLink => ({
  caseId: closed.id,
  at: closed.closedAt ?? closed.updatedAt,
  score,
});

/** On the closed case: a timeline entry and the link to the new case. Idempotent; the status stays. */
export const recordRepeat = (closed: Case, repeat: Case, ctx: RepeatContext): Case => {
  if (closed.repeatedBy?.some((link) => link.caseId === repeat.id)) return closed;
  const score = repeat.repeatOf?.score ?? 0;
  return advance(
    closed,
    { action: 'repeat-reported', to: closed.status, details: { caseId: repeat.id, score } },
    ctx,
    { repeatedBy: [...(closed.repeatedBy ?? []), { caseId: repeat.id, at: repeat.reportedAt, score }] },
  );
};
