import type { Actor, CaseStatus } from './case';
import { EXPORTS_PREFIX } from './case-export';

/**
 * An export as a job (POST /v1/exports): the case list with the list's filters as CSV or XLSX, or
 * the monthly evaluation workbook, built by the export worker in steps and handed out as a
 * short-lived link once done. The job is the requester's: nobody else sees it.
 */

export const EXPORT_JOB_STATUSES = ['queued', 'running', 'done', 'failed'] as const;
export type ExportJobStatus = (typeof EXPORT_JOB_STATUSES)[number];

/** `reading`: pages of cases become row chunks; `writing`: the chunks become the file. */
export type ExportJobPhase = 'reading' | 'writing';

export type ExportFormat = 'csv' | 'xlsx';

/** The case list's filters as the requester gave them (the scope is added to `query`). */
export interface ExportFilters {
  status?: CaseStatus;
  department?: string;
  zone?: string;
  overdue?: boolean;
  possibleDuplicate?: true;
}

/** The scoped list query the worker pages through (shared/ports CaseListQuery without paging). */
export interface ExportCaseQuery {
  status?: CaseStatus;
  department?: string;
  zone?: string;
  overdue?: boolean;
  possibleDuplicate?: boolean;
  submittedBy?: string;
  now: string;
}

export type ExportRequest =
  | { kind: 'cases'; format: ExportFormat; filters: ExportFilters }
  | { kind: 'evaluation'; month: string };

/** Why a job failed, in words for the requester, with a rule a client can test. */
export interface ExportFailure {
  rule: 'too_many_rows' | 'worker_failed';
  reason: string;
  at: string;
}

export interface ExportJob {
  id: string;
  kind: ExportRequest['kind'];
  format: ExportFormat;
  /** `cases`: the filters as asked; `evaluation`: the month. */
  filters?: ExportFilters;
  month?: string;
  /** The requester's subject: the only one who may read the job. */
  owner: string;
  /**
   * The requester as their token said when they asked: the worker masks personal data per this
   * reader (shared/domain/personal-data.ts), exactly as the API would have for them.
   */
  reader: Actor;
  /** `cases`: the list query with the requester's scope built in, fixed when the job was made. */
  query?: ExportCaseQuery;
  /** `evaluation`: the evaluation scope (zone or department) of the requester. */
  scope?: { zone?: string; department?: string };
  status: ExportJobStatus;
  phase: ExportJobPhase;
  createdAt: string;
  updatedAt: string;
  finishedAt?: string;
  /** Rows read into chunks so far. */
  rows: number;
  /** Chunks written so far: step n writes chunk n, and only the step that advances the job counts. */
  step: number;
  /** Where the next page starts (the case list's opaque cursor); absent before the first read and at the end. */
  cursor?: string;
  /**
   * The chunk objects of the steps that advanced the job, in order. A chunk's key carries a tag of
   * the delivery that wrote it: two deliveries of one step may read a different number of rows,
   * and only the chunk of the one that advanced the job may be composed into the file.
   */
  chunks?: string[];
  filename: string;
  /** The file's key in the exports bucket: one per job, so a retried step can only overwrite it. */
  objectKey: string;
  /** Bytes of the finished file. */
  size?: number;
  failure?: ExportFailure;
  /** sha256 of the canonical request, to tell a retry (same key, same request) from a reused key. */
  requestHash: string;
}

/** What the requester sees of a job: no cursor, no query, no reader. */
export interface ExportJobView {
  id: string;
  kind: ExportJob['kind'];
  format: ExportFormat;
  status: ExportJobStatus;
  phase: ExportJobPhase;
  filters?: ExportFilters;
  month?: string;
  createdAt: string;
  updatedAt: string;
  finishedAt?: string;
  rows: number;
  /**
   * 0 to 1: how far the job is. The total is not known while reading (counting the rows would cost
   * as much as reading them), so reading advances towards 0.9 as rows arrive and writing is the rest.
   */
  progress: number;
  filename: string;
  size?: number;
  failure?: Omit<ExportFailure, 'at'>;
  /** Once done: a presigned GET link and when it stops working. */
  download?: { url: string; expiresAt: string };
}

/** A job holds at most this many rows: the file is composed in the worker's memory (about 400 bytes a row as CSV). */
export const MAX_JOB_ROWS = 250_000;

/**
 * Deliveries of one job message before it is parked: the work queues' maxReceiveCount
 * (infra/stack/queues.ts MAX_RECEIVE_COUNT, checked equal by the export jobs' test). The worker
 * fails the job with the error's reason on the last one, so a job never stays "running" silently.
 */
export const EXPORT_MAX_DELIVERIES = 5;

/** Job items (and their files, by the bucket's lifecycle) are kept this long. */
export const JOB_RETENTION_SECONDS = 2 * 86_400;

export const jobPrefix = (id: string) => `${EXPORTS_PREFIX}jobs/${id}/`;

/** Step n's rows, already masked for the reader (JSON arrays of cells); `tag` names the delivery that wrote it. */
export const chunkKey = (id: string, step: number, tag: string) =>
  `${jobPrefix(id)}chunks/${String(step).padStart(5, '0')}-${tag}.json`;

export const filenameOf = (request: ExportRequest, districtId: string, createdAt: string): string =>
  request.kind === 'evaluation'
    ? `evaluation-${districtId}-${request.month}.xlsx`
    : `cases-${createdAt.slice(0, 10)}.${request.format}`;

/**
 * Reading is most of a job's time, and rows arrive at a steady rate without a known total: the
 * progress approaches 0.9 as rows come in (half-way at `halfAt` rows), the last tenth is writing.
 */
export const progressOf = (job: Pick<ExportJob, 'status' | 'phase' | 'rows'>, halfAt = 10_000): number => {
  if (job.status === 'done') return 1;
  if (job.status === 'queued') return 0;
  const reading = 0.9 * (job.rows / (job.rows + halfAt));
  return Number((job.phase === 'writing' ? 0.9 : reading).toFixed(3));
};

export const viewOf = (job: ExportJob, download?: ExportJobView['download']): ExportJobView => ({
  id: job.id,
  kind: job.kind,
  format: job.format,
  status: job.status,
  phase: job.phase,
  ...(job.filters && { filters: job.filters }),
  ...(job.month && { month: job.month }),
  createdAt: job.createdAt,
  updatedAt: job.updatedAt,
  ...(job.finishedAt && { finishedAt: job.finishedAt }),
  rows: job.rows,
  progress: progressOf(job),
  filename: job.filename,
  ...(job.size !== undefined && { size: job.size }),
  ...(job.failure && { failure: { rule: job.failure.rule, reason: job.failure.reason } }),
  ...(download && { download }),
});
