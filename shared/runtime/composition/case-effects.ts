import type { DistrictIndex } from '../../domain/district-index';
import type { Clock } from '../../ports';
import { type CaseEffects, caseEffects } from '../../usecases/case-effects';
import { notificationQueueFromEnv } from './notifications';
import { timersFromEnv } from './timers';

/**
 * What a saved change of a case sets off: its deadline timers, its notifications and case events.
 * `gatherNotificationsMs`: for a function that saves many cases at once (the router), their
 * notifications published within that span share requests.
 */
export const caseEffectsFromEnv = (
  district: DistrictIndex,
  clock: Clock,
  gatherNotificationsMs?: number,
): CaseEffects => {
  const queue = notificationQueueFromEnv(gatherNotificationsMs);
  // Case events for the webhook subscriptions ride the same queue: the notifier fans them out.
  return caseEffects({ district, clock, timers: timersFromEnv(), notifications: queue, events: queue });
};
