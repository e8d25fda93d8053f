import type { Category, DistrictConfig } from '../district/schema';
import { type DeadlineClock, wallClock, workingHoursClock } from './calendar';
import type { Case, DeadlineKind, Deadlines } from './case';

/**
 * The clock a category's deadlines run on: working hours of the district calendar when the
 * category says so (the schema refuses `workingHours` without a calendar), else the wall clock.
 */
export const clockFor = (
  category: Pick<Category, 'workingHours'> | undefined,
  district: Pick<DistrictConfig, 'calendar' | 'timezone'>,
): DeadlineClock =>
  category?.workingHours && district.calendar
    ? workingHoursClock(district.calendar, district.timezone)
    : wallClock;

/** The clock deadlines that were already set run on (what they were set with, not today's category). */
export const clockOfDeadlines = (
  deadlines: Pick<Deadlines, 'workingHours'> | undefined,
  district: Pick<DistrictConfig, 'calendar' | 'timezone'>,
): DeadlineClock => clockFor({ workingHours: deadlines?.workingHours ?? false }, district);

/**
 * Deadlines start when a case is dispatched (the standard's clock), from the category's table.
 * `schedule` is the case version that sets them (it names the case's timer).
 */
export const deadlinesFrom = (
  category: Category,
  dispatchedAt: string,
  clock: DeadlineClock = wallClock,
  schedule?: number,
): Deadlines => ({
  acceptBy: clock.add(dispatchedAt, category.deadlines.acceptMinutes),
  handleBy: clock.add(dispatchedAt, category.deadlines.handleMinutes),
  ...(category.workingHours && { workingHours: true }),
  ...(schedule !== undefined && { schedule }),
});

/** After a rework the department gets a fresh handling period; acceptance is already done. */
export const reworkDeadlines = (
  category: Category,
  current: Deadlines,
  now: string,
  clock: DeadlineClock = wallClock,
  schedule?: number,
): Deadlines => ({
  ...current,
  acceptBy: current.acceptBy,
  handleBy: clock.add(now, category.deadlines.handleMinutes),
  ...(schedule !== undefined && { schedule }),
});

/** The deadline that runs now, if any: acceptance while dispatched, handling while accepted; none on hold. */
export const runningDeadline = (
  c: Pick<Case, 'status' | 'deadlines' | 'hold'>,
): { kind: DeadlineKind; at: string } | undefined => {
  if (!c.deadlines || c.hold) return undefined;
  if (c.status === 'dispatched') return { kind: 'accept', at: c.deadlines.acceptBy };
  if (c.status === 'accepted') return { kind: 'handle', at: c.deadlines.handleBy };
  return undefined;
};

/**
 * The deadline that currently runs, if any: acceptance while dispatched (the district schema keeps
 * it no later than the handling deadline), handling while accepted. A case on hold has none.
 */
export const nextDue = (
  c: Pick<Case, 'status' | 'deadlines'> & Partial<Pick<Case, 'hold'>>,
): string | undefined => runningDeadline({ status: c.status, deadlines: c.deadlines, hold: c.hold })?.at;

export const isOverdue = (
  c: Pick<Case, 'status' | 'deadlines'> & Partial<Pick<Case, 'hold'>>,
  now: string,
): boolean => {
  const due = nextDue(c);
  // Compare instants, not strings: `now` may come with another offset or precision.
  return due !== undefined && Date.parse(due) < Date.parse(now);
};
