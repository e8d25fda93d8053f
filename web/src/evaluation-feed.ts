/**
 * The evaluation figures the cockpit shows, read from `/v1/metrics` on the board's refresh cadence
 * but at most every 30 s: they are aggregates of whole days, and each read is three queries that
 * every screen would otherwise make every two seconds. Two things make a read due sooner: the
 * district's day turning (today's figures start again) and the user's own change to a case
 * (`invalidate`), so the person who just closed a case sees it counted.
 */
import { type Api, ApiError, type EvaluationReply, type HotspotsReply } from './api';

/** The calls the feed needs (`Api` satisfies it); narrow so tests can serve it. */
export type EvaluationReader = Pick<Api, 'metrics' | 'hotspots'>;

export const EVALUATION_MIN_INTERVAL_MS = 30_000;
/**
 * How long the figures lag a change: the aggregator takes the table's change stream in batches over
 * 5 s (CASE_CHANGES_BATCH), then writes. A change made here is read again once this has passed.
 */
export const EVALUATION_LAG_MS = 8_000;
/** Hotspots listed (and drawn): enough for a screen, the API's default. */
export const HOTSPOT_LIMIT = 20;

export type EvaluationState =
  /** Not read yet (or every read so far failed). */
  | { kind: 'pending' }
  /** The API refuses this role the evaluation (403): the panel hides, the figures show "—". */
  | { kind: 'forbidden' }
  | {
      kind: 'ready';
      /** The district day the figures are for. */
      day: string;
      /** Today by department (its total is the district's, or the caller's scope's). */
      today: EvaluationReply;
      /** The month to date by department. */
      month: EvaluationReply;
      hotspots: HotspotsReply;
      /** When they were read (page clock), ISO. */
      readAt: string;
    };

export interface MetricsFeedOptions {
  /** The district's day (YYYY-MM-DD) and its month so far, at an instant. */
  period(now: Date): { today: string; monthFrom: string };
  now?(): Date;
  minIntervalMs?: number;
}

export interface MetricsFeed {
  /** Reads the figures if due; resolves with what to show. Errors other than 403 are thrown. */
  refresh(): Promise<EvaluationState>;
  /**
   * Makes the next refresh read, whatever the interval says, and the first one after
   * EVALUATION_LAG_MS too: by then the figures count the change.
   */
  invalidate(): void;
  readonly state: EvaluationState;
}

export const createEvaluationFeed = (reader: EvaluationReader, options: MetricsFeedOptions): MetricsFeed => {
  const now = options.now ?? (() => new Date());
  const minInterval = options.minIntervalMs ?? EVALUATION_MIN_INTERVAL_MS;
  let state: EvaluationState = { kind: 'pending' };
  /** The last attempt, read or failed: a failing API is asked again after the interval too. */
  let attemptedAt = Number.NEGATIVE_INFINITY;
  let attemptedDay = '';
  let stale = false;
  /** When a change made here will be in the figures (no such change pending: never). */
  let recheckAt = Number.POSITIVE_INFINITY;

  return {
    get state() {
      return state;
    },
    invalidate() {
      stale = true;
      recheckAt = now().getTime() + EVALUATION_LAG_MS;
    },
    async refresh() {
      // A role refused once stays refused: roles don't change while the page is signed in.
      if (state.kind === 'forbidden') return state;
      const at = now();
      const { today, monthFrom } = options.period(at);
      const rechecking = at.getTime() >= recheckAt;
      const due = stale || rechecking || today !== attemptedDay || at.getTime() - attemptedAt >= minInterval;
      if (!due) return state;
      attemptedAt = at.getTime();
      attemptedDay = today;
      stale = false;
      if (rechecking) recheckAt = Number.POSITIVE_INFINITY;
      try {
        const [todayReply, month, hotspots] = await Promise.all([
          reader.metrics({ from: today, to: today, groupBy: 'department' }),
          reader.metrics({ from: monthFrom, to: today, groupBy: 'department' }),
          reader.hotspots({ from: monthFrom, to: today, limit: HOTSPOT_LIMIT }),
        ]);
        state = { kind: 'ready', day: today, today: todayReply, month, hotspots, readAt: at.toISOString() };
      } catch (error) {
        if (error instanceof ApiError && error.status === 403) state = { kind: 'forbidden' };
        else throw error;
      }
      return state;
    },
  };
};
