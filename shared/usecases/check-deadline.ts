import type { Case, DeadlineKind } from '../domain/case';
import type { DistrictIndex } from '../domain/district-index';
import { VersionConflictError } from '../domain/errors';
import { escalateOverdue, nextWakeAt, sameTimer, timerKeyOf } from '../domain/escalation';
import { escalationNotificationsSoFar, notificationsBetween } from '../domain/notifications';
import { caseEventMessage, caseEventsBetween } from '../domain/subscriptions';
import type { CaseStore, Clock, NotificationQueue, TimerReplies } from '../ports';

export interface CheckDeadlineDeps {
  store: CaseStore;
  district: DistrictIndex;
  clock: Clock;
  notifications: NotificationQueue;
  /** Where case events for the webhook subscriptions go (the same queue on AWS); none: no events. */
  events?: NotificationQueue;
  replies: TimerReplies;
}

/** A timer's due check, as its state machine hands it over (through the due-check queue). */
export interface DueCheck {
  caseId: string;
  schedule: number;
  deadline: DeadlineKind;
  taskToken: string;
  /** The timer was re-armed after a restart. */
  recheck: boolean;
  /** The queue delivers this check again (an earlier attempt failed somewhere). */
  redelivered: boolean;
}

export type CheckOutcome = 'escalated' | 'waiting' | 'stale' | 'missing';

/** Version conflicts with people working on the case are retried this often, re-reading each time. */
const MAX_ATTEMPTS = 5;

/**
 * The escalation step. It re-reads the case and escalates only what is due now and not yet
 * reached, so a stale timer (the deadline changed since), a duplicate check or a case closed a
 * moment before is a no-op. The write is version-checked: a command that lands between the read
 * and the write wins, and the check looks again. Then it tells the timer when to look next.
 */
export const checkDeadline = async (
  deps: CheckDeadlineDeps,
  check: DueCheck,
): Promise<{ outcome: CheckOutcome; wakeAt?: string; level?: number }> => {
  const stop = async (outcome: CheckOutcome) => {
    await deps.replies.reply(check.taskToken, { watch: false, recheck: false });
    return { outcome };
  };
  for (let attempt = 1; ; attempt++) {
    const stored = await deps.store.get(check.caseId);
    if (!stored) return stop('missing');
    const current = stored.case;
    if (!sameTimer(timerKeyOf(current), check)) return stop('stale');
    const now = deps.clock.now();
    const escalated = escalateOverdue(current, deps.district.config, { now });
    let settled: Case = current;
    if (check.recheck || check.redelivered) {
      // Escalations saved before a crash may have had their notifications lost on the way:
      // send them again; their keys let receivers drop what they already have.
      const again = escalationNotificationsSoFar(current, deps.district.config);
      if (again.length > 0) await deps.notifications.publish(again);
    }
    if (escalated) {
      try {
        await deps.store.save({ ...stored, case: escalated }, current.version);
      } catch (error) {
        if (error instanceof VersionConflictError && attempt < MAX_ATTEMPTS) continue;
        throw error;
      }
      settled = escalated;
      await deps.notifications.publish(notificationsBetween(current, escalated, deps.district.config));
      const events = caseEventsBetween(current, escalated).map(caseEventMessage);
      if (deps.events && events.length > 0) await deps.events.publish(events);
    }
    const wakeAt = nextWakeAt(settled, deps.district.config, now);
    await deps.replies.reply(check.taskToken, {
      watch: wakeAt !== undefined,
      ...(wakeAt && { wakeAt }),
      recheck: false,
    });
    return {
      outcome: escalated ? 'escalated' : 'waiting',
      ...(wakeAt && { wakeAt }),
      ...(settled.escalation && { level: settled.escalation.level }),
    };
  }
};
