import { systemClock } from '../../shared/ports';
import { caseStoreFromEnv, reportQueueFromEnv, sqs } from '../../shared/runtime/composition';
import { makeHandler } from './app';

// The sweep exists to hand reports to the intake queue: the SQS client is built at cold start (see `sqs`).
await sqs();

export const handler = makeHandler({
  store: caseStoreFromEnv(),
  queue: reportQueueFromEnv(),
  clock: systemClock,
});
