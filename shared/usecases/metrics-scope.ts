import { scopeOf } from '../domain/authorization';
import type { Actor } from '../domain/case';
import { ForbiddenActionError } from '../domain/errors';
import type { MetricsScope } from '../ports';

/**
 * The buckets the actor may read: all of them for the command centre, their zone's for an area
 * chief, their department's for department staff. Asked through the matrix like every action.
 * Shared by the evaluation's reads and the evaluation workbook's export job.
 */
export const metricsScopeOf = (actor: Actor): MetricsScope => {
  const scope = scopeOf(actor, 'metrics');
  if (!scope) throw new ForbiddenActionError('metrics', `the ${actor.role} role may not read the evaluation`);
  switch (scope) {
    case 'all':
    case 'any':
      return {};
    case 'zone':
      if (!actor.zone) throw new ForbiddenActionError('metrics', 'the token carries no zone');
      return { zone: actor.zone };
    case 'department':
    case 'responsible':
    case 'assigned':
      if (!actor.department) throw new ForbiddenActionError('metrics', 'the token carries no department');
      return { department: actor.department };
    case 'own':
      throw new ForbiddenActionError('metrics', 'figures have no owner');
  }
};
