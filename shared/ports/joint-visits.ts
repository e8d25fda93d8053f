import type { Case, CaseStatus } from '../domain/case';
import type { JointVisit, JointVisitStatus } from '../domain/joint-visit';

// Joint visits (综合查一次) and the premises history they are planned from.

export type CreateVisitResult = { created: true } | { created: false; existing: JointVisit };

export interface JointVisitPage {
  items: JointVisit[];
  cursor?: string;
}

/** Joint visits (综合查一次). Every write is conditional: a new id once, then version by version. */
export interface JointVisitStore {
  /** Writes the visit unless its id exists; then returns what is stored instead. */
  create(visit: JointVisit): Promise<CreateVisitResult>;
  get(id: string): Promise<JointVisit | undefined>;
  /** Replaces the visit if it is still at `expectedVersion`, else throws VersionConflictError. */
  save(next: JointVisit, expectedVersion: number): Promise<void>;
  /** Visits in one status, newest first (the work queue). */
  listByStatus(status: JointVisitStatus, limit: number, cursor?: string): Promise<JointVisitPage>;
  /** How many visits are in the status and how many cases they cover (read from the queue index). */
  countByStatus(status: JointVisitStatus): Promise<{ visits: number; casesCovered: number }>;
}

export type PremisesEntry = { kind: 'case'; case: Case } | { kind: 'visit'; visit: JointVisit };

export interface PremisesPage {
  items: PremisesEntry[];
  cursor?: string;
}

/** Everything at one premises (一户一档), from the premises index. */
export interface PremisesReader {
  /** Every visit at the premises and its cases in these statuses (all pages): what planning needs. */
  forPlanning(
    premisesId: string,
    caseStatuses: readonly CaseStatus[],
  ): Promise<{ cases: Case[]; visits: JointVisit[] }>;
  /** One page of the history, cases and visits newest first. */
  history(premisesId: string, limit: number, cursor?: string): Promise<PremisesPage>;
}
