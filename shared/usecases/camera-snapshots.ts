import { createHash } from 'node:crypto';
import { snapshotAttachmentId } from '../domain/camera-snapshot';
import { canonicalJson } from '../domain/canonical-json';
import type { Case } from '../domain/case';
import type { DistrictIndex } from '../domain/district-index';
import { type Attachment, objectKeyOf, parseSnapshotKey, type Verdict } from '../domain/evidence';
import type { AttachmentStore, CaseStore, Clock, EvidenceBucket } from '../ports';
import { recordVerdictOnCase } from './check-evidence';

export interface PlaceSnapshotDeps {
  store: CaseStore;
  attachments: AttachmentStore;
  bucket: Pick<EvidenceBucket, 'head' | 'copy'>;
  district: DistrictIndex;
  clock: Clock;
}

export type PlaceOutcome =
  /** Copied under the case's attachment key: the evidence check takes it from there. */
  | 'placed'
  /** The fetch had failed: the case records the snapshot as unavailable. */
  | 'unavailable'
  /** Placed before (a redelivered message, a duplicate S3 event, the other side of the race). */
  | 'already-placed'
  /** The system has not uploaded it yet: its arrival places it. */
  | 'awaiting-upload'
  /** Not routed yet: the router places it once it is. */
  | 'unrouted'
  /** The case already holds the district's `maxPerCase` camera snapshots (a storm). */
  | 'case-full'
  | 'no-snapshot'
  | 'no-case';

/** A merge target may itself have been merged since: follow the chain, a few links at most. */
const MAX_MERGE_HOPS = 5;

const caseOf = async (store: CaseStore, report: Case): Promise<Case | undefined> => {
  let current: Case | undefined = report;
  for (let hop = 0; current && hop <= MAX_MERGE_HOPS; hop++) {
    if (current.status !== 'merged' || !current.mergedInto) return current;
    current = (await store.get(current.mergedInto))?.case;
  }
  return undefined;
};

/**
 * A camera report's snapshot joins the case the router placed the report in: an attachment of
 * origin `camera` (one per report, whichever case, however often this runs) and a copy of the
 * staged object under the case's attachment key, whose ObjectCreated event runs the evidence check
 * exactly as for a phone's photo. Called by the router once the report is placed and by the
 * evidence function when a staged snapshot arrives; whichever comes second does the work (the
 * router writes the case before it looks at the bucket, the upload is in the bucket before its
 * event looks at the report, so one of them always sees the other).
 */
export const placeCameraSnapshot = async (
  deps: PlaceSnapshotDeps,
  report: Case,
  correlationId?: string,
): Promise<PlaceOutcome> => {
  const facts = report.camera;
  const snapshot = facts?.snapshot;
  if (!facts || !snapshot) return 'no-snapshot';
  if (report.status === 'reported') return 'unrouted';
  const target = await caseOf(deps.store, report);
  if (!target) return 'no-case';
  const id = snapshotAttachmentId(report.id);
  const existing = await deps.attachments.get(target.id, id);
  if (existing && existing.status !== 'pending') return 'already-placed';
  if (!existing) {
    const { maxPerCase } = deps.district.config.cameraAlerts?.snapshots ?? { maxPerCase: 5 };
    const held = (await deps.attachments.list(target.id)).filter((a) => a.origin === 'camera').length;
    if (held >= maxPerCase) return 'case-full';
  }
  const now = deps.clock.now();
  const base: Attachment = {
    id,
    caseId: target.id,
    origin: 'camera',
    camera: {
      cameraId: facts.cameraId,
      location: { lat: report.location.lat, lng: report.location.lng },
      alertAt: facts.alertAt,
      reportId: report.id,
      reportedAt: report.reportedAt,
    },
    kind: 'photo',
    contentType: snapshot.contentType ?? 'image/jpeg',
    size: snapshot.bytes ?? 0,
    ...(snapshot.sha256 && { sha256: snapshot.sha256 }),
    status: 'pending',
    objectKey: objectKeyOf(target.id, id),
    requestedBy: {
      subject: report.submittedBy.subject,
      role: report.submittedBy.role,
      ...(report.submittedBy.department && { department: report.submittedBy.department }),
    },
    requestedAt: now,
    // The copy below arrives at once; a retry later renews the window with its own copy.
    uploadExpiresAt: new Date(
      Date.parse(now) + deps.district.config.evidence.uploadFormMinutes * 60_000,
    ).toISOString(),
    requestHash: createHash('sha256').update(canonicalJson(snapshot)).digest('hex'),
  };

  if (snapshot.failure) {
    const verdict: Verdict = {
      status: 'rejected',
      rule: 'snapshot_unavailable',
      reason: `the snapshot could not be fetched (${snapshot.failure.rule}): ${snapshot.failure.reason}`,
      facts: { bytes: 0, cameraId: facts.cameraId, takenAt: facts.alertAt },
    };
    // The timeline first (idempotent by attachment id), then the attachment that ends the retries.
    await recordVerdictOnCase(deps, base, verdict, correlationId);
    await deps.attachments.create({
      ...base,
      status: 'rejected',
      checkedAt: now,
      rule: verdict.rule,
      reason: verdict.reason,
      facts: verdict.facts,
    });
    return 'unavailable';
  }

  const staged = await deps.bucket.head(snapshot.objectKey);
  if (!staged) return 'awaiting-upload';
  const attachment = { ...base, size: snapshot.bytes ?? staged.bytes };
  const created = await deps.attachments.create(attachment);
  if (!created.created) {
    if (created.existing.status !== 'pending') return 'already-placed';
    // Placed before but its copy may never have arrived (a crash in between): renew and copy again.
    await deps.attachments.replace(
      { ...created.existing, uploadExpiresAt: attachment.uploadExpiresAt },
      'pending',
    );
  }
  await deps.bucket.copy(snapshot.objectKey, attachment.objectKey);
  return 'placed';
};

export type ArrivalOutcome = PlaceOutcome | 'no-report';

/**
 * A staged snapshot arrived (`snapshots/<report>`, S3 ObjectCreated): placed at once if the report
 * is already in a case. A fetched snapshot is stored before its report is written, so a report
 * not there yet is normal; one never written leaves the object to the prefix's expiry.
 */
export const snapshotArrived = async (
  deps: PlaceSnapshotDeps,
  key: string,
  correlationId?: string,
): Promise<ArrivalOutcome> => {
  const reportId = parseSnapshotKey(key);
  const stored = reportId ? await deps.store.get(reportId) : undefined;
  if (!stored) return 'no-report';
  return placeCameraSnapshot(deps, stored.case, correlationId);
};

/** The router's hook (RouteReportDeps.placeSnapshot): reports without a snapshot cost nothing. */
export const snapshotPlacer =
  (deps: PlaceSnapshotDeps) =>
  async (report: Case, correlationId: string): Promise<void> => {
    if (!report.camera?.snapshot) return;
    await placeCameraSnapshot(deps, report, correlationId);
  };
