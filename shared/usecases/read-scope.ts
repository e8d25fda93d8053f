import { type Action, type Scope, scopeOf } from '../domain/authorization';
import type { Actor, CaseStatus } from '../domain/case';
import { ForbiddenActionError } from '../domain/errors';
import type { CaseListQuery, EvaluationScope } from '../ports';

/**
 * How far an actor reads: every case and figure (the command centre), their zone's (an area
 * chief), their department's (department staff), or only the reports they submitted. One rule,
 * asked through the matrix, for the case list, the case exports (inline and as jobs) and the
 * evaluation's figures.
 */
type Reach = 'everything' | 'zone' | 'department' | 'own-reports';

const reachOf = (scope: Scope): Reach => {
  switch (scope) {
    case 'all':
    case 'any':
      return 'everything';
    case 'zone':
      return 'zone';
    case 'department':
    case 'responsible':
    case 'assigned':
      return 'department';
    case 'own':
      return 'own-reports';
  }
};

/** The zone or department the actor's token carries; a scope that needs one refuses without it. */
const ownOf = (actor: Actor, field: 'zone' | 'department', action: Action): string => {
  const own = actor[field];
  if (!own) throw new ForbiddenActionError(action, `the token carries no ${field}`);
  return own;
};

/** The filters a caller asks a case list or export for, before their scope is built in. */
export interface CaseFilters {
  status?: CaseStatus;
  department?: string;
  zone?: string;
  overdue?: boolean;
  possibleDuplicate?: boolean;
  changedSince?: string;
  cursor?: string;
  limit?: number;
}

/**
 * The list query with the actor's scope built in, so the index itself only holds what they may
 * see. Asking for another zone or department than one's own is refused, not silently narrowed.
 */
export const scopedListQuery = (
  actor: Actor,
  filters: CaseFilters,
  now: string,
  /** `export` for the case exports: the same filters, their own grant. */
  action: 'list' | 'export' = 'list',
): CaseListQuery => {
  const scope = scopeOf(actor, action);
  if (!scope) throw new ForbiddenActionError(action, `the ${actor.role} role may not ${action} cases`);
  const refuse = (field: 'zone' | 'department') => {
    if (filters[field] !== undefined && filters[field] !== actor[field]) {
      throw new ForbiddenActionError(
        action,
        `${field} ${filters[field]} is outside the ${actor.role}'s scope`,
      );
    }
    return ownOf(actor, field, action);
  };
  const base: CaseListQuery = {
    ...(filters.status && { status: filters.status }),
    ...(filters.department && { department: filters.department }),
    ...(filters.zone && { zone: filters.zone }),
    ...(filters.overdue !== undefined && { overdue: filters.overdue }),
    ...(filters.possibleDuplicate && { possibleDuplicate: true }),
    ...(filters.changedSince && { changedSince: filters.changedSince }),
    ...(filters.cursor && { cursor: filters.cursor }),
    limit: filters.limit ?? 20,
    now,
  };
  switch (reachOf(scope)) {
    case 'everything':
      return base;
    case 'zone':
      return { ...base, zone: refuse('zone') };
    case 'department':
      return { ...base, department: refuse('department') };
    case 'own-reports':
      return { ...base, submittedBy: actor.subject };
  }
};

/**
 * The evaluation's buckets the actor may read: all of them, their zone's or their department's.
 * Figures have no owner, so a grant to one's own reports reads none.
 */
export const evaluationScopeOf = (actor: Actor): EvaluationScope => {
  const scope = scopeOf(actor, 'evaluation');
  if (!scope)
    throw new ForbiddenActionError('evaluation', `the ${actor.role} role may not read the evaluation`);
  switch (reachOf(scope)) {
    case 'everything':
      return {};
    case 'zone':
      return { zone: ownOf(actor, 'zone', 'evaluation') };
    case 'department':
      return { department: ownOf(actor, 'department', 'evaluation') };
    case 'own-reports':
      throw new ForbiddenActionError('evaluation', 'figures have no owner');
  }
};
