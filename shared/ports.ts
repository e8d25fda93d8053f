import type { Case, CaseStatus } from './domain/case';

/** What intake remembers about the request that created a case, to recognise a retry. */
export interface IntakeFingerprint {
  /** sha256 of the canonical request body. */
  requestHash: string;
  /** Set when the case id was derived from the client's Idempotency-Key. */
  idempotencyKey?: string;
}

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
  /** Only cases submitted by this subject (a reporter sees their own reports). */
  submittedBy?: string;
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
  /** Ids of cases still `reported` since before `reportedBefore` (acknowledged, never routed). */
  listUnrouted(reportedBefore: string, limit: number): Promise<string[]>;
}

export interface RoutingRequest {
  caseId: string;
  correlationId: string;
}

export interface ReportQueue {
  enqueue(request: RoutingRequest): Promise<void>;
}

export interface Clock {
  /** ISO 8601 instant in UTC. */
  now(): string;
}

export const systemClock: Clock = { now: () => new Date().toISOString() };
