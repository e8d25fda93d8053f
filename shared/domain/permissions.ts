import type { Actor, Case } from './case';
import { ForbiddenActionError } from './errors';

/**
 * Who may run each workflow command on a case. The assigned department acts on its own cases,
 * the area chief in their zone, the command centre everywhere. Fuller role × action × scope rules
 * (reads, lists, integrations) build on this table.
 */
export type WorkflowCommand =
  | 'dispatch'
  | 'accept'
  | 'return'
  | 'progress'
  | 'resolve'
  | 'verify'
  | 'close'
  | 'reopen'
  | 'cancel';

type Rule = (actor: Actor, c: Case) => string | undefined;

const isCommandCentre = (actor: Actor) => actor.role === 'command_centre';
const isZoneChief = (actor: Actor, c: Case) =>
  actor.role === 'area_chief' && !!actor.zone && actor.zone === c.zone?.id;

const commandCentreOrZoneChief: Rule = (actor, c) =>
  isCommandCentre(actor) || isZoneChief(actor, c)
    ? undefined
    : 'only the command centre or the area chief of the case zone may do this';

const assignedDepartment =
  (roles: Actor['role'][]): Rule =>
  (actor, c) => {
    if (!roles.includes(actor.role)) return `role ${actor.role} may not do this`;
    if (!c.assignee || actor.department !== c.assignee) return 'only the assigned department may do this';
    return undefined;
  };

const RULES: Record<WorkflowCommand, Rule> = {
  dispatch: commandCentreOrZoneChief,
  accept: assignedDepartment(['department_staff', 'field_worker']),
  return: assignedDepartment(['department_staff']),
  progress: (actor, c) => {
    // Co-operating departments report their part of a joint visit too.
    const onCase =
      !!actor.department && (actor.department === c.assignee || c.cooperating.includes(actor.department));
    if (isCommandCentre(actor) || isZoneChief(actor, c)) return undefined;
    if (!['department_staff', 'field_worker'].includes(actor.role) || !onCase) {
      return 'only the assigned or a co-operating department may report progress';
    }
    return undefined;
  },
  resolve: assignedDepartment(['department_staff', 'field_worker']),
  verify: commandCentreOrZoneChief,
  close: commandCentreOrZoneChief,
  reopen: (actor) =>
    isCommandCentre(actor) ? undefined : 'only the command centre may reopen a closed case',
  cancel: (actor) => (isCommandCentre(actor) ? undefined : 'only the command centre may cancel a case'),
};

export const assertMayRun = (command: WorkflowCommand, actor: Actor, c: Case): void => {
  const refusal = RULES[command](actor, c);
  if (refusal) throw new ForbiddenActionError(command, refusal);
};
