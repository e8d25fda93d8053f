import { CAMERA_STATUSES } from '../district/camera-input';
import {
  CameraAlertBody,
  CameraBody,
  CameraId,
  CameraListQuery,
  CameraReplaceBody,
  NearbyCamerasQuery,
} from './camera-schemas';
import { jsonSchemaOf, problemResponses, SIGNED_REQUEST, signatureHeaderParameters } from './openapi-parts';

/** The camera (视频监控) part of the OpenAPI document, from the schemas that validate those requests. */
const schema = jsonSchemaOf;

export const CameraSchema = {
  type: 'object',
  required: ['id', 'name', 'location', 'zone', 'streamUrl', 'owner', 'status', 'createdAt', 'updatedAt'],
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    location: {
      type: 'object',
      required: ['lat', 'lng'],
      properties: { lat: { type: 'number' }, lng: { type: 'number' } },
    },
    zone: { type: 'string', description: 'Derived from the location' },
    direction: { type: 'number' },
    fieldOfView: { type: 'number' },
    streamUrl: { type: 'string', description: 'HLS link the browser plays; never relayed by the platform' },
    owner: { type: 'string' },
    status: { enum: [...CAMERA_STATUSES] },
    createdAt: { type: 'string', format: 'date-time' },
    updatedAt: { type: 'string', format: 'date-time' },
  },
};

const cameraRef = { $ref: '#/components/schemas/Camera' };
const json = (s: unknown) => ({ 'application/json': { schema: s } });
const queryParameters = (query: typeof CameraListQuery | typeof NearbyCamerasQuery) => {
  const { properties = {} } = schema(query) as { properties?: Record<string, unknown> };
  return Object.entries(properties).map(([name, s]) => ({ name, in: 'query', required: false, schema: s }));
};
const pathId = (s: unknown) => ({ name: 'id', in: 'path', required: true, schema: s });

export const cameraOperation = (method: string, path: string): Record<string, unknown> | undefined => {
  const route = `${method} ${path}`;
  switch (route) {
    case 'GET /v1/cameras':
      return {
        summary:
          'The camera registry (administrators and the command centre: all; an area chief: their zone)',
        parameters: queryParameters(CameraListQuery),
        responses: {
          200: {
            description: 'Cameras by id',
            content: json({ type: 'object', properties: { items: { type: 'array', items: cameraRef } } }),
          },
          ...problemResponses(400, 401, 403),
        },
      };
    case 'POST /v1/cameras':
      return {
        summary: 'Register a camera (administrators); its zone is derived, it must stand inside the district',
        requestBody: { required: true, content: json(schema(CameraBody)) },
        responses: {
          201: { description: 'Registered', content: json(cameraRef) },
          ...problemResponses(400, 401, 403, 409, 415, 422),
        },
      };
    case 'POST /v1/cameras/import':
      return {
        summary:
          "Register the district file's cameras (administrators); ids already registered are kept as they are",
        responses: {
          200: {
            description: 'What was imported and what was kept',
            content: json({
              type: 'object',
              properties: {
                imported: { type: 'array', items: { type: 'string' } },
                kept: { type: 'array', items: { type: 'string' } },
              },
            }),
          },
          ...problemResponses(401, 403),
        },
      };
    case 'PUT /v1/cameras/{id}':
      return {
        summary: 'Replace a camera (administrators)',
        parameters: [pathId(schema(CameraId))],
        requestBody: { required: true, content: json(schema(CameraReplaceBody)) },
        responses: {
          200: { description: 'The camera now', content: json(cameraRef) },
          ...problemResponses(400, 401, 403, 404, 415, 422),
        },
      };
    case 'DELETE /v1/cameras/{id}':
      return {
        summary: 'Remove a camera (administrators)',
        parameters: [pathId(schema(CameraId))],
        responses: { 204: { description: 'Removed' }, ...problemResponses(400, 401, 403, 404) },
      };
    case 'GET /v1/cases/{id}/cameras':
      return {
        summary:
          'The cameras nearest a case, within a radius, nearest first (from the geo index); for whoever may read the case',
        parameters: [pathId({ type: 'string' }), ...queryParameters(NearbyCamerasQuery)],
        responses: {
          200: {
            description: 'Cameras with their distance in metres',
            content: json({
              type: 'object',
              properties: {
                caseId: { type: 'string' },
                radiusMetres: { type: 'integer' },
                items: {
                  type: 'array',
                  items: {
                    allOf: [
                      cameraRef,
                      { type: 'object', properties: { distanceMetres: { type: 'integer' } } },
                    ],
                  },
                },
              },
            }),
          },
          ...problemResponses(400, 401, 404),
        },
      };
    case 'POST /v1/integrations/cameras/alerts':
      return {
        summary:
          'A camera alert from a video-analytics system, signed with a key that may send `alerts` (source `camera`)',
        description:
          `${SIGNED_REQUEST} ` +
          "The alert becomes a report at the camera's location, with the category the district maps the alert type to, " +
          'and goes through routing and dedup: alerts of one camera and type within the merge window become one case. ' +
          'Past the per-camera, per-type budget of a minute the alert is acknowledged as `coalesced` (202) without another report. ' +
          'The snapshot becomes evidence on the case the report lands in (an attachment of origin `camera`, checked like a ' +
          "photo but judged by the camera's registered place and the alert time): either `snapshotUrl`, fetched at once from a " +
          "host of the district's list (https; 5 s; photo size limit; never a private, loopback or link-local address unless the " +
          'district allows it for that host; a host not listed is 422 `snapshot_host_not_allowed`; a fetch that fails is recorded ' +
          'on the report as `camera.snapshot.failure` and on the case as a rejected attachment `snapshot_unavailable`), or ' +
          '`snapshot {contentType, size, sha256}`, uploaded by the system with the form in `snapshotUpload`.',
        parameters: signatureHeaderParameters(),
        requestBody: { required: true, content: json(schema(CameraAlertBody)) },
        responses: {
          202: {
            description:
              'Reported (`coalesced: false`, with the report; `camera.snapshot` says where its snapshot stands) or absorbed ' +
              'into the storm (`coalesced: true`, no snapshot taken)',
            content: json({
              type: 'object',
              properties: {
                coalesced: { type: 'boolean' },
                snapshotUpload: {
                  type: 'object',
                  description:
                    'With `snapshot` only: an S3 presigned POST (`url`, `fields`, `expiresAt`) for the snapshot; post every field, then the file',
                  properties: {
                    url: { type: 'string' },
                    fields: { type: 'object', additionalProperties: { type: 'string' } },
                    expiresAt: { type: 'string', format: 'date-time' },
                  },
                },
              },
            }),
          },
          ...problemResponses(400, 401, 403, 415, 422, 429),
        },
      };
    default:
      return undefined;
  }
};
