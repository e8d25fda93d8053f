import { CASE_STATUSES } from '../domain/case';
import { GROUP_BY } from '../usecases/evaluation';
import * as z from '../validation/zod';
import { lazySchema } from './lazy-schema';

/** A district day, YYYY-MM-DD (the district's own calendar date). */
const Day = /* @__PURE__ */ lazySchema(() =>
  z.string().check(
    z.regex(/^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, 'a date YYYY-MM-DD'),
    z.refine((day) => {
      // Date.parse rolls 2026-11-31 over to December: compare the round trip instead.
      const parsed = new Date(`${day}T00:00:00Z`);
      return !Number.isNaN(parsed.getTime()) && parsed.toISOString().slice(0, 10) === day;
    }, 'a real calendar date'),
  ),
);

/** A period of at most 366 days, `from` not after `to`. */
const period = <T extends { from: string; to: string }>(query: T, ctx: z.core.$RefinementCtx) => {
  if (query.from > query.to) ctx.addIssue({ code: 'custom', path: ['to'], message: 'not before from' });
  const days = (Date.parse(query.to) - Date.parse(query.from)) / 86_400_000;
  if (days > 366) ctx.addIssue({ code: 'custom', path: ['to'], message: 'at most 366 days after from' });
};

export const FiguresQuery = /* @__PURE__ */ lazySchema(() =>
  z
    .strictObject({ from: Day(), to: Day(), groupBy: z.optional(z.enum(GROUP_BY)) })
    .check(z.superRefine(period)),
);

export const HotspotsQuery = /* @__PURE__ */ lazySchema(() =>
  z
    .strictObject({
      from: Day(),
      to: Day(),
      limit: z.optional(
        z.pipe(
          z.pipe(z.string().check(z.regex(/^[0-9]{1,3}$/, 'an integer from 1 to 100')), z.transform(Number)),
          z.number().check(z.int(), z.gte(1), z.lte(100)),
        ),
      ),
    })
    .check(z.superRefine(period)),
);

/** The case list's filters (GET /v1/cases), without paging: an export takes every page. */
export const ExportQuery = /* @__PURE__ */ lazySchema(() =>
  z.strictObject({
    status: z.optional(z.enum(CASE_STATUSES)),
    department: z.optional(z.string().check(z.minLength(1), z.maxLength(60))),
    zone: z.optional(z.string().check(z.minLength(1), z.maxLength(60))),
    overdue: z.optional(z.enum(['true', 'false'])),
    possibleDuplicate: z.optional(z.literal('true')),
  }),
);

export const EvaluationQuery = /* @__PURE__ */ lazySchema(() =>
  z.strictObject({
    month: z.string().check(z.regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'a month YYYY-MM')),
  }),
);
