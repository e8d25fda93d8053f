import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json';
import type { TimelineEntry } from './case';

/** The hash the first entry of every case chains to. */
export const GENESIS_HASH = '0'.repeat(64);

export type NewTimelineEntry = Omit<TimelineEntry, 'seq' | 'prevHash' | 'hash'>;

const hashOf = (entry: Omit<TimelineEntry, 'hash'>): string =>
  createHash('sha256').update(canonicalJson(entry)).digest('hex');

/** Returns a new timeline with the entry appended and chained; the input is never modified. */
export const appendToTimeline = (
  timeline: readonly TimelineEntry[],
  entry: NewTimelineEntry,
): TimelineEntry[] => {
  const previous = timeline[timeline.length - 1];
  const unhashed = { ...entry, seq: timeline.length + 1, prevHash: previous?.hash ?? GENESIS_HASH };
  return [...timeline, { ...unhashed, hash: hashOf(unhashed) }];
};

export interface TimelineCheck {
  intact: boolean;
  /** The first entry (seq) whose number, link or content doesn't match, when not intact. */
  brokenAt?: number;
}

/** Recomputes the chain: any edited, removed or reordered entry breaks it. */
export const verifyTimeline = (timeline: readonly TimelineEntry[]): TimelineCheck => {
  let prevHash = GENESIS_HASH;
  for (const [index, entry] of timeline.entries()) {
    const { hash, ...unhashed } = entry;
    if (entry.seq !== index + 1 || entry.prevHash !== prevHash || hashOf(unhashed) !== hash) {
      return { intact: false, brokenAt: index + 1 };
    }
    prevHash = hash;
  }
  return { intact: true };
};
