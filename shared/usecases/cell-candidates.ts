import type { Case } from '../domain/case';
import { type DedupCandidate, toCandidate } from '../domain/dedup';
import { geohash } from '../domain/geohash';

/**
 * How long a cell read from the geo index stands for the cell. It must stay well inside the claims'
 * memory of recent registrations (`CLAIM_MEMORY_MS`, 10 s): a case registered elsewhere after the
 * read (or shown late by the index) is still listed by its area's claim while the read is used, and
 * the router fetches it from there. 3 s lets a hotspot's routers read each of its busy cells about
 * once in three seconds instead of once per batch.
 */
export const CELL_MEMORY_MS = 3_000;

interface CellRead {
  /** When the index was read, in epoch ms. */
  at: number;
  candidates: DedupCandidate[];
}

/**
 * The router's memory of the geo index's cells, one per process (a warm Lambda container keeps it
 * between batches). A hotspot's batches all look at the same few cells, and reading every one of
 * them again for every batch was a quarter of the burst's DynamoDB work.
 *
 * What a read misses while it is used is accounted for:
 * - cases this router registers are added to the cells it holds (`remember`);
 * - cases another router registers are listed by the claims' recent registrations, which the router
 *   reads every batch anyway;
 * - a candidate whose status moved since the read (closed, merged, cancelled) refuses the merge when
 *   the router writes it, from a fresh read; the router then forgets that cell (`forget`) and
 *   judges the report again on a fresh read.
 * A candidate's facts (where, what, when) never change, so a remembered one scores as a fresh one.
 */
export class CellCandidates {
  readonly #reads = new Map<string, CellRead>();

  constructor(private readonly memoryMs = CELL_MEMORY_MS) {}

  /**
   * The candidates of `cells` reported since `since`: remembered cells as remembered, the others
   * read through `query` (one read for all of them) and remembered from then on.
   */
  async read(
    cells: string[],
    since: string,
    now: string,
    query: (cells: string[], since: string) => Promise<DedupCandidate[]>,
  ): Promise<DedupCandidate[]> {
    const at = Date.parse(now);
    this.#drop(at);
    const remembered = cells.flatMap((cell) => this.#reads.get(cell)?.candidates ?? []);
    const unread = cells.filter((cell) => !this.#reads.has(cell));
    if (unread.length === 0) return remembered.filter((c) => c.reportedAt >= since);
    const read = await query(unread, since);
    for (const cell of unread) this.#reads.set(cell, { at, candidates: [] });
    for (const candidate of read) this.#reads.get(geohash(candidate.location))?.candidates.push(candidate);
    return [...remembered.filter((c) => c.reportedAt >= since), ...read];
  }

  /** Cases this router registered: each joins its cell's read, if that cell is remembered. */
  remember(registered: Case[]): void {
    for (const c of registered) {
      const read = this.#reads.get(geohash(c.location));
      if (!read) continue;
      read.candidates = [...read.candidates.filter((k) => k.id !== c.id), toCandidate(c)];
    }
  }

  /** The cells of these cases are read again next time (one of them changed under the router). */
  forget(changed: Pick<Case, 'location'>[]): void {
    for (const c of changed) this.#reads.delete(geohash(c.location));
  }

  /**
   * Reads older than the memory are dropped, so the map holds only a few seconds of cells; so are
   * reads dated after `now` (a clock set back), which would otherwise never grow old.
   */
  #drop(now: number): void {
    for (const [cell, read] of this.#reads) {
      if (now - read.at > this.memoryMs || read.at > now) this.#reads.delete(cell);
    }
  }
}
