import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json';
import type { TimelineEntry } from './case';

/** The hash the first entry of every case chains to. */
export const GENESIS_HASH = '0'.repeat(64);

export type NewTimelineEntry = Omit<TimelineEntry, 'seq' | 'prevHash' | 'hash'>;

/** What every hash-chained history entry carries (a case's timeline, a joint visit's). */
export interface ChainedEntry {
  seq: number;
  prevHash: string;
  hash: string;
}

const hashOf = (entry: object): string => createHash('sha256').update(canonicalJson(entry)).digest('hex');

/** Appends to any hash-chained history (a joint visit's too); the input is never modified. */
export const appendChained = <E extends ChainedEntry>(
  timeline: readonly E[],
  entry: Omit<E, keyof ChainedEntry>,
): E[] => {
  const previous = timeline[timeline.length - 1];
  const unhashed = { ...entry, seq: timeline.length + 1, prevHash: previous?.hash ?? GENESIS_HASH };
  return [...timeline, { ...unhashed, hash: hashOf(unhashed) } as unknown as E];
};

/** Returns a new timeline with the entry appended and chained; the input is never modified. */
export const appendToTimeline = (
  timeline: readonly TimelineEntry[],
  entry: NewTimelineEntry,
): TimelineEntry[] => appendChained(timeline, entry);

export interface TimelineCheck {
  intact: boolean;
  /** The first entry (seq) whose number, link or content doesn't match, when not intact. */
  brokenAt?: number;
}

/** Recomputes the chain: any edited, removed or reordered entry breaks it. */
export const verifyTimeline = (timeline: readonly ChainedEntry[]): TimelineCheck => {
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
