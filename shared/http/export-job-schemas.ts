import { CASE_STATUSES } from '../domain/case';
import * as z from '../validation/zod';
import { lazySchema } from './lazy-schema';

/** The case list's filters (GET /v1/cases), as JSON: the same fields, booleans as booleans. */
export const ExportFiltersBody = /* @__PURE__ */ lazySchema(() =>
  z.strictObject({
    status: z.optional(z.enum(CASE_STATUSES)),
    department: z.optional(z.string().check(z.minLength(1), z.maxLength(60))),
    zone: z.optional(z.string().check(z.minLength(1), z.maxLength(60))),
    overdue: z.optional(z.boolean()),
    possibleDuplicate: z.optional(z.literal(true)),
  }),
);

/** POST /v1/exports: the case list (CSV or XLSX, with the list's filters) or the monthly evaluation workbook. */
export const ExportJobBody = /* @__PURE__ */ lazySchema(() =>
  z.discriminatedUnion('kind', [
    z.strictObject({
      kind: z.literal('cases'),
      format: z.enum(['csv', 'xlsx']),
      filters: z.optional(ExportFiltersBody()),
    }),
    z.strictObject({
      kind: z.literal('evaluation'),
      // A workbook of a month in this century: a job is stored and named by it (year 0 broke the name).
      month: z
        .string()
        .check(z.regex(/^20\d{2}-(0[1-9]|1[0-2])$/, 'a month YYYY-MM from 2000-01 to 2099-12')),
    }),
  ]),
);

export const ExportJobId = /* @__PURE__ */ lazySchema(() =>
  z.string().check(z.regex(/^X[A-Za-z0-9_-]{20,30}$/, 'an export job id as returned by POST /v1/exports')),
);
