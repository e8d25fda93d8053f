import { systemClock } from '../../shared/ports';
import { caseStoreFromEnv, districtIndexFromEnv, reportQueueFromEnv } from '../../shared/runtime/composition';
import { claimNamesFrom } from '../../shared/runtime/config';
import { type IntakeDeps, makeHandler } from './app';

export const buildDeps = (): IntakeDeps => ({
  store: caseStoreFromEnv(),
  queue: reportQueueFromEnv(),
  district: districtIndexFromEnv(),
  clock: systemClock,
  claimNames: claimNamesFrom(),
});

export const handler = makeHandler(buildDeps());
