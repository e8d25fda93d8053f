import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import { actorFromEvent } from '../../shared/auth/actor';
import { authorize } from '../../shared/domain/authorization';
import { NEAREST_RADIUS_METRES } from '../../shared/domain/camera';
import {
  CameraAlertBody,
  CameraBody,
  CameraId,
  CameraListQuery,
  CameraReplaceBody,
  NearbyCamerasQuery,
} from '../../shared/http/camera-schemas';
import { caseView } from '../../shared/http/case-view';
import { correlationIdOf, httpFunction, json } from '../../shared/http/middleware';
import { RequestError } from '../../shared/http/problem';
import { jsonBody, pathParam, queryParams, signedRequestOf } from '../../shared/http/request';
import { CaseId } from '../../shared/http/schemas';
import type {
  CameraStore,
  EvidenceBucket,
  IntegrationRefusals,
  RateLimiter,
  SnapshotFetcher,
} from '../../shared/ports';
import type { IdentityConfig } from '../../shared/runtime/config';
import { integrationRefusalMetrics } from '../../shared/runtime/integration-refusals';
import { metrics } from '../../shared/runtime/observability';
import { admitIntegrationCaller } from '../../shared/usecases/admit-integration-caller';
import { receiveCameraAlert } from '../../shared/usecases/camera-alerts';
import {
  type CameraRegistryDeps,
  camerasNearCase,
  importDistrictCameras,
  listCameras,
  registerCamera,
  removeCamera,
  replaceCamera,
} from '../../shared/usecases/cameras';
import type { VerifyDeps } from '../../shared/usecases/signed-requests';
import type { SubmitReportDeps } from '../../shared/usecases/submit-report';

export interface CamerasDeps extends CameraRegistryDeps, SubmitReportDeps, VerifyDeps {
  cameras: CameraStore;
  identity: IdentityConfig;
  /** Counts signed alerts per key and minute, and the per-camera bursts. */
  rateLimiter: RateLimiter;
  /** Alerts' snapshots wait here for their case (`snapshots/<report>`). */
  bucket: Pick<EvidenceBucket, 'put' | 'uploadForm'>;
  snapshots: SnapshotFetcher;
  /** Where refused alerts are counted (default: CloudWatch metrics). */
  refusals?: IntegrationRefusals;
}

type Event = APIGatewayProxyEventV2WithJWTAuthorizer;

/** Video-analytics systems send camera alerts here, signed like every system that pushes to us. */
export const CAMERA_ALERT_ROUTE = 'POST /v1/integrations/cameras/alerts';

/**
 * POST /v1/integrations/cameras/alerts: public at the gateway (the HMAC signature is the
 * credential, as for department events), verified before the body is parsed; then a report at the
 * camera (202), or coalesced into the storm it belongs to (202, `coalesced: true`).
 */
const acceptCameraAlert = async (deps: CamerasDeps, event: Event) => {
  // The key was issued for source `camera`; a record changed behind our back is still refused.
  const { principal } = await admitIntegrationCaller(
    { ...deps, refusals: deps.refusals ?? integrationRefusalMetrics },
    {
      credential: { kind: 'signature', request: signedRequestOf(event) },
      action: 'alerts',
      source: 'camera',
    },
  );
  const alert = jsonBody(event, CameraAlertBody);
  const { actor } = principal;
  const outcome = await receiveCameraAlert(deps, { alert, actor, correlationId: correlationIdOf(event) });
  if (outcome.kind === 'coalesced') {
    metrics.addMetric('CameraAlertsCoalesced', 'Count', 1);
    return json(202, {
      coalesced: true,
      cameraId: alert.cameraId,
      alertType: alert.alertType,
      minute: outcome.minute,
      maxReportsPerMinute: outcome.maxReportsPerMinute,
    });
  }
  const { result, snapshotUpload } = outcome;
  metrics.addMetric(result.replayed ? 'ReportsReplayed' : 'CameraAlertReports', 'Count', 1);
  if (result.case.camera?.snapshot?.failure) metrics.addMetric('CameraSnapshotsUnavailable', 'Count', 1);
  return json(
    202,
    {
      coalesced: false,
      ...caseView(result.case, deps.clock.now(), actor),
      ...(snapshotUpload && { snapshotUpload }),
    },
    {
      location: `/v1/cases/${result.case.id}`,
      ...(result.replayed && { 'idempotency-replayed': 'true' }),
    },
  );
};

/**
 * The camera registry (GET/POST /v1/cameras, PUT/DELETE /v1/cameras/{id}, POST /v1/cameras/import),
 * the cameras near a case (GET /v1/cases/{id}/cameras) and the cameras' own alerts (POST
 * /v1/integrations/cameras/alerts). Links only: no video passes through here.
 */
export const makeHandler = (deps: CamerasDeps) =>
  httpFunction(async (event: Event) => {
    if (event.routeKey === CAMERA_ALERT_ROUTE) return acceptCameraAlert(deps, event);
    const actor = actorFromEvent(event, deps.identity);
    switch (event.routeKey) {
      case 'GET /v1/cases/{id}/cameras': {
        const caseId = pathParam(event, 'id', CaseId);
        const { radius } = queryParams(event, NearbyCamerasQuery);
        const nearby = await camerasNearCase(deps, actor, caseId, radius ?? NEAREST_RADIUS_METRES.default);
        metrics.addMetric('NearbyCameraLookups', 'Count', 1);
        return json(200, {
          caseId: nearby.caseId,
          radiusMetres: nearby.radiusMetres,
          items: nearby.cameras.map(({ camera, distanceMetres }) => ({ ...camera, distanceMetres })),
        });
      }
      case 'GET /v1/cameras': {
        const { zone } = queryParams(event, CameraListQuery);
        return json(200, { items: await listCameras(deps, actor, zone) });
      }
      case 'POST /v1/cameras': {
        const { location, ...rest } = jsonBody(event, CameraBody);
        const camera = await registerCamera(deps, actor, { ...rest, location });
        return json(201, camera, { location: `/v1/cameras/${camera.id}` });
      }
      case 'PUT /v1/cameras/{id}': {
        const id = pathParam(event, 'id', CameraId);
        const body = jsonBody(event, CameraReplaceBody);
        return json(200, await replaceCamera(deps, actor, { id, ...body }));
      }
      case 'DELETE /v1/cameras/{id}': {
        await removeCamera(deps, actor, pathParam(event, 'id', CameraId));
        return { statusCode: 204 };
      }
      case 'POST /v1/cameras/import': {
        authorize(actor, 'manage_cameras');
        return json(200, await importDistrictCameras(deps));
      }
      default:
        throw new RequestError(404, 'Unknown route', [
          { field: 'route', rule: 'known_route', message: event.routeKey },
        ]);
    }
  });
