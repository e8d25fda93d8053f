import { describe, expect, it } from 'vitest';
import { authorize, isAllowed } from '../../shared/domain/authorization';
import type { Actor, Case } from '../../shared/domain/case';

/**
 * A patrol officer reports what another department will handle, and adds photos before routing
 * has named any lead: the one who submitted a report may read it and add and see its evidence,
 * nothing more, whatever their role's scope.
 */
const officer: Actor = {
  subject: 'local:field_worker:market-regulation',
  role: 'field_worker',
  department: 'market-regulation',
};
const colleague: Actor = { ...officer, subject: 'local:field_worker:market-regulation:2' };
const reported = {
  zone: undefined,
  lead: undefined,
  assignee: undefined,
  cooperating: [],
  submittedBy: officer,
} as unknown as Case;
const elsewhere = { ...reported, lead: 'fire', assignee: 'fire' } as unknown as Case;

describe('the submitter of a report', () => {
  it('may read it and upload and download its evidence, before and after routing', () => {
    for (const c of [reported, elsewhere]) {
      for (const action of ['read', 'upload', 'download'] as const) {
        expect(isAllowed(officer, action, c)).toBe(true);
        expect(() => authorize(officer, action, c)).not.toThrow();
      }
    }
  });

  it('gets no workflow rights from it, and a colleague gets nothing', () => {
    expect(isAllowed(officer, 'accept', elsewhere)).toBe(false);
    expect(isAllowed(officer, 'progress', elsewhere)).toBe(false);
    expect(isAllowed(colleague, 'read', elsewhere)).toBe(false);
    expect(() => authorize(colleague, 'upload', elsewhere)).toThrow();
  });
});
