import type { DistrictIndex } from '../domain/district-index';
import { nextWakeAt, stepsTaken, timerKeyOf } from '../domain/escalation';
import type { Clock, Timers, WatchedCases } from '../ports';

export interface RearmTimersDeps {
  watched: WatchedCases;
  district: DistrictIndex;
  clock: Clock;
  timers: Timers;
}

/**
 * Starts a timer for every case whose deadline runs. Timers that still exist are not doubled:
 * their names are deterministic. A case already escalated is checked at once, so the
 * notifications of an escalation saved just before a crash go out (receivers drop repeats).
 */
export const rearmTimers = async (deps: RearmTimersDeps): Promise<{ cases: number; started: number }> => {
  let cursor: string | undefined;
  let cases = 0;
  let started = 0;
  do {
    const page = await deps.watched.listWatched(cursor);
    cursor = page.cursor;
    const now = deps.clock.now();
    await Promise.all(
      page.items.map(async (c) => {
        cases++;
        const key = timerKeyOf(c);
        const wakeAt = nextWakeAt(c, deps.district.config, now);
        if (!key || !wakeAt) return;
        await deps.timers.start({ key, wakeAt: stepsTaken(c) > 0 ? now : wakeAt, recheck: true });
        started++;
      }),
    );
  } while (cursor);
  return { cases, started };
};
