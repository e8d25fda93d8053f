import type { Case } from '../domain/case';
import type { DistrictIndex } from '../domain/district-index';
import { nextWakeAt, sameTimer, timerKeyOf } from '../domain/escalation';
import { notificationsBetween } from '../domain/notifications';
import { caseEventMessage, caseEventsBetween } from '../domain/subscriptions';
import type { Clock, NotificationQueue, Timers } from '../ports';

export interface CaseEffectsDeps {
  district: DistrictIndex;
  clock: Clock;
  timers: Timers;
  notifications: NotificationQueue;
  /** Where case events for the webhook subscriptions go (the same queue on AWS); none: no events. */
  events?: NotificationQueue;
}

/** What follows a saved change of a case: a timer when its running deadline changed, and notifications. */
export type CaseEffects = (previous: Case | undefined, next: Case) => Promise<void>;

/**
 * After the write, never before: a timer for a change that was not saved would only find the case
 * unchanged and stop, but a notification would tell someone something that never happened. The
 * timer's name is deterministic, so a retry of the same change starts nothing new.
 */
export const caseEffects =
  (deps: CaseEffectsDeps): CaseEffects =>
  async (previous, next) => {
    const key = timerKeyOf(next);
    const previousKey = previous && timerKeyOf(previous);
    const work: Promise<void>[] = [];
    if (key && !sameTimer(key, previousKey)) {
      const wakeAt = nextWakeAt(next, deps.district.config, deps.clock.now());
      if (wakeAt) work.push(deps.timers.start({ key, wakeAt, recheck: false }));
    }
    const messages = notificationsBetween(previous, next, deps.district.config);
    const events = deps.events ? caseEventsBetween(previous, next).map(caseEventMessage) : [];
    if (deps.events === deps.notifications) {
      // One queue for both (as composed on AWS): one request, not two, per routed report.
      const both = [...messages, ...events];
      if (both.length > 0) work.push(deps.notifications.publish(both));
    } else {
      if (messages.length > 0) work.push(deps.notifications.publish(messages));
      if (deps.events && events.length > 0) work.push(deps.events.publish(events));
    }
    await Promise.all(work);
  };
