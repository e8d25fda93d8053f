import { systemClock } from '../../shared/ports';
import { s3 } from '../../shared/runtime/clients/s3';
import { caseStoreFromEnv } from '../../shared/runtime/composition/cases';
import { districtIndexFromEnv } from '../../shared/runtime/composition/district';
import { evaluationAggregatesFromEnv } from '../../shared/runtime/composition/evaluation';
import {
  exportFilesFromEnv,
  exportJobQueueFromEnv,
  exportJobStoreFromEnv,
  exportJobVisibilityFromEnv,
} from '../../shared/runtime/composition/exports';
import { type ExportWorkerFunctionDeps, makeHandler } from './app';

// Every path of this function uses S3: its client is built at cold start, not left to the first
// request as in functions that use it on one path only (see `s3`).
await s3();

export const buildDeps = (): ExportWorkerFunctionDeps => ({
  jobs: exportJobStoreFromEnv(),
  queue: exportJobQueueFromEnv(),
  files: exportFilesFromEnv(),
  store: caseStoreFromEnv(),
  aggregates: evaluationAggregatesFromEnv(),
  district: districtIndexFromEnv(),
  clock: systemClock,
  visibility: exportJobVisibilityFromEnv(),
});

export const handler = makeHandler(buildDeps());
