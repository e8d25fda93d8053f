import type { DistrictIndex } from '../../domain/district-index';
import type { Clock } from '../../ports';
import { type CaseEffects, caseEffects } from '../../usecases/case-effects';
import { notificationQueueFromEnv } from './notifications';
import { timersFromEnv } from './timers';

/** What a saved change of a case sets off: its deadline timers, its notifications and case events. */
export const caseEffectsFromEnv = (district: DistrictIndex, clock: Clock): CaseEffects => {
  const queue = notificationQueueFromEnv();
  // Case events for the webhook subscriptions ride the same queue: the notifier fans them out.
  return caseEffects({ district, clock, timers: timersFromEnv(), notifications: queue, events: queue });
};
