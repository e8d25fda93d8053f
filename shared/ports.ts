import type { Case, CaseStatus } from './domain/case';
import type { TriageFeedback } from './domain/classifier/feedback';
import type { TimerKey } from './domain/escalation';
import type { IntegrationKey, StoredIntegrationKey } from './domain/integration-key';
import type { JointVisit, JointVisitStatus } from './domain/joint-visit';
import type { NotificationMessage } from './domain/notifications';
import type { RateWindow } from './domain/rate-window';

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
  /** Only cases waiting in the possible-duplicate review queue. */
  possibleDuplicate?: boolean;
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
  /** Live cases (not merged or cancelled) indexed in these geohash cells, reported since `reportedSince`. */
  findInCells(cells: string[], reportedSince: string): Promise<Case[]>;
  /** Several cases by id, strongly consistent (missing ids are left out). */
  getMany(ids: string[]): Promise<Case[]>;
  /** Ids of cases still `reported` since before `reportedBefore` (acknowledged, never routed). */
  listUnrouted(reportedBefore: string, limit: number): Promise<string[]>;
}

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
    registered: Pick<Case, 'id' | 'location'>,
    now: string,
    keepSince: string,
  ): Promise<boolean>;
}

export interface RoutingRequest {
  caseId: string;
  correlationId: string;
}

export interface ReportQueue {
  enqueue(request: RoutingRequest): Promise<void>;
}

export interface IntegrationKeyStore {
  /** Writes a new key; ids are random, so an existing id is a bug and throws. */
  create(stored: StoredIntegrationKey): Promise<void>;
  get(id: string): Promise<StoredIntegrationKey | undefined>;
  /** Every key, newest first, without secret hashes. */
  list(): Promise<IntegrationKey[]>;
  /** Marks the key revoked unless it already is (then returns it unchanged); undefined when absent. */
  revoke(id: string, revokedAt: string, revokedBy: string): Promise<IntegrationKey | undefined>;
}

export interface RateLimiter {
  /** Counts one request against `bucket` in `window`; false (nothing counted) when `limit` is reached. */
  tryAcquire(bucket: string, limit: number, window: RateWindow): Promise<boolean>;
}

/** A timer to start: the state machine execution named after `key`, first waking at `wakeAt`. */
export interface TimerStart {
  key: TimerKey;
  wakeAt: string;
  /** Re-armed after a restart: the first check re-sends the latest escalation's notifications. */
  recheck: boolean;
}

/** Durable per-case timers (Step Functions executions). Starting one that exists is a no-op. */
export interface Timers {
  start(request: TimerStart): Promise<void>;
}

/** What a due check tells the waiting timer: look again at `wakeAt`, or stop. */
export interface DueCheckResult {
  watch: boolean;
  wakeAt?: string;
  recheck: boolean;
}

/** Answers a timer's due check (the task token of a `.waitForTaskToken` state). */
export interface TimerReplies {
  /** Resolves even when the token is no longer valid (a duplicate check): there is nobody left to tell. */
  reply(taskToken: string, result: DueCheckResult): Promise<void>;
}

export interface NotificationQueue {
  publish(messages: NotificationMessage[]): Promise<void>;
}

/** One way to reach a recipient (a webhook now; SMS later). Throws when delivery should be retried. */
export interface NotificationChannel {
  deliver(message: NotificationMessage): Promise<'delivered' | 'no-address'>;
}

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

export interface Clock {
  /** ISO 8601 instant in UTC. */
  now(): string;
}

export const systemClock: Clock = { now: () => new Date().toISOString() };

/** The command centre's confirmations and corrections of triage suggestions (labelled examples). */
export interface TriageFeedbackStore {
  /** Records one; recording the same case step again overwrites it with the same item. */
  record(feedback: TriageFeedback): Promise<void>;
  /** Every recorded feedback, oldest first. */
  list(): Promise<TriageFeedback[]>;
}
