import type { Actor, Case } from '../domain/case';
import { clockFor, deadlinesFrom } from '../domain/deadlines';
import { type HotlineTicket, reportInputOfTicket, type TicketMapping } from '../domain/hotline';
import { responsibilityFor } from '../domain/routing';
import { type SubmitReportDeps, submitReport } from './submit-report';

export interface HotlineTicketResult {
  case: Case;
  replayed: boolean;
  mapping: TicketMapping;
  /** The lead department: the case's once routed, else the one its category names (none in triage). */
  lead?: string;
  /** The handling deadline: the case's once dispatched, else when it falls if dispatched now. */
  handleBy?: string;
  deadlineEstimated: boolean;
}

/**
 * A 12345 ticket becomes a report (idempotent by ticket number: the case id derives from it). The
 * platform wants an answer for the caller at once, while routing runs behind the queue: until the
 * case is routed, lead and deadline are what routing will decide for a mapped category.
 */
export const submitHotlineTicket = async (
  deps: SubmitReportDeps,
  request: { ticket: HotlineTicket; actor: Actor; correlationId: string },
): Promise<HotlineTicketResult> => {
  const { input, mapping } = reportInputOfTicket(deps.district, request.ticket);
  const { case: c, replayed } = await submitReport(deps, {
    input,
    actor: request.actor,
    correlationId: request.correlationId,
  });
  const category = c.category === undefined ? undefined : deps.district.category(c.category);
  const lead =
    c.lead ?? (category && !c.triage ? responsibilityFor(deps.district, category).lead : undefined);
  const handleBy =
    c.deadlines?.handleBy ??
    (category
      ? deadlinesFrom(category, deps.clock.now(), clockFor(category, deps.district.config)).handleBy
      : undefined);
  return {
    case: c,
    replayed,
    mapping,
    ...(lead !== undefined && { lead }),
    ...(handleBy !== undefined && { handleBy }),
    deadlineEstimated: !c.deadlines,
  };
};
