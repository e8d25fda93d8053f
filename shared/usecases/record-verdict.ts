import type { Actor, Case, Rating, VerdictChannel } from '../domain/case';
import { CaseNotFoundError, TicketNotFoundError, VersionConflictError } from '../domain/errors';
import { HOTLINE_RATINGS, type HotlineRating, recordSatisfaction } from '../domain/satisfaction';
import { HOTLINE_SYSTEM } from '../domain/subscriptions';
import type { StoredCase } from '../ports';
import type { RunCommandDeps } from './run-command';
import { externalCaseId } from './submit-report';

export interface VerdictResult {
  case: Case;
  /** The same verdict was recorded before: nothing changed. */
  replayed: boolean;
}

export interface RecordVerdictRequest {
  caseId: string;
  rating: Rating;
  comment?: string;
  channel: VerdictChannel;
  actor: Actor;
  /** When given, the verdict is recorded only on this version (the client saw it). */
  expectedVersion?: number;
  correlationId?: string;
  /** Whether the actor may see this case at all; when not, it is as absent as a missing one. */
  visibleTo?: (c: Case) => boolean;
  /** The report the verdict speaks for, when not the case's own (a ticket merged into it). */
  reportId?: string;
  /** The case as the caller has just read it (the edge checked it was readable): not read again. */
  loaded?: StoredCase;
  /** The 12345 ticket it is delivered for (stands in for the permission check), and when it called. */
  forTicket?: string;
  calledBackAt?: string;
}

/**
 * Loads the case, records the verdict (and the reopen 不满意 may cause), and saves it only if nobody
 * changed it meanwhile; then the timers and notifications of a reopen, as for a manual one.
 */
export const recordVerdict = async (
  deps: RunCommandDeps,
  request: RecordVerdictRequest,
): Promise<VerdictResult> => {
  const stored =
    request.loaded?.case.id === request.caseId ? request.loaded : await deps.store.get(request.caseId);
  if (!stored || (request.visibleTo && !request.visibleTo(stored.case))) {
    throw new CaseNotFoundError(request.caseId);
  }
  const next = recordSatisfaction(
    stored.case,
    {
      rating: request.rating,
      channel: request.channel,
      ...(request.comment !== undefined && { comment: request.comment }),
      ...(request.reportId !== undefined && { reportId: request.reportId }),
      ...(request.calledBackAt !== undefined && { calledBackAt: request.calledBackAt }),
    },
    {
      district: deps.district,
      actor: request.actor,
      now: deps.clock.now(),
      ...(request.correlationId !== undefined && { correlationId: request.correlationId }),
      ...(request.forTicket !== undefined && { forTicket: request.forTicket }),
    },
  );
  if (next === stored.case) return { case: next, replayed: true };
  if (request.expectedVersion !== undefined && request.expectedVersion !== stored.case.version) {
    throw new VersionConflictError(request.caseId, request.expectedVersion, stored.case.version);
  }
  await deps.store.save({ ...stored, case: next }, stored.case.version);
  await deps.effects?.(stored.case, next);
  return { case: next, replayed: false };
};

/** The 12345 platform's callback result (回访结果) for one of its tickets. */
export interface HotlineCallback {
  ticketNo: string;
  result: HotlineRating;
  comment?: string;
  /** When the platform called the caller back (ISO 8601). */
  calledBackAt: string;
}

/** The timeline entries a callback made carry this correlation id: a resent callback finds them. */
export const callbackCorrelationId = (callback: Pick<HotlineCallback, 'ticketNo' | 'calledBackAt'>) =>
  `callback:${HOTLINE_SYSTEM}:${callback.ticketNo}:${Date.parse(callback.calledBackAt)}`;

/**
 * A 12345 callback result becomes the caller's verdict on the case their ticket became — or, when
 * the ticket was merged as a duplicate, on the case it went into (the caller's problem was handled
 * there), as the verdict of the ticket's own report. Idempotent: the same callback (ticket and
 * callback time) again finds its entry and changes nothing.
 */
export const deliverHotlineCallback = async (
  deps: RunCommandDeps,
  request: { callback: HotlineCallback; actor: Actor },
): Promise<VerdictResult & { ticketCaseId: string; reopened: boolean }> => {
  const { callback, actor } = request;
  const ticketCaseId = externalCaseId(deps.district.config.id, {
    system: HOTLINE_SYSTEM,
    id: callback.ticketNo,
  });
  const ticket = await deps.store.get(ticketCaseId);
  if (!ticket) throw new TicketNotFoundError(callback.ticketNo);
  const caseId =
    ticket.case.status === 'merged' && ticket.case.mergedInto ? ticket.case.mergedInto : ticketCaseId;
  const correlationId = callbackCorrelationId(callback);
  const target = caseId === ticketCaseId ? ticket : await deps.store.get(caseId);
  // The reopen 不满意 may cause carries the callback's correlation id too.
  const reopenedBy = (c: Case) =>
    c.timeline.some((e) => e.action === 'reopened' && e.correlationId === correlationId);
  if (target?.case.timeline.some((e) => e.correlationId === correlationId)) {
    return { case: target.case, replayed: true, ticketCaseId, reopened: reopenedBy(target.case) };
  }
  const result = await recordVerdict(deps, {
    caseId,
    rating: HOTLINE_RATINGS[callback.result],
    ...(callback.comment !== undefined && { comment: callback.comment }),
    channel: 'hotline',
    actor,
    correlationId,
    reportId: ticketCaseId,
    forTicket: callback.ticketNo,
    calledBackAt: callback.calledBackAt,
  });
  return { ...result, ticketCaseId, reopened: reopenedBy(result.case) };
};
