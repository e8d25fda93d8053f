import type { Case } from '../domain/case';
import type { TimerKey } from '../domain/escalation';

// Durable deadline timers, their due checks, and the cases whose deadline runs.

/** A timer to start: the state machine execution named after `key`, first waking at `wakeAt`. */
export interface TimerStart {
  key: TimerKey;
  wakeAt: string;
  /** Re-armed after a restart: the first check re-sends the latest escalation's notifications. */
  recheck: boolean;
}

/** Durable per-case timers (Step Functions executions). Starting one that exists is a no-op. */
export interface Timers {
  start(request: TimerStart): Promise<void>;
}

/** What a due check tells the waiting timer: look again at `wakeAt`, or stop. */
export interface DueCheckResult {
  watch: boolean;
  wakeAt?: string;
  recheck: boolean;
}

/** Answers a timer's due check (the task token of a `.waitForTaskToken` state). */
export interface TimerReplies {
  /** Resolves even when the token is no longer valid (a duplicate check): there is nobody left to tell. */
  reply(taskToken: string, result: DueCheckResult): Promise<void>;
}

/** Cases whose deadline runs, page by page (the due index): what re-arms the timers after a restart. */
export interface WatchedCases {
  listWatched(cursor?: string): Promise<{ items: Case[]; cursor?: string }>;
}
