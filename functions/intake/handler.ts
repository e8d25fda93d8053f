import { systemClock } from '../../shared/ports';
import { sqs } from '../../shared/runtime/clients/sqs';
import { caseStoreFromEnv } from '../../shared/runtime/composition/cases';
import { districtIndexFromEnv } from '../../shared/runtime/composition/district';
import { rateLimiterFromEnv } from '../../shared/runtime/composition/integrations';
import { reportQueueFromEnv } from '../../shared/runtime/composition/routing';
import { citizenReportLimitsFrom, identityFrom } from '../../shared/runtime/config';
import { type IntakeDeps, makeHandler } from './app';

// Every route of this function hands a report to the intake queue: the SQS client is built at cold
// start, not left to the first request as in functions that send on some routes only (see `sqs`).
await sqs();

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
