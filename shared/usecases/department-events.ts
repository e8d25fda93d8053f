import { inScope } from '../domain/authorization';
import type { Actor, Case, Rating } from '../domain/case';
import { ForbiddenActionError } from '../domain/errors';
import type { IntegrationKey } from '../domain/integration-key';
import type { ReportInput } from '../domain/report';
import { recordVerdict } from './record-verdict';
import { type RunCommandDeps, runCaseCommand } from './run-command';
import { type SubmitReportDeps, submitReport } from './submit-report';

/**
 * Department systems (urban management, traffic police…) push events in, signed with their key's
 * signing secret (verified by verifySignedRequest, action `events`): a new report becomes a case; a
 * progress note or a result lands on the timeline of a case assigned to the key's department
 * through the ordinary workflow command, so the hash chain, the version check, the audit and the
 * notifications are the same as for a person's command. A verdict (回访) the department's own
 * callback heard is recorded on a closed case it led or handled, channel `department`.
 */
export type DepartmentEvent =
  | { type: 'report'; eventId: string; report: Omit<ReportInput, 'source' | 'externalRef'> }
  | { type: 'progress'; eventId: string; caseId: string; note: string }
  | { type: 'result'; eventId: string; caseId: string; result: string }
  | { type: 'satisfaction'; eventId: string; caseId: string; rating: Rating; comment?: string };

export interface DepartmentEventResult {
  case: Case;
  replayed: boolean;
}

/** A department system as a workflow actor: an integration acting for its department. */
export const departmentActor = (key: IntegrationKey): Actor => ({
  subject: `key:${key.id}`,
  role: 'integration',
  name: key.name,
  ...(key.department !== undefined && { department: key.department }),
});

/** The timeline entry an event made carries this correlation id: a resent event finds it. */
export const eventCorrelationId = (system: string, eventId: string) => `event:${system}:${eventId}`;

export const applyDepartmentEvent = async (
  deps: SubmitReportDeps & RunCommandDeps,
  request: { key: IntegrationKey; system: string; event: DepartmentEvent; correlationId: string },
): Promise<DepartmentEventResult> => {
  const { key, system, event } = request;
  const actor = departmentActor(key);
  if (event.type === 'report') {
    if (!key.actions.includes('report')) {
      throw new ForbiddenActionError('report', 'this integration key may not report');
    }
    const { case: c, replayed } = await submitReport(deps, {
      input: { ...event.report, source: key.source, externalRef: { system, id: event.eventId } },
      actor,
      correlationId: request.correlationId,
    });
    return { case: c, replayed };
  }
  const correlationId = eventCorrelationId(system, event.eventId);
  // Visible only when assigned to the key's department: any other case is as absent as a missing one.
  const visibleTo = (c: Case) => inScope('department', actor, c);
  const stored = await deps.store.get(event.caseId);
  if (
    stored &&
    visibleTo(stored.case) &&
    stored.case.timeline.some((e) => e.correlationId === correlationId)
  ) {
    return { case: stored.case, replayed: true };
  }
  if (event.type === 'satisfaction') {
    return recordVerdict(deps, {
      caseId: event.caseId,
      rating: event.rating,
      ...(event.comment !== undefined && { comment: event.comment }),
      channel: 'department',
      actor,
      correlationId,
      visibleTo,
    });
  }
  const c = await runCaseCommand(deps, {
    caseId: event.caseId,
    input:
      event.type === 'progress'
        ? { command: 'progress', note: event.note }
        : { command: 'resolve', result: event.result },
    actor,
    correlationId,
    visibleTo,
  });
  return { case: c, replayed: false };
};
