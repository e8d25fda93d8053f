import { createHash } from 'node:crypto';
import { ulid } from 'ulid';
import { canonicalJson } from '../domain/canonical-json';
import type { Actor } from '../domain/case';
import type { DistrictIndex } from '../domain/district-index';
import { ExportJobNotFoundError, IdempotencyKeyReusedError } from '../domain/errors';
import {
  type ExportCaseQuery,
  type ExportJob,
  type ExportJobView,
  type ExportRequest,
  filenameOf,
  jobPrefix,
  viewOf,
} from '../domain/export-job';
import type { Clock, ExportFiles, ExportJobQueue, ExportJobStore } from '../ports';

/**
 * The API side of export jobs: make a job (202), and tell its requester how far it is and, once it
 * is done, where to download it. The work is the export worker's (shared/usecases/export-worker.ts).
 */

export interface RequestExportDeps {
  jobs: ExportJobStore;
  queue: ExportJobQueue;
  clock: Clock;
  district: DistrictIndex;
  newId?: () => string;
}

export interface ExportJobRequest {
  actor: Actor;
  request: ExportRequest;
  /** `cases`: the list query with the actor's scope built in (the edge builds it, as for the list). */
  query?: ExportCaseQuery;
  /** `evaluation`: the actor's evaluation scope. */
  scope?: { zone?: string; department?: string };
  idempotencyKey?: string;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest();

/** A retried POST with the same Idempotency-Key lands on the same job (a conditional put, not a lookup). */
export const exportJobIdFor = (
  deps: Pick<RequestExportDeps, 'district' | 'newId'>,
  actor: Actor,
  idempotencyKey: string | undefined,
): string =>
  idempotencyKey
    ? `X${sha256([deps.district.config.id, 'export', actor.subject, idempotencyKey].join('\u0000')).subarray(0, 16).toString('base64url')}`
    : (deps.newId ?? (() => `X${ulid()}`))();

export const requestExport = async (
  deps: RequestExportDeps,
  input: ExportJobRequest,
): Promise<{ job: ExportJob; replayed: boolean }> => {
  const { actor, request } = input;
  const now = deps.clock.now();
  const id = exportJobIdFor(deps, actor, input.idempotencyKey);
  const filename = filenameOf(request, deps.district.config.id, now);
  const job: ExportJob = {
    id,
    kind: request.kind,
    format: request.kind === 'evaluation' ? 'xlsx' : request.format,
    ...(request.kind === 'cases' ? { filters: request.filters } : { month: request.month }),
    owner: actor.subject,
    reader: actor,
    ...(input.query && { query: input.query }),
    ...(input.scope && { scope: input.scope }),
    status: 'queued',
    phase: 'reading',
    createdAt: now,
    updatedAt: now,
    rows: 0,
    step: 0,
    filename,
    objectKey: `${jobPrefix(id)}${filename}`,
    requestHash: sha256(canonicalJson(request)).toString('hex'),
  };
  const outcome = await deps.jobs.create(job);
  if (outcome.created) {
    await deps.queue.enqueue(id);
    return { job, replayed: false };
  }
  const existing = outcome.existing;
  if (existing.owner !== actor.subject || existing.requestHash !== job.requestHash) {
    throw new IdempotencyKeyReusedError();
  }
  // A crash between the put and the send leaves a job nobody works on: the retry sends it again
  // (a second message for a job that is under way finds nothing to do).
  if (existing.status === 'queued') await deps.queue.enqueue(id);
  return { job: existing, replayed: true };
};

export interface ExportStatusDeps {
  jobs: ExportJobStore;
  files: ExportFiles;
  /** How long a download link works (seconds). */
  linkSeconds?: number;
}

/** Links expire in minutes: the cockpit asks again for a fresh one whenever it offers the file. */
export const DOWNLOAD_LINK_SECONDS = 300;

/** The job as its requester sees it; anyone else gets the same 404 as for a job that doesn't exist. */
export const exportJobStatus = async (
  deps: ExportStatusDeps,
  actor: Actor,
  id: string,
): Promise<ExportJobView> => {
  const job = await deps.jobs.get(id);
  if (!job || job.owner !== actor.subject) throw new ExportJobNotFoundError(id);
  if (job.status !== 'done') return viewOf(job);
  const download = await deps.files.link(
    job.objectKey,
    job.filename,
    deps.linkSeconds ?? DOWNLOAD_LINK_SECONDS,
  );
  return viewOf(job, download);
};
