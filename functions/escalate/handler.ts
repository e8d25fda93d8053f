import { systemClock } from '../../shared/ports';
import { caseStoreFromEnv, districtIndexFromEnv } from '../../shared/runtime/composition';
import { notificationQueueFromEnv, timerRepliesFromEnv } from '../../shared/runtime/deadline-composition';
import { makeHandler } from './app';

const notifications = notificationQueueFromEnv();

export const handler = makeHandler({
  store: caseStoreFromEnv(),
  district: districtIndexFromEnv(),
  clock: systemClock,
  notifications,
  events: notifications,
  replies: timerRepliesFromEnv(),
});
