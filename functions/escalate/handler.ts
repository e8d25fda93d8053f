import { systemClock } from '../../shared/ports';
import { sqs } from '../../shared/runtime/clients';
import { caseStoreFromEnv, districtIndexFromEnv } from '../../shared/runtime/composition';
import {
  notificationQueueFromEnv,
  sfn,
  timerRepliesFromEnv,
} from '../../shared/runtime/deadline-composition';
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
