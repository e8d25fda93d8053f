import type { ExportJob, ExportJobStatus } from '../domain/export-job';

// Export jobs, their queue, and the buckets exports are written to.

export type CreateExportJobResult = { created: true } | { created: false; existing: ExportJob };

/** Export jobs (POST /v1/exports) in the table: one item each, advanced by conditional writes. */
export interface ExportJobStore {
  /** Writes the job unless its id exists (a retried request); then returns what is stored. */
  create(job: ExportJob): Promise<CreateExportJobResult>;
  get(id: string): Promise<ExportJob | undefined>;
  /**
   * Replaces the job if it is still at `expected.step` and in one of `expected.statuses`; false
   * when another delivery of the same step got there first (its work is then the one that counts).
   */
  save(job: ExportJob, expected: { step: number; statuses: ExportJobStatus[] }): Promise<boolean>;
}

/** Hands a job's next steps to the export worker. */
export interface ExportJobQueue {
  enqueue(jobId: string): Promise<void>;
}

/** The exports bucket as the export jobs use it: step chunks, the finished file, its link. */
export interface ExportFiles {
  put(key: string, body: Buffer, contentType: string): Promise<void>;
  /** The object's bytes, or undefined when there is none. */
  get(key: string): Promise<Buffer | undefined>;
  remove(keys: string[]): Promise<void>;
  /** A presigned GET that saves as `filename`, valid for `seconds`. */
  link(key: string, filename: string, seconds: number): Promise<{ url: string; expiresAt: string }>;
}

/** Where an export too big for the HTTP reply goes: returns a download link valid for a short while. */
export interface ExportStore {
  put(key: string, body: Buffer, contentType: string): Promise<{ url: string; expiresAt: string }>;
}
