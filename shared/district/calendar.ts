import * as z from '../validation/zod';

/**
 * A district's working calendar (工作日历): which days and hours count for categories whose
 * deadlines run in working hours, in the district's timezone. Holidays and the weekend days
 * worked instead (调休) are listed per year as the State Council announces them.
 */

const LOCAL_TIME = /^([01][0-9]|2[0-3]):([0-5][0-9])$/;
const LOCAL_DATE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$/;

export const minutesOfDay = (time: string): number => {
  const [hours, minutes] = time.split(':').map(Number);
  return (hours ?? 0) * 60 + (minutes ?? 0);
};

/** Built on first use with the district schema (see `districtSchemas`), not at every cold start. */
const buildWorkingCalendar = () => {
  const localTime = z.string().check(z.regex(LOCAL_TIME, 'a local time HH:MM (24-hour)'));
  const localDate = z.string().check(
    z.regex(LOCAL_DATE, 'a local date YYYY-MM-DD'),
    z.refine((value) => new Date(`${value}T00:00:00Z`).toISOString().startsWith(value), 'not a real date'),
  );
  return z
    .object({
      /** ISO weekdays that are working days: 1 = Monday … 7 = Sunday. */
      workingDays: z
        .array(z.number().check(z.int(), z.gte(1), z.lte(7)))
        .check(z.minLength(1), z.maxLength(7)),
      /** Working periods of a working day, in order, e.g. 08:30–12:00 and 13:30–17:30. */
      hours: z.array(z.object({ start: localTime, end: localTime })).check(z.minLength(1), z.maxLength(6)),
      /** Days off that would otherwise be working days (法定节假日). */
      holidays: z._default(z.array(localDate).check(z.maxLength(400)), []),
      /** Days worked that would otherwise be days off (调休上班). */
      extraWorkingDays: z._default(z.array(localDate).check(z.maxLength(100)), []),
    })
    .check(
      z.superRefine((calendar, ctx) => {
        const seenDays = new Set<number>();
        calendar.workingDays.forEach((day, i) => {
          if (seenDays.has(day))
            ctx.addIssue({ code: 'custom', path: ['workingDays', i], message: `duplicate ${day}` });
          seenDays.add(day);
        });
        calendar.hours.forEach((period, i) => {
          if (minutesOfDay(period.end) <= minutesOfDay(period.start)) {
            ctx.addIssue({
              code: 'custom',
              path: ['hours', i, 'end'],
              message: 'a period must end after it starts',
            });
          }
          const previous = calendar.hours[i - 1];
          if (previous && minutesOfDay(period.start) < minutesOfDay(previous.end)) {
            ctx.addIssue({
              code: 'custom',
              path: ['hours', i, 'start'],
              message: 'periods must be in order and must not overlap',
            });
          }
        });
        const holidays = new Set<string>();
        calendar.holidays.forEach((day, i) => {
          if (holidays.has(day))
            ctx.addIssue({ code: 'custom', path: ['holidays', i], message: `duplicate "${day}"` });
          holidays.add(day);
        });
        calendar.extraWorkingDays.forEach((day, i) => {
          if (holidays.has(day)) {
            ctx.addIssue({
              code: 'custom',
              path: ['extraWorkingDays', i],
              message: `"${day}" is also listed as a holiday`,
            });
          }
        });
      }),
    );
};

let built: ReturnType<typeof buildWorkingCalendar> | undefined;
export const workingCalendarSchema = () => (built ??= buildWorkingCalendar());

export type WorkingCalendar = z.infer<ReturnType<typeof workingCalendarSchema>>;

/** Whether `timeZone` is an IANA zone this runtime knows (Intl refuses unknown ones). */
export const isKnownTimeZone = (timeZone: string): boolean => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
};
