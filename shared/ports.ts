import type { Camera } from './domain/camera';
import type { SnapshotContentType } from './domain/camera-alert';
import type { Case, CaseStatus, CaseSummarySource } from './domain/case';
import type { TriageFeedback } from './domain/classifier/feedback';
import type { TimerKey } from './domain/escalation';
import type { Attachment, AttachmentStatus } from './domain/evidence';
import type { ExportJob, ExportJobStatus } from './domain/export-job';
import type { IntegrationKey, StoredIntegrationKey } from './domain/integration-key';
import type { JointVisit, JointVisitStatus } from './domain/joint-visit';
import type { NotificationMessage } from './domain/notifications';
import type { RateWindow } from './domain/rate-window';
import type {
  CaseEventMessage,
  DeliveryAttempt,
  DeliveryMessage,
  StoredSubscription,
  Subscription,
} from './domain/subscriptions';

/** What intake remembers about the request that created a case, to recognise a retry. */
export interface IntakeFingerprint {
  /** sha256 of the canonical request body. */
  requestHash: string;
  /** Set when the case id was derived from the client's Idempotency-Key. */
  idempotencyKey?: string;
}

export type { DedupCandidate } from './domain/dedup';

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
  findInCells(cells: string[], reportedSince: string): Promise<import('./domain/dedup').DedupCandidate[]>;
  /** Several cases by id, strongly consistent (missing ids are left out). */
  getMany(ids: string[]): Promise<Case[]>;
  /** `getMany` with what is stored beside each case (to save it again), in one round trip per 100. */
  getManyStored(ids: string[]): Promise<StoredCase[]>;
  /** Cases still `reported` since before `reportedBefore` (acknowledged, never routed), oldest first. */
  listUnrouted(reportedBefore: string, limit: number): Promise<Pick<Case, 'id' | 'location'>[]>;
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

/** Everything the notifier consumes: people's notifications, case events, subscription deliveries. */
export type NotifierMessage = NotificationMessage | CaseEventMessage | DeliveryMessage;

export interface NotificationQueue {
  publish(messages: NotifierMessage[]): Promise<void>;
}

/** Sends one webhook request; throws (with `status` when the receiver answered) unless it answered 2xx. */
export interface WebhookPoster {
  post(url: string, body: string, headers: Record<string, string>): Promise<{ status: number }>;
}

/** Puts a received queue message back out of sight for a while: the backoff before its next attempt. */
export interface MessageVisibility {
  delay(receiptHandle: string, seconds: number): Promise<void>;
}

/** Webhook subscriptions of systems (department systems, the hotline platform). */
export interface SubscriptionStore {
  create(stored: StoredSubscription): Promise<void>;
  get(id: string): Promise<StoredSubscription | undefined>;
  /** Every subscription, newest first, without secrets. */
  list(): Promise<Subscription[]>;
  /** Every subscription with its secret (the notifier matches and signs). */
  listStored(): Promise<StoredSubscription[]>;
  /** False when there was none. */
  delete(id: string): Promise<boolean>;
  recordAttempt(attempt: DeliveryAttempt): Promise<void>;
  /** A subscription's delivery attempts, newest first. */
  attempts(
    subscriptionId: string,
    limit: number,
    cursor?: string,
  ): Promise<{ items: DeliveryAttempt[]; cursor?: string }>;
}

/**
 * Signatures already accepted, kept until they could no longer pass the timestamp check: a replay
 * within the window is refused. `remember` is a conditional write: false when it was seen.
 */
export interface SeenSignatures {
  remember(keyId: string, signature: string, now: string, expiresAt: string): Promise<boolean>;
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

export type CreateAttachmentResult = { created: true } | { created: false; existing: Attachment };

/** Attachments (evidence) of a case, stored beside it. Writes are conditional, like the case's. */
export interface AttachmentStore {
  /** Writes the attachment unless its id exists; then returns what is stored instead. */
  create(attachment: Attachment): Promise<CreateAttachmentResult>;
  get(caseId: string, attachmentId: string): Promise<Attachment | undefined>;
  /** Every attachment of the case, oldest first. */
  list(caseId: string): Promise<Attachment[]>;
  /** Replaces the attachment if it is still in `expectedStatus`; false when it is not (someone decided first). */
  replace(next: Attachment, expectedStatus: AttachmentStatus): Promise<boolean>;
}

/** A browser form that uploads one object straight to the bucket (S3 presigned POST). */
export interface UploadForm {
  url: string;
  fields: Record<string, string>;
  expiresAt: string;
}

export interface StoredObject {
  bytes: number;
  lastModified?: string;
}

/** The evidence bucket: forms for the devices, reads for the check, short-lived links for readers. */
export interface EvidenceBucket {
  uploadForm(request: {
    key: string;
    contentType: string;
    maxBytes: number;
    expiresInSeconds: number;
  }): Promise<UploadForm>;
  head(key: string): Promise<StoredObject | undefined>;
  /** The whole object (callers check the size first). */
  read(key: string): Promise<Uint8Array>;
  /** The first `length` bytes (a video's magic number without downloading it). */
  readStart(key: string, length: number): Promise<Uint8Array>;
  put(key: string, body: Uint8Array, contentType: string): Promise<void>;
  /** Copies the object to another key (a camera snapshot to its case's attachment key). */
  copy(from: string, to: string): Promise<void>;
  /** Moves the object out of the case's prefix (copy, then delete). */
  move(from: string, to: string): Promise<void>;
  downloadUrl(key: string, expiresInSeconds: number): Promise<string>;
}

export interface Clock {
  /** ISO 8601 instant in UTC. */
  now(): string;
}

export const systemClock: Clock = { now: () => new Date().toISOString() };

/** One aggregate bucket of the evaluation figures (shared/domain/metrics.ts). */
export interface MetricsBucket {
  key: import('./domain/metrics').BucketKey;
  counters: Record<string, number>;
}

/** Narrows a metrics read to one department's or one zone's buckets (the caller's scope). */
export interface MetricsScope {
  department?: string;
  zone?: string;
}

export interface MetricsRead {
  buckets: MetricsBucket[];
  /** Items DynamoDB read to answer (buckets, never cases): what the benchmark checks. */
  itemsRead: number;
}

/** The materialized evaluation aggregates, kept up to date as cases are saved. */
export interface MetricsAggregates {
  /** Brings the aggregates to this version of the case: idempotent, safe to retry, stale versions ignored. */
  apply(c: Case): Promise<void>;
  /**
   * `apply` for several cases at once (a routed batch): their increments to one bucket are added in
   * one write. Same guarantees; a case that can't take part is applied on its own.
   */
  applyAll(cases: Case[]): Promise<void>;
  /** The buckets of one kind for the district days [fromDay, toDay], within the scope. */
  read(
    kind: import('./domain/metrics').BucketKind,
    fromDay: string,
    toDay: string,
    scope?: MetricsScope,
  ): Promise<MetricsRead>;
}

/** The camera registry (视频监控): one item per camera, found by id, zone or geohash cell. */
export interface CameraStore {
  /** Registers a new camera; false when the id is taken. */
  create(camera: Camera): Promise<boolean>;
  /** Replaces a registered camera; false when there is none with this id. */
  replace(camera: Camera): Promise<boolean>;
  /** Removes it; false when there was none. */
  remove(id: string): Promise<boolean>;
  get(id: string): Promise<Camera | undefined>;
  /** Every camera of the district (a zone's when given), by id. */
  list(zone?: string): Promise<Camera[]>;
  /** The cameras in these geohash cells (precision `CAMERA_CELL_PRECISION`): one index query per cell. */
  inCells(cells: string[]): Promise<Camera[]>;
}

/** The command centre's confirmations and corrections of triage suggestions (labelled examples). */
export interface TriageFeedbackStore {
  /** Records one; recording the same case step again overwrites it with the same item. */
  record(feedback: TriageFeedback): Promise<void>;
  /** Every recorded feedback, oldest first. */
  list(): Promise<TriageFeedback[]>;
}

export interface SnapshotFetchRequest {
  url: URL;
  /** The district lets this host resolve to private, loopback or link-local addresses. */
  allowPrivateAddresses: boolean;
  maxBytes: number;
  timeoutMs: number;
}

export interface FetchedSnapshot {
  bytes: Uint8Array;
  contentType: SnapshotContentType;
}

/** Fetches a camera snapshot from its URL; throws SnapshotFetchError saying why there is none. */
export interface SnapshotFetcher {
  fetch(request: SnapshotFetchRequest): Promise<FetchedSnapshot>;
}

export type CreateExportJobResult = { created: true } | { created: false; existing: ExportJob };

/** Export jobs (POST /v1/exports) in the table: one item each, advanced by conditional writes. */
export interface ExportJobStore {
  /** Writes the job unless its id exists (a retried request); then returns what is stored. */
  create(job: ExportJob): Promise<CreateExportJobResult>;
  get(id: string): Promise<ExportJob | undefined>;
  /**
   * Replaces the job if it is still at `expected.step` and in one of `expected.statuses`; false
   * when another delivery of the same step got there first (its work is then the one that counts).
   */
  save(job: ExportJob, expected: { step: number; statuses: ExportJobStatus[] }): Promise<boolean>;
}

/** Hands a job's next steps to the export worker. */
export interface ExportJobQueue {
  enqueue(jobId: string): Promise<void>;
}

/** The exports bucket as the export jobs use it: step chunks, the finished file, its link. */
export interface ExportFiles {
  put(key: string, body: Buffer, contentType: string): Promise<void>;
  /** The object's bytes, or undefined when there is none. */
  get(key: string): Promise<Buffer | undefined>;
  remove(keys: string[]): Promise<void>;
  /** A presigned GET that saves as `filename`, valid for `seconds`. */
  link(key: string, filename: string, seconds: number): Promise<{ url: string; expiresAt: string }>;
}
