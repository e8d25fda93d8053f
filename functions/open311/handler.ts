import { systemClock } from '../../shared/ports';
import { caseStoreFromEnv } from '../../shared/runtime/composition/cases';
import { districtIndexFromEnv } from '../../shared/runtime/composition/district';
import {
  integrationKeyStoreFromEnv,
  rateLimiterFromEnv,
} from '../../shared/runtime/composition/integrations';
import { reportQueueFromEnv } from '../../shared/runtime/composition/routing';
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
