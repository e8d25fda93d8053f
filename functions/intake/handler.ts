import { systemClock } from '../../shared/ports';
import {
  caseStoreFromEnv,
  districtIndexFromEnv,
  rateLimiterFromEnv,
  reportQueueFromEnv,
} from '../../shared/runtime/composition';
import { citizenReportLimitsFrom, identityFrom } from '../../shared/runtime/config';
import { type IntakeDeps, makeHandler } from './app';

export const buildDeps = (): IntakeDeps => ({
  store: caseStoreFromEnv(),
  queue: reportQueueFromEnv(),
  district: districtIndexFromEnv(),
  clock: systemClock,
  identity: identityFrom(),
  rateLimiter: rateLimiterFromEnv(),
  citizenLimits: citizenReportLimitsFrom(),
});

export const handler = makeHandler(buildDeps());
