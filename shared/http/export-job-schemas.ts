import * as z from 'zod';
import { CASE_STATUSES } from '../domain/case';
import { lazySchema } from './lazy-schema';

/** The case list's filters (GET /v1/cases), as JSON: the same fields, booleans as booleans. */
export const ExportFiltersBody = lazySchema(() =>
  z.strictObject({
    status: z.enum(CASE_STATUSES).optional(),
    department: z.string().min(1).max(60).optional(),
    zone: z.string().min(1).max(60).optional(),
    overdue: z.boolean().optional(),
    possibleDuplicate: z.literal(true).optional(),
  }),
);

/** POST /v1/exports: the case list (CSV or XLSX, with the list's filters) or the monthly evaluation workbook. */
export const ExportJobBody = lazySchema(() =>
  z.discriminatedUnion('kind', [
    z.strictObject({
      kind: z.literal('cases'),
      format: z.enum(['csv', 'xlsx']),
      filters: ExportFiltersBody().optional(),
    }),
    z.strictObject({
      kind: z.literal('evaluation'),
      // A workbook of a month in this century: a job is stored and named by it (year 0 broke the name).
      month: z.string().regex(/^20\d{2}-(0[1-9]|1[0-2])$/, 'a month YYYY-MM from 2000-01 to 2099-12'),
    }),
  ]),
);

export const ExportJobId = lazySchema(() =>
  z.string().regex(/^X[A-Za-z0-9_-]{20,30}$/, 'an export job id as returned by POST /v1/exports'),
);
