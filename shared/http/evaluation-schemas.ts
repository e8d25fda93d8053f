import * as z from 'zod';
import { CASE_STATUSES } from '../domain/case';
import { GROUP_BY } from '../usecases/metrics';
import { lazySchema } from './lazy-schema';

/** A district day, YYYY-MM-DD (the district's own calendar date). */
const Day = lazySchema(() =>
  z
    .string()
    .regex(/^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, 'a date YYYY-MM-DD')
    .refine((day) => {
      // Date.parse rolls 2026-11-31 over to December: compare the round trip instead.
      const parsed = new Date(`${day}T00:00:00Z`);
      return !Number.isNaN(parsed.getTime()) && parsed.toISOString().slice(0, 10) === day;
    }, 'a real calendar date'),
);

/** A period of at most 366 days, `from` not after `to`. */
const period = <T extends { from: string; to: string }>(query: T, ctx: z.core.$RefinementCtx) => {
  if (query.from > query.to) ctx.addIssue({ code: 'custom', path: ['to'], message: 'not before from' });
  const days = (Date.parse(query.to) - Date.parse(query.from)) / 86_400_000;
  if (days > 366) ctx.addIssue({ code: 'custom', path: ['to'], message: 'at most 366 days after from' });
};

export const MetricsQuery = lazySchema(() =>
  z.strictObject({ from: Day(), to: Day(), groupBy: z.enum(GROUP_BY).optional() }).superRefine(period),
);

export const HotspotsQuery = lazySchema(() =>
  z
    .strictObject({
      from: Day(),
      to: Day(),
      limit: z
        .string()
        .regex(/^[0-9]{1,3}$/, 'an integer from 1 to 100')
        .transform(Number)
        .pipe(z.number().int().min(1).max(100))
        .optional(),
    })
    .superRefine(period),
);

/** The case list's filters (GET /v1/cases), without paging: an export takes every page. */
export const ExportQuery = lazySchema(() =>
  z.strictObject({
    status: z.enum(CASE_STATUSES).optional(),
    department: z.string().min(1).max(60).optional(),
    zone: z.string().min(1).max(60).optional(),
    overdue: z.enum(['true', 'false']).optional(),
    possibleDuplicate: z.literal('true').optional(),
  }),
);

export const EvaluationQuery = lazySchema(() =>
  z.strictObject({
    month: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'a month YYYY-MM'),
  }),
);
