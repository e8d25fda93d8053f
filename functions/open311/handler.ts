import { systemClock } from '../../shared/ports';
import {
  caseStoreFromEnv,
  districtIndexFromEnv,
  integrationKeyStoreFromEnv,
  rateLimiterFromEnv,
  reportQueueFromEnv,
} from '../../shared/runtime/composition';
import { makeHandler, type Open311Deps } from './app';

export const buildDeps = (): Open311Deps => ({
  store: caseStoreFromEnv(),
  queue: reportQueueFromEnv(),
  district: districtIndexFromEnv(),
  clock: systemClock,
  keys: integrationKeyStoreFromEnv(),
  rateLimiter: rateLimiterFromEnv(),
});

export const handler = makeHandler(buildDeps());
