import * as z from 'zod';
import {
  CAMERA_ID_PATTERN,
  CAMERA_STATUSES,
  NEAREST_RADIUS_METRES,
  SNAPSHOT_CONTENT_TYPES,
} from '../domain/camera';
import { KIND_RULES } from '../domain/evidence';
import { lazySchema } from './lazy-schema';

/** Requests of the camera routes (strict, like every request schema). */

export const CameraId = lazySchema(() =>
  z.string().regex(CAMERA_ID_PATTERN, 'letters, digits, dot, dash and underscore, at most 64'),
);

const departmentId = lazySchema(() =>
  z.string().regex(/^[a-z][a-z0-9-]{1,40}$/, 'a department id from GET /v1/district'),
);

/** A camera as an administrator describes it; its zone is derived from the location. */
const cameraFields = lazySchema(() => ({
  name: z.string().trim().min(1).max(80),
  location: z.strictObject({
    lat: z.number().gte(-90).lte(90).describe('Latitude in degrees (WGS84)'),
    lng: z.number().gte(-180).lte(180).describe('Longitude in degrees (WGS84)'),
  }),
  direction: z.number().min(0).lt(360).optional().describe('Bearing it looks along, degrees from north'),
  fieldOfView: z.number().gt(0).lte(360).optional().describe('Horizontal field of view, degrees'),
  streamUrl: z
    .string()
    .min(1)
    .max(2048)
    .describe(
      'HLS link a browser plays: http(s), or a path on this platform beginning with "/"; the platform never relays video',
    ),
  owner: departmentId().describe('The department that runs the camera'),
  status: z.enum(CAMERA_STATUSES).optional().describe('online (default), offline or maintenance'),
}));

export const CameraBody = lazySchema(() => z.strictObject({ id: CameraId(), ...cameraFields() }));
export const CameraReplaceBody = lazySchema(() => z.strictObject(cameraFields()));

export const CameraListQuery = lazySchema(() =>
  z.strictObject({
    zone: z
      .string()
      .regex(/^[a-z][a-z0-9-]{1,40}$/, 'a zone id from GET /v1/district')
      .optional(),
  }),
);

export const NearbyCamerasQuery = lazySchema(() =>
  z.strictObject({
    radius: z
      .string()
      .regex(/^[0-9]{1,5}$/, `whole metres from 1 to ${NEAREST_RADIUS_METRES.max}`)
      .transform(Number)
      .pipe(z.number().int().min(1).max(NEAREST_RADIUS_METRES.max))
      .optional()
      .describe(
        `Metres around the case (default ${NEAREST_RADIUS_METRES.default}, at most ${NEAREST_RADIUS_METRES.max})`,
      ),
  }),
);

/** One alert of a video-analytics system, with its snapshot as a URL to fetch or an upload to come. */
export const CameraAlertBody = lazySchema(() =>
  z
    .strictObject({
      cameraId: CameraId().describe('A camera of the registry (GET /v1/cameras)'),
      alertType: z
        .string()
        .regex(/^[a-z][a-z0-9_.-]{0,40}$/, 'an alert type of the district (cameraAlerts.types)')
        .describe('Mapped to a category by the district file (cameraAlerts.types)'),
      occurredAt: z.iso.datetime({ offset: true }).describe('When the camera saw it'),
      alertId: z
        .string()
        .regex(/^[A-Za-z0-9._:-]{1,100}$/, 'letters, digits, dot, dash, underscore, colon (≤ 100)')
        .optional()
        .describe("The analytics system's own id: a retry with the same id returns the same report"),
      snapshotUrl: z
        .url({ protocol: /^https?$/ })
        .max(2048)
        .optional()
        .describe(
          "Where the platform fetches the snapshot: https on a host of the district's list (cameraAlerts.snapshots.hosts); " +
            'a host not on it is refused (422), a fetch that fails is recorded on the report',
        ),
      snapshot: z
        .strictObject({
          contentType: z.enum(SNAPSHOT_CONTENT_TYPES),
          size: z.number().int().min(1).max(KIND_RULES.photo.maxBytes),
          sha256: z.string().regex(/^[0-9a-f]{64}$/, '64 lower-case hex digits'),
        })
        .optional()
        .describe(
          'Or the snapshot the system uploads itself: the reply carries `snapshotUpload`, a form (S3 presigned POST) ' +
            'for these exact bytes (the sha256 is part of the signed alert)',
        ),
      description: z.string().trim().min(1).max(500).optional(),
    })
    .superRefine((alert, ctx) => {
      if (alert.snapshotUrl !== undefined && alert.snapshot !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['snapshot'],
          message:
            'send the snapshot one way: snapshotUrl (the platform fetches it) or snapshot (you upload it)',
        });
      }
    }),
);
