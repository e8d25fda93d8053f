import { CSV_BOM, csvLine, EXPORT_COLUMNS, exportRow } from '../domain/case-export';
import type { DistrictIndex } from '../domain/district-index';
import {
  chunkKey,
  type ExportFailure,
  type ExportJob,
  type ExportJobStatus,
  MAX_JOB_ROWS,
} from '../domain/export-job';
import type {
  CaseStore,
  Clock,
  EvaluationAggregates,
  ExportFiles,
  ExportJobQueue,
  ExportJobStore,
} from '../ports';
import { CSV_TYPE, caseListXlsx, evaluationWorkbook, XLSX_TYPE } from './exports';

/**
 * The export worker: one job at a time, in steps that each leave the job where a retry can pick it
 * up. A reading step turns the next pages of the case list into one chunk object of rows (masked
 * for the requester), then advances the job's cursor with a conditional write; when the list is
 * exhausted a writing step composes the chunks into the file, at the job's one key, with one put.
 *
 * Why chunks and one composing put rather than an S3 multipart upload carried across steps: parts
 * must be ≥ 5 MB except the last, and a step's rows don't line up with that (s3rver doesn't check
 * the rule, so a mistake would only show on AWS); an XLSX is a zip that can't be appended to
 * across processes; and an upload id is state that a lost step would leave dangling. Chunk objects
 * are plain puts, a retried step writes its own chunk and only the step that advances the job has
 * its chunk used, and the final put at a key fixed per job can only ever replace the same file.
 * The composition is bounded: at most MAX_JOB_ROWS rows (≈ 100 MB of CSV) in the worker's memory.
 */

export interface ExportWorkerDeps {
  jobs: ExportJobStore;
  queue: ExportJobQueue;
  files: ExportFiles;
  store: CaseStore;
  aggregates: EvaluationAggregates;
  district: DistrictIndex;
  clock: Clock;
  /** Rows per chunk (one reading step at most). */
  chunkRows?: number;
  /** Cases per page of the list. */
  pageRows?: number;
  /** Unique suffix of a chunk object (tests make it predictable). */
  chunkTag?: () => string;
  /** The most rows a job may hold (MAX_JOB_ROWS; tests lower it). */
  maxRows?: number;
}

/**
 * ≈ 1 MB of JSON per chunk: the job's progress moves every second or two locally (each step saves
 * its row count), a lost step costs that much, and 250,000 rows stay a hundred chunk keys on the job.
 */
export const CHUNK_ROWS = 2_500;
const PAGE_ROWS = 1_000;

/**
 * Measured locally (bench/exports.ts): composing takes about 0.1 ms a row for XLSX, 0.03 for CSV.
 * Doubled for a slower CPU; a writing step starts only with that much time left, else it goes to a
 * fresh invocation with the whole timeout.
 */
const composeMsPerRow = (format: ExportJob['format']) => (format === 'xlsx' ? 0.25 : 0.08);
const COMPOSE_FIXED_MS = 3_000;

/** A job that cannot succeed, whatever the retries: it fails at once with this reason. */
export class ExportJobRefusedError extends Error {
  override readonly name = 'ExportJobRefusedError';
  constructor(readonly failure: Omit<ExportFailure, 'at'>) {
    super(failure.reason);
  }
}

export type StepOutcome =
  /** Nothing to do: no such job, already finished, or another delivery is ahead of this one. */
  | 'noop'
  /** Out of time for this invocation: the job is saved where it stopped and queued again. */
  | 'continued'
  | 'done'
  | 'failed';

/** `deadline`: a performance.now() instant after which no new step starts (the invocation's time, less a margin). */
export const runExportJob = async (
  deps: ExportWorkerDeps,
  jobId: string,
  deadline: number,
): Promise<StepOutcome> => {
  let job = await deps.jobs.get(jobId);
  if (!job || job.status === 'done' || job.status === 'failed') return 'noop';
  try {
    if (job.status === 'queued') {
      const running: ExportJob = { ...job, status: 'running', updatedAt: deps.clock.now() };
      if (!(await deps.jobs.save(running, expectedAt(job)))) return 'noop';
      job = running;
    }
    if (job.kind === 'evaluation') return await writeEvaluation(deps, job);
    // Every invocation takes at least one step, so a job always moves, however short the time.
    let stepped = false;
    while (job.phase === 'reading') {
      if (stepped && performance.now() >= deadline) return await continueLater(deps, job);
      const next = await readStep(deps, job, deadline);
      if (!next) return 'noop';
      job = next;
      stepped = true;
    }
    const left = deadline - performance.now();
    if (stepped && left < COMPOSE_FIXED_MS + job.rows * composeMsPerRow(job.format)) {
      // Composing gets a fresh invocation with the whole timeout rather than the rest of this one.
      return await continueLater(deps, job);
    }
    return await writeStep(deps, job);
  } catch (error) {
    if (!(error instanceof ExportJobRefusedError)) throw error;
    return (await failJob(deps, job, error.failure)) ? 'failed' : 'noop';
  }
};

const expectedAt = (job: ExportJob, statuses: ExportJobStatus[] = [job.status]) => ({
  step: job.step,
  statuses,
});

const continueLater = async (deps: ExportWorkerDeps, job: ExportJob): Promise<StepOutcome> => {
  await deps.queue.enqueue(job.id);
  return 'continued';
};

/** Marks the job failed with its reason; false if it had already moved on (finished by another delivery). */
export const failJob = async (
  deps: Pick<ExportWorkerDeps, 'jobs' | 'clock' | 'files'>,
  job: ExportJob,
  failure: Omit<ExportFailure, 'at'>,
): Promise<boolean> => {
  const now = deps.clock.now();
  const failed: ExportJob = {
    ...job,
    status: 'failed',
    updatedAt: now,
    finishedAt: now,
    failure: { ...failure, at: now },
  };
  delete failed.cursor;
  const saved = await deps.jobs.save(failed, expectedAt(job, ['queued', 'running']));
  if (saved) await removeChunks(deps, job);
  return saved;
};

const chunksOf = (job: ExportJob) => job.chunks ?? [];

/** Chunks are scaffolding: once the file is written or the job failed, they go (the lifecycle rule catches any left). */
const removeChunks = async (deps: Pick<ExportWorkerDeps, 'files'>, job: ExportJob) => {
  if (chunksOf(job).length > 0) await deps.files.remove(chunksOf(job));
};

const newTag = () => crypto.randomUUID().slice(0, 8);

/**
 * One reading step: the next pages from the job's cursor, up to a chunk's rows or the deadline,
 * masked for the requester, written as a chunk object, then the cursor advanced, conditional on the
 * step. Returns the advanced job, or undefined when another delivery advanced it first (this
 * step's chunk is then removed: only the recorded one counts).
 */
const readStep = async (
  deps: ExportWorkerDeps,
  job: ExportJob,
  deadline: number,
): Promise<ExportJob | undefined> => {
  const query = job.query;
  if (!query) throw new ExportJobRefusedError({ rule: 'worker_failed', reason: 'the job has no case query' });
  const chunkRows = deps.chunkRows ?? CHUNK_ROWS;
  const rows: (string | number)[][] = [];
  let cursor = job.cursor;
  do {
    const page = await deps.store.list({
      ...query,
      limit: Math.min(deps.pageRows ?? PAGE_ROWS, chunkRows - rows.length),
      ...(cursor && { cursor }),
    });
    for (const c of page.items) rows.push(exportRow(c, deps.district, job.reader, query.now));
    cursor = page.cursor;
  } while (cursor && rows.length < chunkRows && performance.now() < deadline);
  const maxRows = deps.maxRows ?? MAX_JOB_ROWS;
  if (job.rows + rows.length > maxRows) {
    throw new ExportJobRefusedError({
      rule: 'too_many_rows',
      reason: `more than ${maxRows.toLocaleString('en')} rows: narrow the filters (status, department, zone)`,
    });
  }
  const key = chunkKey(job.id, job.step, (deps.chunkTag ?? newTag)());
  await deps.files.put(key, Buffer.from(JSON.stringify(rows)), 'application/json');
  const next: ExportJob = {
    ...job,
    step: job.step + 1,
    rows: job.rows + rows.length,
    chunks: [...chunksOf(job), key],
    phase: cursor ? 'reading' : 'writing',
    updatedAt: deps.clock.now(),
  };
  if (cursor) next.cursor = cursor;
  else delete next.cursor;
  if (await deps.jobs.save(next, expectedAt(job))) return next;
  await deps.files.remove([key]);
  return undefined;
};

async function* chunkRowsOf(deps: ExportWorkerDeps, job: ExportJob) {
  for (const key of chunksOf(job)) {
    const body = await deps.files.get(key);
    // A recorded chunk is written before the job records it: missing means the bucket lost it.
    if (!body) throw new Error(`chunk ${key} of export job ${job.id} is missing`);
    yield JSON.parse(body.toString('utf8')) as (string | number)[][];
  }
}

const composeCsv = async (deps: ExportWorkerDeps, job: ExportJob): Promise<Buffer> => {
  const parts: Buffer[] = [Buffer.from(CSV_BOM + csvLine(EXPORT_COLUMNS.map((c) => c.header)), 'utf8')];
  for await (const rows of chunkRowsOf(deps, job)) {
    parts.push(Buffer.from(rows.map(csvLine).join(''), 'utf8'));
  }
  return Buffer.concat(parts);
};

/** The streamed workbook of the inline export, fed the stored chunks; exceljs loads only here. */
const composeXlsx = (deps: ExportWorkerDeps, job: ExportJob): Promise<Buffer> =>
  caseListXlsx(job.createdAt, chunkRowsOf(deps, job));

const finish = async (deps: ExportWorkerDeps, job: ExportJob, size: number): Promise<StepOutcome> => {
  const now = deps.clock.now();
  const done: ExportJob = { ...job, status: 'done', size, updatedAt: now, finishedAt: now };
  delete done.cursor;
  if (!(await deps.jobs.save(done, expectedAt(job)))) return 'noop';
  await removeChunks(deps, job);
  return 'done';
};

/** The writing step: the chunks in order into the file, put at the job's key (a retry replaces it with the same). */
const writeStep = async (deps: ExportWorkerDeps, job: ExportJob): Promise<StepOutcome> => {
  const body = job.format === 'csv' ? await composeCsv(deps, job) : await composeXlsx(deps, job);
  await deps.files.put(job.objectKey, body, job.format === 'csv' ? CSV_TYPE : XLSX_TYPE);
  return finish(deps, job, body.length);
};

/** The monthly workbook reads the aggregates (a few hundred items), not cases: one step. */
const writeEvaluation = async (deps: ExportWorkerDeps, job: ExportJob): Promise<StepOutcome> => {
  if (!job.month) throw new ExportJobRefusedError({ rule: 'worker_failed', reason: 'the job has no month' });
  const body = await evaluationWorkbook(deps, job.month, job.scope ?? {}, job.createdAt);
  await deps.files.put(job.objectKey, body, XLSX_TYPE);
  return finish(deps, job, body.length);
};
