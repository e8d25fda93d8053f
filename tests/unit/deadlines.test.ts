import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadDistrict } from '../../shared/district/load';
import type { Category } from '../../shared/district/schema';
import { CASE_STATUSES, type CaseStatus, type Deadlines } from '../../shared/domain/case';
import { deadlinesFrom, isOverdue, nextDue, reworkDeadlines } from '../../shared/domain/deadlines';
import { indexDistrict } from '../../shared/domain/district-index';

const district = indexDistrict(
  loadDistrict(fileURLToPath(new URL('../../districts/sandun.json', import.meta.url))),
);
const workshop = district.category('event.household-workshop') as Category;

const T0 = '2024-05-01T08:00:00.000Z';
const plus = (iso: string, ms: number) => new Date(Date.parse(iso) + ms).toISOString();
const MIN = 60_000;

const DEADLINES: Deadlines = { acceptBy: plus(T0, 60 * MIN), handleBy: plus(T0, 1440 * MIN) };

describe('deadlinesFrom', () => {
  it('adds the category minutes to the dispatch time', () => {
    // Act
    const deadlines = deadlinesFrom(workshop, T0);

    // Assess
    expect(workshop.deadlines).toEqual({ acceptMinutes: 60, handleMinutes: 1440 });
    expect(deadlines).toEqual({ acceptBy: '2024-05-01T09:00:00.000Z', handleBy: '2024-05-02T08:00:00.000Z' });
  });

  it('accepts an instant with an offset and answers in UTC', () => {
    // Act
    const deadlines = deadlinesFrom(workshop, '2024-05-01T16:00:00+08:00');

    // Assess
    expect(deadlines.acceptBy).toBe('2024-05-01T09:00:00.000Z');
  });

  it.each(district.config.categories.map((c) => [c.code, c] as const))(
    '%s: deadlines follow its minutes, acceptance no later than handling',
    (_code, c) => {
      // Act
      const deadlines = deadlinesFrom(c, T0);

      // Assess
      expect(Date.parse(deadlines.acceptBy) - Date.parse(T0)).toBe(c.deadlines.acceptMinutes * MIN);
      expect(Date.parse(deadlines.handleBy) - Date.parse(T0)).toBe(c.deadlines.handleMinutes * MIN);
      expect(deadlines.acceptBy <= deadlines.handleBy).toBe(true);
    },
  );
});

describe('reworkDeadlines', () => {
  it('keeps the acceptance deadline and starts a fresh handling period from now', () => {
    // Prepare
    const now = '2024-05-03T10:30:00.000Z';

    // Act
    const deadlines = reworkDeadlines(workshop, DEADLINES, now);

    // Assess
    expect(deadlines).toEqual({ acceptBy: DEADLINES.acceptBy, handleBy: '2024-05-04T10:30:00.000Z' });
  });

  it('does not modify the current deadlines', () => {
    // Prepare
    const current = Object.freeze({ ...DEADLINES });

    // Act
    const deadlines = reworkDeadlines(workshop, current, plus(T0, 120 * MIN));

    // Assess
    expect(current).toEqual(DEADLINES);
    expect(deadlines).not.toBe(current);
  });
});

describe('nextDue', () => {
  const expected: Record<CaseStatus, string | undefined> = {
    reported: undefined,
    registered: undefined,
    dispatched: DEADLINES.acceptBy,
    accepted: DEADLINES.handleBy,
    handled: undefined,
    verified: undefined,
    closed: undefined,
    cancelled: undefined,
    merged: undefined,
  };

  it.each(CASE_STATUSES.map((status) => [status, expected[status]] as const))(
    'for a %s case is %s',
    (status, due) => {
      // Act & Assess
      expect(nextDue({ status, deadlines: DEADLINES })).toBe(due);
    },
  );

  it.each(CASE_STATUSES)('is undefined for a %s case without deadlines', (status) => {
    // Act & Assess
    expect(nextDue({ status })).toBeUndefined();
  });
});

describe('isOverdue', () => {
  it.each([
    ['dispatched', DEADLINES.acceptBy],
    ['accepted', DEADLINES.handleBy],
  ] as const)('a %s case: not just before, not at, but just after its deadline', (status, due) => {
    // Prepare
    const c = { status, deadlines: DEADLINES };

    // Act & Assess
    expect(isOverdue(c, plus(due, -1))).toBe(false);
    expect(isOverdue(c, due)).toBe(false);
    expect(isOverdue(c, plus(due, 1))).toBe(true);
    expect(isOverdue(c, plus(due, 3 * 24 * 60 * MIN))).toBe(true);
  });

  it('an accepted case is not overdue for having passed its acceptance deadline', () => {
    // Prepare
    const now = plus(DEADLINES.acceptBy, 30 * MIN);

    // Act & Assess
    expect(isOverdue({ status: 'accepted', deadlines: DEADLINES }, now)).toBe(false);
    expect(isOverdue({ status: 'dispatched', deadlines: DEADLINES }, now)).toBe(true);
  });

  it.each(['reported', 'registered', 'handled', 'verified', 'closed', 'cancelled'] as const)(
    'a %s case is never overdue, even long after its deadlines',
    (status) => {
      // Act & Assess
      expect(isOverdue({ status, deadlines: DEADLINES }, plus(DEADLINES.handleBy, 365 * 24 * 60 * MIN))).toBe(
        false,
      );
    },
  );

  it('a case without deadlines is never overdue', () => {
    // Act & Assess
    expect(isOverdue({ status: 'dispatched' }, '2099-01-01T00:00:00.000Z')).toBe(false);
  });
});
