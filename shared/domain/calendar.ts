import { minutesOfDay, type WorkingCalendar } from '../district/calendar';

/**
 * Time arithmetic for deadlines: a clock adds minutes to an instant and measures minutes between
 * two instants, either on the wall clock or in the working hours of a district calendar. Pure: the
 * timezone comes from the district, the instants from the caller.
 */
export interface DeadlineClock {
  /** `from` plus `minutes` of this clock's time, as an ISO instant. */
  add(from: string, minutes: number): string;
  /** Minutes of this clock's time from `from` to `to` (0 when `to` is not later). */
  between(from: string, to: string): number;
}

const MINUTE = 60_000;
/** A calendar with no working time for this long is a broken calendar, not a long weekend. */
const MAX_DAYS_SEARCHED = 3 * 366;

export const wallClock: DeadlineClock = {
  add: (from, minutes) => new Date(Date.parse(from) + minutes * MINUTE).toISOString(),
  between: (from, to) => Math.max(0, (Date.parse(to) - Date.parse(from)) / MINUTE),
};

interface LocalDate {
  year: number;
  month: number;
  day: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
const formatterFor = (timeZone: string): Intl.DateTimeFormat => {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
};

/** The wall-clock fields in `timeZone` of an instant, read as if they were UTC (ms). */
const localAsUtc = (instant: number, timeZone: string): number => {
  const parts: Record<string, number> = {};
  for (const part of formatterFor(timeZone).formatToParts(new Date(instant))) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  return Date.UTC(
    parts.year ?? 1970,
    (parts.month ?? 1) - 1,
    parts.day ?? 1,
    parts.hour ?? 0,
    parts.minute ?? 0,
    parts.second ?? 0,
  );
};

const localDateOf = (instant: number, timeZone: string): LocalDate => {
  const local = new Date(localAsUtc(instant, timeZone));
  return { year: local.getUTCFullYear(), month: local.getUTCMonth() + 1, day: local.getUTCDate() };
};

/** The instant at which the wall clock in `timeZone` shows `date` + `minuteOfDay`. */
const instantOf = (date: LocalDate, minuteOfDay: number, timeZone: string): number => {
  const wall = Date.UTC(date.year, date.month - 1, date.day) + minuteOfDay * MINUTE;
  // Guess with the offset at the wall time, then correct once (enough across a DST change).
  let instant = wall - (localAsUtc(wall, timeZone) - wall);
  instant = wall - (localAsUtc(instant, timeZone) - instant);
  return instant;
};

const nextDay = (date: LocalDate): LocalDate => {
  const next = new Date(Date.UTC(date.year, date.month - 1, date.day + 1));
  return { year: next.getUTCFullYear(), month: next.getUTCMonth() + 1, day: next.getUTCDate() };
};

const isoDate = (date: LocalDate): string =>
  `${date.year}-${String(date.month).padStart(2, '0')}-${String(date.day).padStart(2, '0')}`;

/** ISO weekday, 1 = Monday … 7 = Sunday. */
const weekdayOf = (date: LocalDate): number => {
  const day = new Date(Date.UTC(date.year, date.month - 1, date.day)).getUTCDay();
  return day === 0 ? 7 : day;
};

/** A calendar's working time as a stream of [start, end) instants from the day of `from` on. */
const workingPeriods = function* (
  calendar: WorkingCalendar,
  timeZone: string,
  from: number,
): Generator<[number, number]> {
  const holidays = new Set(calendar.holidays);
  const extra = new Set(calendar.extraWorkingDays);
  const days = new Set(calendar.workingDays);
  let date = localDateOf(from, timeZone);
  for (let i = 0; i < MAX_DAYS_SEARCHED; i++, date = nextDay(date)) {
    const iso = isoDate(date);
    const working = extra.has(iso) || (!holidays.has(iso) && days.has(weekdayOf(date)));
    if (!working) continue;
    for (const period of calendar.hours) {
      const start = instantOf(date, minutesOfDay(period.start), timeZone);
      const end = instantOf(date, minutesOfDay(period.end), timeZone);
      if (end > from) yield [Math.max(start, from), end];
    }
  }
  throw new Error(
    `the calendar has no working time within ${MAX_DAYS_SEARCHED} days of ${new Date(from).toISOString()}`,
  );
};

/** A clock that only runs during the calendar's working hours (in the district's timezone). */
export const workingHoursClock = (calendar: WorkingCalendar, timeZone: string): DeadlineClock => ({
  add(fromIso, minutes) {
    const from = Date.parse(fromIso);
    if (minutes <= 0) return new Date(from).toISOString();
    let remaining = minutes * MINUTE;
    for (const [start, end] of workingPeriods(calendar, timeZone, from)) {
      if (remaining <= end - start) return new Date(start + remaining).toISOString();
      remaining -= end - start;
    }
    throw new Error('unreachable');
  },
  between(fromIso, toIso) {
    const from = Date.parse(fromIso);
    const to = Date.parse(toIso);
    if (to <= from) return 0;
    let total = 0;
    for (const [start, end] of workingPeriods(calendar, timeZone, from)) {
      if (start >= to) break;
      total += Math.min(end, to) - start;
    }
    return total / MINUTE;
  },
});
