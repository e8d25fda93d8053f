import type { Category } from '../district/schema';
import type { Case, Deadlines } from './case';

const addMinutes = (iso: string, minutes: number) =>
  new Date(Date.parse(iso) + minutes * 60_000).toISOString();

/** Deadlines start when a case is dispatched (the standard's clock), from the category's table. */
export const deadlinesFrom = (category: Category, dispatchedAt: string): Deadlines => ({
  acceptBy: addMinutes(dispatchedAt, category.deadlines.acceptMinutes),
  handleBy: addMinutes(dispatchedAt, category.deadlines.handleMinutes),
});

/** After a rework the department gets a fresh handling period; acceptance is already done. */
export const reworkDeadlines = (category: Category, current: Deadlines, now: string): Deadlines => ({
  acceptBy: current.acceptBy,
  handleBy: addMinutes(now, category.deadlines.handleMinutes),
});

/**
 * The deadline that currently runs, if any: acceptance while dispatched (the district schema keeps
 * it no later than the handling deadline), handling while accepted.
 */
export const nextDue = (c: Pick<Case, 'status' | 'deadlines'>): string | undefined => {
  if (!c.deadlines) return undefined;
  if (c.status === 'dispatched') return c.deadlines.acceptBy;
  if (c.status === 'accepted') return c.deadlines.handleBy;
  return undefined;
};

export const isOverdue = (c: Pick<Case, 'status' | 'deadlines'>, now: string): boolean => {
  const due = nextDue(c);
  // Compare instants, not strings: `now` may come with another offset or precision.
  return due !== undefined && Date.parse(due) < Date.parse(now);
};
