import type { Case, CaseStatus, CaseSummarySource } from '../domain/case';

// The case store: cases as intake, routing and the workflow save and read them.

/** What intake remembers about the request that created a case, to recognise a retry. */
export interface IntakeFingerprint {
  /** sha256 of the canonical request body. */
  requestHash: string;
  /** Set when the case id was derived from the client's Idempotency-Key. */
  idempotencyKey?: string;
}

export type { DedupCandidate } from '../domain/dedup';

export interface StoredCase {
  case: Case;
  intake?: IntakeFingerprint;
}

export type CreateResult = { created: true } | { created: false; existing: StoredCase };

export interface CaseListQuery {
  status?: CaseStatus;
  department?: string;
  zone?: string;
  overdue?: boolean;
  /** Only cases waiting in the possible-duplicate review queue. */
  possibleDuplicate?: boolean;
  /** Only cases submitted by this subject (a reporter sees their own reports). */
  submittedBy?: string;
  /**
   * Only cases changed after this ISO instant, oldest change first (the incremental refresh).
   * Every other filter still applies.
   */
  changedSince?: string;
  /** ISO instant that `overdue` is measured against. */
  now: string;
  limit: number;
  cursor?: string;
}

export interface CasePage {
  items: Case[];
  /** Opaque; absent on the last page. */
  cursor?: string;
}

export interface CaseStore {
  /** Writes a new case unless its id exists; then returns what is stored instead. */
  create(c: Case, intake: IntakeFingerprint): Promise<CreateResult>;
  get(id: string): Promise<StoredCase | undefined>;
  /** Replaces the case if it is still at `expectedVersion`, else throws VersionConflictError. */
  save(next: StoredCase, expectedVersion: number): Promise<void>;
  list(query: CaseListQuery): Promise<CasePage>;
  /** `list`, reading only `CASE_SUMMARY_SOURCE` of each case (a board's page of hundreds). */
  listSummaries(query: CaseListQuery): Promise<{ items: CaseSummarySource[]; cursor?: string }>;
  /**
   * Live cases (not merged or cancelled) indexed in these geohash cells, reported since
   * `reportedSince`: only what the duplicate check reads of them, not their timelines.
   */
  findInCells(cells: string[], reportedSince: string): Promise<import('../domain/dedup').DedupCandidate[]>;
  /** Several cases by id, strongly consistent (missing ids are left out). */
  getMany(ids: string[]): Promise<Case[]>;
  /** `getMany` with what is stored beside each case (to save it again), in one round trip per 100. */
  getManyStored(ids: string[]): Promise<StoredCase[]>;
  /** Cases still `reported` since before `reportedBefore` (acknowledged, never routed), oldest first. */
  listUnrouted(reportedBefore: string, limit: number): Promise<Pick<Case, 'id' | 'location'>[]>;
}
