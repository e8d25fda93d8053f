import type { CameraAlertFacts } from '../domain/camera';
import type { Actor } from '../domain/case';
import { InvalidInputError } from '../domain/errors';
import { rateWindowAt } from '../domain/rate-window';
import type { ReportInput } from '../domain/report';
import { locateZone } from '../domain/routing';
import type { CameraStore, RateLimiter } from '../ports';
import { type SubmitReportDeps, type SubmitReportResult, submitReport } from './submit-report';

export interface CameraAlertDeps extends SubmitReportDeps {
  cameras: CameraStore;
  /** The per-camera burst counter (the same conditional per-minute counter as the keys' rate limits). */
  rateLimiter: RateLimiter;
}

export interface CameraAlert {
  cameraId: string;
  alertType: string;
  occurredAt: string;
  alertId?: string;
  snapshotUrl?: string;
  description?: string;
}

export type CameraAlertOutcome =
  | { kind: 'reported'; result: SubmitReportResult }
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
 * Seam for evidence (#6): `snapshotUrl` is recorded on the report as sent; fetching it and
 * verifying it as evidence on the case is wired once the evidence path exists.
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
  const result = await submitReport(deps, {
    input,
    actor,
    idempotencyKey,
    correlationId: request.correlationId,
  });
  return { kind: 'reported', result };
};
