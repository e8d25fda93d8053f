import { describe, expect, it } from 'vitest';
import type { Actor } from '../../shared/domain/case';
import { ForbiddenActionError } from '../../shared/domain/errors';
import { caseFiltersOf } from '../../shared/http/schemas';
import { evaluationScopeOf, scopedListQuery } from '../../shared/usecases/read-scope';

/**
 * How far an actor reads, for the case list, the case exports and the evaluation: one rule.
 */
const NOW = '2026-03-02T08:00:00.000Z';
const commandCentre: Actor = { subject: 'local:command_centre', role: 'command_centre' };
const areaChief: Actor = { subject: 'local:area_chief:east', role: 'area_chief', zone: 'east' };
const staff: Actor = {
  subject: 'local:department_staff:sanitation',
  role: 'department_staff',
  department: 'sanitation',
};
const reporter: Actor = { subject: 'citizen:42', role: 'reporter' };

describe('scopedListQuery', () => {
  it('passes the filters through for the command centre, with the default page size', () => {
    // Act
    const query = scopedListQuery(commandCentre, { zone: 'west', overdue: false }, NOW);

    // Assess
    expect(query).toEqual({ zone: 'west', overdue: false, limit: 20, now: NOW });
  });

  it("narrows an area chief to their zone and a department's staff to their department", () => {
    // Act + Assess
    expect(scopedListQuery(areaChief, {}, NOW).zone).toBe('east');
    expect(scopedListQuery(staff, { status: 'dispatched' }, NOW)).toMatchObject({
      status: 'dispatched',
      department: 'sanitation',
    });
  });

  it('gives a reporter their own reports', () => {
    // Act + Assess
    expect(scopedListQuery(reporter, {}, NOW).submittedBy).toBe('citizen:42');
  });

  it('refuses another zone than the token carries, and a zone scope without a zone', () => {
    // Act + Assess
    expect(() => scopedListQuery(areaChief, { zone: 'west' }, NOW)).toThrow(
      new ForbiddenActionError('list', "zone west is outside the area_chief's scope"),
    );
    expect(() => scopedListQuery({ ...areaChief, zone: undefined }, {}, NOW, 'export')).toThrow(
      new ForbiddenActionError('export', 'the token carries no zone'),
    );
  });
});

describe('evaluationScopeOf', () => {
  it('reads every bucket, a zone or a department as the list does', () => {
    // Act + Assess
    expect(evaluationScopeOf(commandCentre)).toEqual({});
    expect(evaluationScopeOf(areaChief)).toEqual({ zone: 'east' });
    expect(evaluationScopeOf(staff)).toEqual({ department: 'sanitation' });
  });

  it('refuses a role without the grant', () => {
    // Act + Assess
    expect(() => evaluationScopeOf(reporter)).toThrow(ForbiddenActionError);
  });
});

describe('caseFiltersOf', () => {
  it("turns a query string's flags into booleans, 'false' included, and leaves absent ones out", () => {
    // Act + Assess
    expect(caseFiltersOf({ overdue: 'false', possibleDuplicate: 'true', zone: 'east' })).toEqual({
      zone: 'east',
      overdue: false,
      possibleDuplicate: true,
    });
    const unflagged: { status: 'reported'; overdue?: 'true' | 'false' } = { status: 'reported' };
    expect(caseFiltersOf(unflagged)).toEqual({ status: 'reported' });
  });
});
