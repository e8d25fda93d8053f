import { systemClock } from '../../shared/ports';
import {
  caseStoreFromEnv,
  districtIndexFromEnv,
  notificationQueueFromEnv,
  sfn,
  sqs,
  timerRepliesFromEnv,
} from '../../shared/runtime/composition';
import { makeHandler } from './app';

// Every due check answers its timer and most notify: both clients are built at cold start, not left
// to the first message (see `sqs` and `sfn`).
await Promise.all([sqs(), sfn()]);

const notifications = notificationQueueFromEnv();

export const handler = makeHandler({
  store: caseStoreFromEnv(),
  district: districtIndexFromEnv(),
  clock: systemClock,
  notifications,
  events: notifications,
  replies: timerRepliesFromEnv(),
});
