import { systemClock } from '../../shared/ports';
import { sqs } from '../../shared/runtime/clients/sqs';
import { caseStoreFromEnv } from '../../shared/runtime/composition/cases';
import { reportQueueFromEnv } from '../../shared/runtime/composition/routing';
import { makeHandler } from './app';

// The sweep exists to hand reports to the intake queue: the SQS client is built at cold start (see `sqs`).
await sqs();

export const handler = makeHandler({
  store: caseStoreFromEnv(),
  queue: reportQueueFromEnv(),
  clock: systemClock,
});
