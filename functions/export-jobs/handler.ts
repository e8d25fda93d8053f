import { systemClock } from '../../shared/ports';
import { districtIndexFromEnv } from '../../shared/runtime/composition';
import { identityFrom } from '../../shared/runtime/config';
import {
  exportFilesFromEnv,
  exportJobQueueFromEnv,
  exportJobStoreFromEnv,
} from '../../shared/runtime/export-composition';
import { type ExportJobsDeps, makeHandler } from './app';

export const buildDeps = (): ExportJobsDeps => ({
  jobs: exportJobStoreFromEnv(),
  queue: exportJobQueueFromEnv(),
  files: exportFilesFromEnv(),
  clock: systemClock,
  district: districtIndexFromEnv(),
  identity: identityFrom(),
});

export const handler = makeHandler(buildDeps());
