import { systemClock } from '../../shared/ports';
import { caseStoreFromEnv, reportQueueFromEnv } from '../../shared/runtime/composition';
import { makeHandler } from './app';

export const handler = makeHandler({
  store: caseStoreFromEnv(),
  queue: reportQueueFromEnv(),
  clock: systemClock,
});
