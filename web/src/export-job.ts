/**
 * Follows an export job (POST /v1/exports, then GET /v1/exports/{id}) until its file is ready:
 * the cockpit shows each step's progress and then offers the file. A job that failed ends with its
 * reason; a poll lost to the network is simply tried again at the next tick.
 */
import { type Api, ApiError, type ExportJob, type ExportJobRequest, NetworkError } from './api';

/** First look after half a second (a small export is often done by then), then every second or so. */
const POLL_DELAYS_MS = [500, 1_000, 1_000, 2_000];

export class ExportFailedError extends Error {
  override readonly name = 'ExportFailedError';
  constructor(readonly job: ExportJob) {
    super(job.failure?.reason ?? job.status);
  }
}

export interface FollowOptions {
  onProgress?: (job: ExportJob) => void;
  sleep?: (ms: number) => Promise<void>;
  /** Give up after this long (the job goes on; its file stays a day). */
  timeoutMs?: number;
}

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export const followExport = async (
  api: Pick<Api, 'startExport' | 'exportJob'>,
  request: ExportJobRequest,
  options: FollowOptions = {},
): Promise<ExportJob> => {
  const sleep = options.sleep ?? pause;
  const started = Date.now();
  let job = await api.startExport(request);
  options.onProgress?.(job);
  for (let poll = 0; job.status !== 'done'; poll++) {
    if (job.status === 'failed') throw new ExportFailedError(job);
    if (Date.now() - started > (options.timeoutMs ?? 30 * 60_000)) throw new ExportFailedError(job);
    await sleep(POLL_DELAYS_MS[Math.min(poll, POLL_DELAYS_MS.length - 1)] ?? 2_000);
    try {
      job = await api.exportJob(job.id);
    } catch (error) {
      // A dropped poll is not a failed export: look again at the next tick.
      if (error instanceof NetworkError || (error instanceof ApiError && error.status >= 500)) continue;
      throw error;
    }
    options.onProgress?.(job);
  }
  return job;
};
