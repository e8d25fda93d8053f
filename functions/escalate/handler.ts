import { systemClock } from '../../shared/ports';
import { sfn } from '../../shared/runtime/clients/sfn';
import { sqs } from '../../shared/runtime/clients/sqs';
import { caseStoreFromEnv } from '../../shared/runtime/composition/cases';
import { districtIndexFromEnv } from '../../shared/runtime/composition/district';
import { notificationQueueFromEnv } from '../../shared/runtime/composition/notifications';
import { timerRepliesFromEnv } from '../../shared/runtime/composition/timers';
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
