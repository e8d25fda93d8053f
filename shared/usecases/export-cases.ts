import { authorize } from '../domain/authorization';
import type { Actor } from '../domain/case';
import { EXPORTS_PREFIX } from '../domain/case-export';
import type { DistrictIndex } from '../domain/district-index';
import { ExportTooLargeError } from '../domain/errors';
import type { CaseStore, Clock, ExportStore } from '../ports';
import {
  CSV_TYPE,
  casesCsv,
  casesXlsx,
  collectCases,
  MAX_EXPORT_ROWS,
  MAX_INLINE_ROWS,
  XLSX_TYPE,
} from './exports';
import { type CaseFilters, scopedListQuery } from './read-scope';

/**
 * The API answers within 29 s (API Gateway's limit) and an export must still be built and stored
 * after the read: past this much reading, the caller gets a 413 that says to narrow the filters,
 * not a gateway timeout with no explanation. 50,000 rows read in 31 s on the local dynalite.
 */
export const EXPORT_READ_BUDGET_MS = 18_000;

export interface CaseExportDeps {
  store: CaseStore;
  district: DistrictIndex;
  clock: Clock;
  /** Where exports too big for a reply go (S3); without one, a too-big export is refused with 413. */
  exports?: ExportStore;
  /** Rows answered inline before an export goes through the export store (MAX_INLINE_ROWS). */
  maxInlineRows?: number;
  /** How long an export may spend reading cases (EXPORT_READ_BUDGET_MS). */
  exportReadBudgetMs?: number;
}

export interface ExportFile {
  body: Buffer;
  contentType: string;
  filename: string;
}

/** Small exports go back in the reply; big ones are stored and answered with a short-lived link. */
export type CaseExport =
  | { delivery: 'inline'; file: ExportFile }
  | { delivery: 'link'; rows: number; link: { url: string; expiresAt: string } };

const HOW_TO_GET_IT = 'POST /v1/exports builds it as a job, or narrow the filters';

/**
 * GET /v1/exports/cases.csv|.xlsx: the cases the actor may export under their filters, inline while
 * they fit a reply, else through the export store (413 without one, or beyond MAX_EXPORT_ROWS, or
 * when reading would outlast the API).
 */
export const exportCases = async (
  deps: CaseExportDeps,
  request: { actor: Actor; filters: CaseFilters; format: 'csv' | 'xlsx' },
): Promise<CaseExport> => {
  const { actor, format } = request;
  authorize(actor, 'export');
  const now = deps.clock.now();
  const query = scopedListQuery(actor, request.filters, now, 'export');
  const maxInline = deps.maxInlineRows ?? MAX_INLINE_ROWS;
  const limit = deps.exports ? MAX_EXPORT_ROWS : maxInline + 1;
  const budget = deps.exportReadBudgetMs ?? EXPORT_READ_BUDGET_MS;
  const { cases, truncated, outOfTime } = await collectCases(
    deps.store,
    query,
    limit,
    performance.now() + budget,
  );
  if (outOfTime) {
    throw new ExportTooLargeError(
      'read_time',
      `more rows than one request reads in ${budget / 1000} s (${cases.length} read): ${HOW_TO_GET_IT} (status, department, zone)`,
    );
  }
  if (truncated && deps.exports) {
    throw new ExportTooLargeError(
      'max_rows',
      `more than ${MAX_EXPORT_ROWS} rows in one request: ${HOW_TO_GET_IT}`,
    );
  }
  const rows = truncated ? cases.length + 1 : cases.length;
  const filename = `cases-${now.slice(0, 10)}.${format}`;
  const file: ExportFile =
    format === 'csv'
      ? { body: casesCsv(cases, deps.district, actor, now), contentType: CSV_TYPE, filename }
      : { body: await casesXlsx(cases, deps.district, actor, now), contentType: XLSX_TYPE, filename };
  if (rows <= maxInline) return { delivery: 'inline', file };
  if (!deps.exports) {
    throw new ExportTooLargeError(
      'max_rows',
      `${rows} rows is more than ${maxInline} in one reply: ${HOW_TO_GET_IT} (status, department, zone)`,
    );
  }
  const key = `${EXPORTS_PREFIX}${now.slice(0, 10)}/${crypto.randomUUID()}/${filename}`;
  return { delivery: 'link', rows, link: await deps.exports.put(key, file.body, file.contentType) };
};
