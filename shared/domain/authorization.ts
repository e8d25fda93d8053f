import type { Actor, Case, Role } from './case';
import { ForbiddenActionError } from './errors';

/**
 * Who may see and do what: one table of role × action → scope that every handler consults.
 *
 * A scope says which cases a grant covers:
 * - `all`: every case of the district;
 * - `zone`: cases in the actor's grid zone (an area chief's 区域);
 * - `department`: cases where the actor's department leads, is assigned, or co-operates;
 * - `responsible`: cases the actor's department leads or is assigned (its desk: what it lists);
 * - `assigned`: cases currently dispatched to the actor's department;
 * - `own`: reports the actor submitted;
 * - `any`: an action on no particular case (reporting, configuration).
 * An action missing from a role's row is refused.
 */
export const ACTIONS = [
  'report',
  'read',
  'list',
  'audit',
  'dispatch',
  'accept',
  'return',
  'progress',
  'resolve',
  'verify',
  'close',
  'reopen',
  'cancel',
  'merge',
  'escalate',
  'hold',
  'resume',
  'upload',
  'download',
  'config',
  'manage_keys',
  // Webhook subscriptions of department systems and the hotline platform (administrators).
  'manage_subscriptions',
  // Joint visits (综合查一次), checked against the visit: its lead and assignee are the joint team,
  // the covered cases' departments co-operate. `visit` sees it, `handle_visit` accepts and resolves it.
  'visit',
  'handle_visit',
  'confirm_visit',
  // The premises history (一户一档): summaries of every case and visit at one place, no personal data.
  'premises',
  // Evaluation (分析研判): the figures and hotspots of the cases in scope, and the case exports
  // (`zone`: the buckets or cases of the actor's zone; `responsible`: those of the actor's department).
  'evaluation',
  'export',
  // The camera registry (视频监控): `cameras` lists it (by zone), `manage_cameras` changes it. The
  // cameras near a case are shown to whoever may `read` the case.
  'cameras',
  'manage_cameras',
  // 回访: the reporter's verdict on a closed case, given by the reporter (`own`) or recorded on their
  // behalf by whoever called them back (the command centre's hotline desk; a department system).
  'satisfaction',
] as const;
export type Action = (typeof ACTIONS)[number];

export type Scope = 'all' | 'zone' | 'department' | 'responsible' | 'assigned' | 'own' | 'any';

type Grants = Partial<Record<Action, Scope>>;

const fieldWork: Grants = {
  report: 'any',
  read: 'department',
  // Lists come from the department index (lead or assignee); co-operating cases are read by id.
  list: 'responsible',
  accept: 'assigned',
  progress: 'department',
  resolve: 'assigned',
  // Evidence comes from the departments that lead or handle the case; co-operating ones see it.
  upload: 'responsible',
  download: 'department',
  visit: 'department',
  handle_visit: 'assigned',
  premises: 'all',
};

export const AUTHORIZATION_MATRIX: Record<Role, Grants> = {
  reporter: {
    report: 'any',
    read: 'own',
    list: 'own',
    upload: 'own',
    download: 'own',
    satisfaction: 'own',
  },
  field_worker: fieldWork,
  department_staff: {
    ...fieldWork,
    return: 'assigned',
    escalate: 'department',
    // 挂起: the assigned department suspends its deadlines while it waits, e.g. for the reporter.
    hold: 'assigned',
    resume: 'assigned',
    evaluation: 'responsible',
    export: 'responsible',
  },
  area_chief: {
    report: 'any',
    read: 'zone',
    list: 'zone',
    audit: 'zone',
    dispatch: 'zone',
    progress: 'zone',
    verify: 'zone',
    close: 'zone',
    merge: 'zone',
    escalate: 'zone',
    hold: 'zone',
    resume: 'zone',
    upload: 'zone',
    download: 'zone',
    visit: 'zone',
    premises: 'all',
    evaluation: 'zone',
    export: 'zone',
    cameras: 'zone',
  },
  command_centre: {
    report: 'any',
    read: 'all',
    list: 'all',
    audit: 'all',
    dispatch: 'all',
    progress: 'all',
    verify: 'all',
    close: 'all',
    reopen: 'all',
    cancel: 'all',
    merge: 'all',
    escalate: 'all',
    hold: 'all',
    resume: 'all',
    upload: 'all',
    download: 'all',
    visit: 'all',
    handle_visit: 'all',
    confirm_visit: 'all',
    premises: 'all',
    evaluation: 'all',
    export: 'all',
    cameras: 'all',
    satisfaction: 'all',
  },
  // Administrators run the platform (district configuration, integration keys); they do not read cases.
  admin: {
    config: 'any',
    manage_keys: 'any',
    manage_subscriptions: 'any',
    cameras: 'all',
    manage_cameras: 'any',
  },
};

/**
 * Machine clients (integration keys, role `integration`) are no token role: no user can claim them.
 * They report; a department system (a key with `events`, acting for its department) also adds
 * progress notes and results to the cases assigned to that department, and the reporter's verdict
 * when it called them back on a case it led or handled. Each key narrows this further to its own
 * actions and source.
 */
export const INTEGRATION_GRANTS: Grants = {
  report: 'any',
  progress: 'assigned',
  resolve: 'assigned',
  satisfaction: 'responsible',
};

export const scopeOf = (actor: Actor, action: Action): Scope | undefined =>
  actor.role === 'system'
    ? undefined
    : actor.role === 'integration'
      ? INTEGRATION_GRANTS[action]
      : AUTHORIZATION_MATRIX[actor.role][action];

type CaseFacts = Pick<Case, 'zone' | 'lead' | 'assignee' | 'cooperating' | 'submittedBy'> &
  Partial<Pick<Case, 'linkedReports'>>;

/** Whether a scope covers this case for this actor. */
export const inScope = (scope: Scope, actor: Actor, c: CaseFacts): boolean => {
  switch (scope) {
    case 'all':
    case 'any':
      return true;
    case 'zone':
      return !!actor.zone && actor.zone === c.zone?.id;
    case 'department':
      return (
        !!actor.department &&
        (actor.department === c.assignee ||
          actor.department === c.lead ||
          c.cooperating.includes(actor.department))
      );
    case 'responsible':
      return !!actor.department && (actor.department === c.assignee || actor.department === c.lead);
    case 'assigned':
      return !!actor.department && actor.department === c.assignee;
    case 'own':
      return actor.subject === c.submittedBy.subject;
  }
};

/**
 * Whoever submitted a report may follow it and add their photos to it, whatever their role's scope
 * otherwise covers: a patrol officer of one department reporting what another will handle, whose
 * photos are uploaded before routing has even named a lead. Only actions the role has at all.
 */
const SUBMITTER_ACTIONS: readonly Action[] = ['read', 'upload', 'download'];

/** Whether the actor submitted a report that was merged into this case (one event, one case). */
export const submittedMergedReport = (actor: Actor, c: CaseFacts): boolean =>
  c.linkedReports?.some((linked) => linked.submittedBy.subject === actor.subject) ?? false;

/**
 * A citizen whose report was merged into another's case follows that case: its progress and
 * result are the answer to their report too (personal data of the others stays masked, see
 * caseView). Following is reading only.
 */
const submitterMay = (actor: Actor, action: Action, c: CaseFacts): boolean =>
  SUBMITTER_ACTIONS.includes(action) &&
  (actor.subject === c.submittedBy.subject || (action === 'read' && submittedMergedReport(actor, c)));

export const isAllowed = (actor: Actor, action: Action, c?: CaseFacts): boolean => {
  const scope = scopeOf(actor, action);
  if (!scope) return false;
  return c === undefined
    ? scope === 'any' || scope === 'all'
    : inScope(scope, actor, c) || submitterMay(actor, action, c);
};

/** Throws ForbiddenActionError unless the actor may do this (to this case). */
export const authorize = (actor: Actor, action: Action, c?: CaseFacts): void => {
  const scope = scopeOf(actor, action);
  if (!scope) throw new ForbiddenActionError(action, `the ${actor.role} role may not ${action}`);
  if (c !== undefined && !inScope(scope, actor, c) && !submitterMay(actor, action, c)) {
    throw new ForbiddenActionError(action, `this case is outside the ${actor.role}'s ${scope} scope`);
  }
};
