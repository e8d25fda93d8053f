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
}

export interface DedupClaims {
  read(key: string): Promise<DedupClaim>;
  /** Records the case if nobody advanced the claim since it was read; false when someone did. */
  advance(
    claim: DedupClaim,
    registered: Pick<Case, 'id' | 'location'>[],
    now: string,
    keepSince: string,
  ): Promise<boolean>;
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
