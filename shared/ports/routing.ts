import type { Case } from '../domain/case';

// Routing's queue and the dedup claims that keep one area's routers from missing each other.

/**
 * The dedup claim on an area: two routers registering reports in one area at the same instant must
 * see each other. Each registration advances the claim's sequence with a conditional write and
 * records its case id, so the loser of a race re-reads and finds the winner's report.
 */
export interface DedupClaim {
  key: string;
  seq: number;
  /** Cases registered through this claim lately (the window the geo index may not show yet). */
  recent: { caseId: string; at: string; lat: number; lng: number }[];
  /**
   * The geo cells of this claim's own area where cases were registered within the dedup window:
   * cell → the newest such case's `reportedAt`. A cell not listed holds no registered case of the
   * window, so the router need not read it (see `registeredCellsSince`).
   */
  registeredCells: Record<string, string>;
}

export interface DedupClaims {
  read(key: string): Promise<DedupClaim>;
  /**
   * Records the cases if nobody advanced the claim since it was read; false when someone did.
   * `registeredCells` replaces the claim's (kept as read when absent).
   */
  advance(
    claim: DedupClaim,
    registered: Pick<Case, 'id' | 'location'>[],
    now: string,
    keepSince: string,
    registeredCells?: Record<string, string>,
  ): Promise<boolean>;
  /**
   * Since when every claim's `registeredCells` lists every registration: the beginning ('') for a
   * table whose first registration came after claims began to keep them, else the moment they did.
   * Fixed once known; `now` is that moment if it is first asked now.
   */
  registeredCellsSince(now: string): Promise<string>;
}

export interface RoutingRequest {
  caseId: string;
  correlationId: string;
  /**
   * The report's routing area (`routingAreaOf` its location): the queue keeps one area's reports in
   * order and hands them to one router at a time. Absent on messages sent before areas existed.
   */
  area?: string;
}

export interface ReportQueue {
  enqueue(request: RoutingRequest & { area: string }): Promise<void>;
}
