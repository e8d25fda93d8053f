import { systemClock } from '../../shared/ports';
import { districtIndexFromEnv } from '../../shared/runtime/composition/district';
import {
  exportFilesFromEnv,
  exportJobQueueFromEnv,
  exportJobStoreFromEnv,
} from '../../shared/runtime/composition/exports';
import { identityFrom } from '../../shared/runtime/config';
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
