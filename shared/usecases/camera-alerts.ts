import { createHash } from 'node:crypto';
import type { CameraAlertFacts, CameraSnapshot, SnapshotContentType } from '../domain/camera-alert';
import {
  declaredSnapshot,
  SNAPSHOT_FETCH_TIMEOUT_MS,
  SnapshotFetchError,
  type SnapshotSource,
  snapshotSourceFor,
} from '../domain/camera-snapshot';
import type { Actor } from '../domain/case';
import { InvalidInputError } from '../domain/errors';
import { KIND_RULES, snapshotKeyOf } from '../domain/evidence';
import { rateWindowAt } from '../domain/rate-window';
import type { ReportInput } from '../domain/report';
import { locateZone } from '../domain/routing';
import type { CameraStore, EvidenceBucket, RateLimiter, SnapshotFetcher, UploadForm } from '../ports';
import { reportIdFor, type SubmitReportDeps, type SubmitReportResult, submitReport } from './submit-report';

export interface CameraAlertDeps extends SubmitReportDeps {
  cameras: CameraStore;
  /** The per-camera burst counter (the same conditional per-minute counter as the keys' rate limits). */
  rateLimiter: RateLimiter;
  /** Where snapshots wait for their case (`snapshots/<report>`), and the forms to upload them. */
  bucket: Pick<EvidenceBucket, 'put' | 'uploadForm'>;
  snapshots: SnapshotFetcher;
}

export interface CameraAlert {
  cameraId: string;
  alertType: string;
  occurredAt: string;
  alertId?: string;
  /** Where the platform fetches the snapshot (a host of the district's list). */
  snapshotUrl?: string;
  /** Or the snapshot the system uploads itself with the form in the reply: its type, size and hash. */
  snapshot?: { contentType: SnapshotContentType; size: number; sha256: string };
  description?: string;
}

export type CameraAlertOutcome =
  | {
      kind: 'reported';
      result: SubmitReportResult;
      /** The form for the declared snapshot (`snapshot` in the alert). */
      snapshotUpload?: UploadForm;
    }
  /**
   * Past the district's `maxReportsPerMinute` for this camera and type: acknowledged and counted
   * against the burst, not turned into another report. The reports already made this minute
   * carry the event; they merge into its one case by the dedup rule (same camera + type).
   */
  | { kind: 'coalesced'; minute: string; maxReportsPerMinute: number };

/** The burst counter's bucket: one per camera and alert type (per UTC minute, as the window says). */
export const alertBurstBucket = (cameraId: string, alertType: string) => `CAMALERT#${cameraId}#${alertType}`;

/**
 * A video-analytics alert becomes a report at the camera's location (source `camera`, the
 * category the district maps the alert type to) and goes through intake, routing and dedup like
 * any other report. Storms are absorbed twice: at intake, at most `maxReportsPerMinute` alerts per
 * camera, type and minute become reports; in dedup, reports of one camera and type within
 * `mergeWindowMinutes` are one event, so they merge into one case.
 *
 * The snapshot is taken into the evidence bucket under the report's own key before the report is
 * written (the case is not known yet; the router copies it to the case once it is): fetched from
 * `snapshotUrl`, or uploaded by the system with the form in the reply (`snapshot`). A URL on a host
 * the district doesn't list is refused at once; a fetch that fails is recorded on the report, which
 * stands (the case then shows the snapshot as unavailable). A retry of an alert already reported
 * fetches nothing again.
 */
export const receiveCameraAlert = async (
  deps: CameraAlertDeps,
  request: { alert: CameraAlert; actor: Actor; correlationId: string },
): Promise<CameraAlertOutcome> => {
  const { alert, actor } = request;
  const settings = deps.district.config.cameraAlerts;
  const categoryCode = settings?.types[alert.alertType];
  if (!settings || !categoryCode) {
    const known = Object.keys(settings?.types ?? {});
    throw new InvalidInputError(
      'alertType',
      'unknown_alert_type',
      known.length === 0
        ? 'this district maps no camera alert types to categories (cameraAlerts.types)'
        : `no alert type "${alert.alertType}" in this district; known: ${known.join(', ')}`,
    );
  }
  const camera = await deps.cameras.get(alert.cameraId);
  if (!camera) {
    throw new InvalidInputError(
      'cameraId',
      'unknown_camera',
      `no camera "${alert.cameraId}" in the registry`,
    );
  }
  // Registration refuses cameras outside the zones; a district file changed since could strand one.
  if (locateZone(deps.district, camera.location).distanceMetres > 0) {
    throw new InvalidInputError(
      'cameraId',
      'camera_outside_district',
      `camera "${camera.id}" stands outside every zone of ${deps.district.config.name.en}`,
    );
  }
  // Decided before anything is counted or written: a URL the platform may not fetch is the sender's mistake.
  const source = alert.snapshotUrl
    ? snapshotSourceFor(settings.snapshots.hosts, alert.snapshotUrl)
    : undefined;
  const window = rateWindowAt(deps.clock.now());
  const admitted = await deps.rateLimiter.tryAcquire(
    alertBurstBucket(camera.id, alert.alertType),
    settings.maxReportsPerMinute,
    window,
  );
  if (!admitted) {
    return { kind: 'coalesced', minute: window.minute, maxReportsPerMinute: settings.maxReportsPerMinute };
  }
  const category = deps.district.category(categoryCode);
  const facts: CameraAlertFacts = {
    cameraId: camera.id,
    alertType: alert.alertType,
    alertAt: new Date(alert.occurredAt).toISOString(),
    ...(alert.alertId !== undefined && { alertId: alert.alertId }),
    ...(alert.snapshotUrl !== undefined && { snapshotUrl: alert.snapshotUrl }),
  };
  const input: ReportInput = {
    source: 'camera',
    category: categoryCode,
    description: alert.description ?? `摄像头「${camera.name}」告警：${category?.name.zh ?? alert.alertType}`,
    location: { lat: camera.location.lat, lng: camera.location.lng, crs: 'wgs84', address: camera.name },
    occurredAt: alert.occurredAt,
    camera: facts,
  };
  // The analytics system's retry of one alert is the same report; without its id, camera + type + instant.
  const idempotencyKey = `camera-alert:${camera.id}:${alert.alertId ?? `${alert.alertType}@${facts.alertAt}`}`;
  const reportId = reportIdFor(deps, { input, actor, idempotencyKey });
  let snapshot: CameraSnapshot | undefined;
  if (alert.snapshot) snapshot = declaredSnapshot(reportId, alert.snapshot);
  else if (source && !(await deps.store.get(reportId))) {
    snapshot = await takeSnapshot(deps, source, reportId);
  }
  const result = await submitReport(deps, {
    input: { ...input, camera: { ...facts, ...(snapshot && { snapshot }) } },
    actor,
    idempotencyKey,
    correlationId: request.correlationId,
    fingerprint: alert,
  });
  if (!alert.snapshot) return { kind: 'reported', result };
  // Integrity comes from the sha256 in the signed alert, not from the form: a fresh form for a retry is safe.
  const minutes = deps.district.config.evidence.uploadFormMinutes;
  const snapshotUpload = await deps.bucket.uploadForm({
    key: snapshotKeyOf(result.case.id),
    contentType: alert.snapshot.contentType,
    maxBytes: KIND_RULES.photo.maxBytes,
    expiresInSeconds: minutes * 60,
  });
  return { kind: 'reported', result, snapshotUpload };
};

/**
 * Fetches the snapshot into the bucket under the report's key. A fetch that fails is recorded, not
 * thrown: the alert's report matters more than its picture. A failure to store what was fetched is
 * ours, and throws (the system's retry fetches again; nothing was written yet).
 */
const takeSnapshot = async (
  deps: CameraAlertDeps,
  source: SnapshotSource,
  reportId: string,
): Promise<CameraSnapshot> => {
  const objectKey = snapshotKeyOf(reportId);
  let fetched: Awaited<ReturnType<SnapshotFetcher['fetch']>>;
  try {
    fetched = await deps.snapshots.fetch({
      url: source.url,
      allowPrivateAddresses: source.allowPrivateAddresses,
      maxBytes: KIND_RULES.photo.maxBytes,
      timeoutMs: SNAPSHOT_FETCH_TIMEOUT_MS,
    });
  } catch (error) {
    if (!(error instanceof SnapshotFetchError)) throw error;
    return { via: 'url', objectKey, failure: { rule: error.rule, reason: error.message } };
  }
  await deps.bucket.put(objectKey, fetched.bytes, fetched.contentType);
  return {
    via: 'url',
    objectKey,
    contentType: fetched.contentType,
    bytes: fetched.bytes.length,
    sha256: createHash('sha256').update(fetched.bytes).digest('hex'),
    fetchedAt: deps.clock.now(),
  };
};
