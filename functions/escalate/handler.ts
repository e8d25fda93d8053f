import { systemClock } from '../../shared/ports';
import { caseStoreFromEnv, districtIndexFromEnv } from '../../shared/runtime/composition';
import { notificationQueueFromEnv, timerRepliesFromEnv } from '../../shared/runtime/deadline-composition';
import { makeHandler } from './app';

export const handler = makeHandler({
  store: caseStoreFromEnv(),
  district: districtIndexFromEnv(),
  clock: systemClock,
  notifications: notificationQueueFromEnv(),
  replies: timerRepliesFromEnv(),
});
