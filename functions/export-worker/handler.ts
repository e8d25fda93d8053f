import { SqsMessageVisibility } from '../../shared/adapters/aws/sqs-message-visibility';
import { systemClock } from '../../shared/ports';
import { s3, sqs } from '../../shared/runtime/clients';
import {
  caseStoreFromEnv,
  districtIndexFromEnv,
  evaluationAggregatesFromEnv,
} from '../../shared/runtime/composition';
import { requireEnv } from '../../shared/runtime/config';
import { ENV } from '../../shared/runtime/env';
import {
  exportFilesFromEnv,
  exportJobQueueFromEnv,
  exportJobStoreFromEnv,
} from '../../shared/runtime/export-composition';
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
  visibility: new SqsMessageVisibility({ client: sqs, queueUrl: requireEnv(ENV.exportQueueUrl) }),
});

export const handler = makeHandler(buildDeps());
