import { systemClock } from '../../shared/ports';
import {
  caseStoreFromEnv,
  districtIndexFromEnv,
  evaluationAggregatesFromEnv,
  exportFilesFromEnv,
  exportJobQueueFromEnv,
  exportJobStoreFromEnv,
  exportJobVisibilityFromEnv,
  s3,
} from '../../shared/runtime/composition';
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
