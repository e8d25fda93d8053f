import type { Priority } from '../district/schema';
import type { CameraAlertFacts } from './camera-alert';

/**
 * The case (事件/案卷) and everything recorded about it. One item per case: the timeline lives
 * inside it, so every change (status, fields, timeline entry) is one version-checked write.
 */

export const CASE_STATUSES = [
  'reported', // 上报: accepted at intake, waiting for the router
  'registered', // 立案: routed (zone, area chief, lead), waiting for dispatch — or in triage
  'dispatched', // 派遣: sent to a department, waiting for acceptance
  'accepted', // 签收: the department has it and is handling it
  'handled', // 处置/反馈: the department reports the result
  'verified', // 核查: the result was verified on site
  'closed', // 结案
  'cancelled',
  'merged', // a duplicate report, merged into another case (see `mergedInto`)
] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];

export const OPEN_STATUSES: readonly CaseStatus[] = [
  'reported',
  'registered',
  'dispatched',
  'accepted',
  'handled',
  'verified',
];

export const SOURCES = ['hotline', 'patrol', 'citizen', 'camera', 'department', 'open311'] as const;
export type Source = (typeof SOURCES)[number];

export const ROLES = [
  'reporter',
  'field_worker',
  'department_staff',
  'area_chief',
  'command_centre',
  'admin',
] as const;
export type Role = (typeof ROLES)[number];

/** The person or system acting, as the verified token, the integration key (or the platform itself) says. */
export interface Actor {
  subject: string;
  /** `integration`: a machine client with an integration key (subject `key:<id>`). */
  role: Role | 'integration' | 'system';
  name?: string;
  department?: string;
  zone?: string;
}

export const SYSTEM_ROUTER: Actor = { subject: 'system:router', role: 'system', name: 'xietong router' };

export interface GeoPoint {
  lat: number;
  lng: number;
}

export interface CaseLocation extends GeoPoint {
  /** Always stored in WGS-84; `reported` keeps what the client sent (e.g. GCJ-02 from a phone map). */
  crs: 'wgs84';
  address?: string;
  reported: GeoPoint & { crs: 'wgs84' | 'gcj02' };
}

export interface Reporter {
  name?: string;
  phone?: string;
}

export interface ExternalRef {
  system: string;
  id: string;
}

export interface ZoneRef {
  id: string;
  name: { zh: string; en: string };
}

export interface AreaChiefRef {
  name: string;
  title: string;
  department: string;
}

export interface Deadlines {
  /** ISO instants; the clock starts at dispatch (GB/T 30428). */
  acceptBy: string;
  handleBy: string;
  /** Counted in the district calendar's working hours (the category says so). */
  workingHours?: boolean;
  /** The case version that set these deadlines: with the running deadline, it names the timer. */
  schedule?: number;
}

/** Which deadline a timer or an escalation is about. */
export type DeadlineKind = 'accept' | 'handle';

/** Where the case stands on the district's escalation ladder for the deadline that runs now. */
export interface EscalationState {
  deadline: DeadlineKind;
  /** 1-based ladder level reached (督办 level). */
  level: number;
  /** Reminders sent at the last level after it was reached (its repeat rule). */
  repeats: number;
  lastEscalatedAt: string;
}

/** A suspended case (挂起): its deadlines stop until it is resumed. */
export interface HoldState {
  since: string;
  reason: string;
  /** Minutes of the deadlines' clock that were left when the hold began (0 when already missed). */
  remaining: { acceptMinutes?: number; handleMinutes: number };
}

export type TimelineAction =
  | 'reported'
  | 'registered'
  | 'dispatched'
  | 'reassigned'
  | 'accepted'
  | 'returned'
  | 'progress'
  | 'resolved'
  | 'verified'
  | 'rework'
  | 'closed'
  | 'reopened'
  | 'cancelled'
  | 'escalated' // 督办: a level of the escalation ladder reached (by the timer or by hand)
  | 'held' // suspended, e.g. waiting for the reporter
  | 'resumed'
  | 'merged' // this report was merged into another case
  | 'unmerged' // …and taken out again
  | 'report-linked' // another report was merged into this case
  | 'report-unlinked'
  | 'duplicate-flagged' // a possible duplicate, waiting for review
  | 'duplicate-dismissed'
  | 'repeat-reported' // on a closed case: a new report of the same event came soon after closure
  | 'joint-visit' // covered by a joint visit (综合查一次)
  | 'evidence-verified' // an uploaded photo/video/document passed the evidence checks
  | 'evidence-rejected' // …or failed them (the reason is on the entry)
  | 'satisfaction-recorded'; // 回访: a reporter's verdict on a closed case (rating and channel in details)

/** One immutable step. `hash` chains each entry to the one before, so an edited history shows. */
export interface TimelineEntry {
  seq: number;
  at: string;
  action: TimelineAction;
  actor: Actor;
  from?: CaseStatus;
  to: CaseStatus;
  reason?: string;
  note?: string;
  /** Structured facts of the step (routing decision, new department, verification result…). */
  details?: Record<string, unknown>;
  correlationId?: string;
  prevHash: string;
  hash: string;
}

/** What the case itself remembers of its evidence: enough for `resolve` to check the district's rule. */
export interface EvidenceSummary {
  verified: number;
  rejected: number;
  /** Verified photos taken after dispatch ("after" photos: the result on site). */
  afterPhotos: number;
}

/** A report merged into this case: its own id still resolves here, its reporter is kept. */
export interface LinkedReport {
  caseId: string;
  source: Source;
  /** A camera alert's camera, type and snapshot, kept with the link. */
  camera?: CameraAlertFacts;
  reportedAt: string;
  description: string;
  reporter?: Reporter;
  externalRef?: ExternalRef;
  submittedBy: Actor;
  mode: 'auto' | 'manual';
  /** The duplicate score when merged automatically. */
  score?: number;
  mergedAt: string;
}

/**
 * A report of the same event soon after the case was closed (12345's 重复投诉): the problem was
 * probably not fixed. The new report is a case of its own, routed at once; the two point at each other.
 */
export interface RepeatLink {
  caseId: string;
  /** On the new case: when the case it repeats was closed. On the closed case: when the repeat came. */
  at: string;
  /** The duplicate score that linked them. */
  score: number;
}

/** A case that may be the same event, for a person to confirm or dismiss. */
export interface DuplicateCandidate {
  caseId: string;
  score: number;
}

/** A category the triage classifier suggests for a report that came without one. */
export interface CategorySuggestion {
  category: string;
  /** Calibrated 0–1: the model's probability that this is the report's category. */
  score: number;
  /** The department that would lead, as routing decides it for this category. */
  lead: string;
}

/** 满意 / 基本满意 / 不满意: a reporter's verdict on how the closed case was handled. */
export const RATINGS = ['satisfied', 'basically_satisfied', 'dissatisfied'] as const;
export type Rating = (typeof RATINGS)[number];

/**
 * How the verdict reached the platform: the reporter themself (`citizen`), the 12345 platform's
 * callback (`hotline`), a department system's callback (`department`), or an operator who called
 * the reporter back and recorded it on their behalf (`operator`).
 */
export const VERDICT_CHANNELS = ['citizen', 'hotline', 'department', 'operator'] as const;
export type VerdictChannel = (typeof VERDICT_CHANNELS)[number];

/** The latest verdict on the case (the timeline keeps every one). */
export interface Satisfaction {
  rating: Rating;
  comment?: string;
  at: string;
  channel: VerdictChannel;
  /** Who recorded it on the reporter's behalf (the operator, the hotline platform, the department system). */
  by?: string;
}

export interface CaseCounters {
  returns: number;
  reassigns: number;
  reworks: number;
  /** Closed cases opened again (a citizen says it isn't fixed); counted apart from rework. */
  reopens: number;
}

export interface Case {
  id: string;
  district: string;
  status: CaseStatus;
  version: number;
  source: Source;
  category?: string;
  priority: Priority;
  description: string;
  location: CaseLocation;
  occurredAt?: string;
  reportedAt: string;
  updatedAt: string;
  reporter?: Reporter;
  /** Who submitted the report through the API (the token's subject). */
  submittedBy: Actor;
  externalRef?: ExternalRef;
  /** Set on a camera alert's report: the camera, alert type and snapshot (source `camera`). */
  camera?: CameraAlertFacts;
  /** True while the case waits for the command centre to categorise it (no category at intake). */
  triage: boolean;
  /**
   * The triage classifier's best categories (top 3, best first) for a report that came without
   * one: shown in triage for the command centre to confirm; the best one was applied when its
   * score reached the district's `triage.autoCategorizeScore`.
   */
  suggestions?: CategorySuggestion[];
  zone?: ZoneRef;
  areaChief?: AreaChiefRef;
  lead?: string;
  cooperating: string[];
  /** The department currently responsible after dispatch. */
  assignee?: string;
  deadlines?: Deadlines;
  /** Set while a deadline is overdue and escalated; cleared when that deadline is met or replaced. */
  escalation?: EscalationState;
  hold?: HoldState;
  dispatchedAt?: string;
  acceptedAt?: string;
  handledAt?: string;
  closedAt?: string;
  counters: CaseCounters;
  /** Where the event is: a department's premises id, a normalized address, or a small cell around the point. */
  premisesId?: string;
  /** Reports merged into this case (the case's own report is the case itself). */
  linkedReports: LinkedReport[];
  /** Set on a merged report: the case it went into. */
  mergedInto?: string;
  /** The status the case had when merged, restored by unmerge. */
  statusBeforeMerge?: CaseStatus;
  /** Set on a report that repeats a recently closed case: that case. */
  repeatOf?: RepeatLink;
  /** Set on a closed case that was reported again soon after closure: the new cases, oldest first. */
  repeatedBy?: RepeatLink[];
  /** Waiting in the review queue as a possible duplicate of these cases. */
  possibleDuplicates?: DuplicateCandidate[];
  /** The joint visit (综合查一次) covering this case, if any. */
  jointVisitId?: string;
  /** The reporter's latest verdict (回访), once the case was closed. */
  satisfaction?: Satisfaction;
  /** Counts of checked evidence (attachments live beside the case; `resolve` may need an "after" photo). */
  evidence?: EvidenceSummary;
  timeline: TimelineEntry[];
}

/**
 * What a case store's summary list (`CaseStore.listSummaries`) reads of each case: what a board shows, plus what its deadline and
 * the reader's right to personal data are worked out from. Not the timeline, not the reporter.
 */
export const CASE_SUMMARY_SOURCE = [
  'id',
  'version',
  'status',
  'source',
  'priority',
  'category',
  'description',
  'location',
  'zone',
  'lead',
  'assignee',
  'reportedAt',
  'updatedAt',
  'closedAt',
  'triage',
  'suggestions',
  'possibleDuplicates',
  'linkedReports',
  'deadlines',
  'hold',
  'submittedBy',
] as const satisfies readonly (keyof Case)[];
export type CaseSummarySource = Pick<Case, (typeof CASE_SUMMARY_SOURCE)[number]>;
