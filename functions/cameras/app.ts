import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import { actorFromEvent } from '../../shared/auth/actor';
import { authorize } from '../../shared/domain/authorization';
import { NEAREST_RADIUS_METRES } from '../../shared/domain/camera';
import {
  CameraBody,
  CameraId,
  CameraListQuery,
  CameraReplaceBody,
  NearbyCamerasQuery,
} from '../../shared/http/camera-schemas';
import { httpFunction, json } from '../../shared/http/middleware';
import { RequestError } from '../../shared/http/problem';
import { jsonBody, pathParam, queryParams } from '../../shared/http/request';
import { CaseId } from '../../shared/http/schemas';
import type { CameraStore, CaseStore, Clock } from '../../shared/ports';
import type { IdentityConfig } from '../../shared/runtime/config';
import { metrics } from '../../shared/runtime/observability';
import {
  type CameraRegistryDeps,
  camerasNearCase,
  importDistrictCameras,
  listCameras,
  registerCamera,
  removeCamera,
  replaceCamera,
} from '../../shared/usecases/cameras';

export interface CamerasDeps extends CameraRegistryDeps {
  cameras: CameraStore;
  store: CaseStore;
  clock: Clock;
  identity: IdentityConfig;
}

type Event = APIGatewayProxyEventV2WithJWTAuthorizer;

/**
 * The camera registry (GET/POST /v1/cameras, PUT/DELETE /v1/cameras/{id}, POST /v1/cameras/import)
 * and the cameras near a case (GET /v1/cases/{id}/cameras). Links only: no video passes through here.
 */
export const makeHandler = (deps: CamerasDeps) =>
  httpFunction(async (event: Event) => {
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
