import { CAMERA_ID_PATTERN, CAMERA_STATUSES } from '../district/camera-input';
import { NEAREST_RADIUS_METRES } from '../domain/camera';
import { SNAPSHOT_CONTENT_TYPES } from '../domain/camera-alert';
import { KIND_RULES } from '../domain/evidence';
import * as z from '../validation/zod';
import { lazySchema } from './lazy-schema';

/** Requests of the camera routes (strict, like every request schema). */

export const CameraId = /* @__PURE__ */ lazySchema(() =>
  z.string().check(z.regex(CAMERA_ID_PATTERN, 'letters, digits, dot, dash and underscore, at most 64')),
);

const departmentId = /* @__PURE__ */ lazySchema(() =>
  z.string().check(z.regex(/^[a-z][a-z0-9-]{1,40}$/, 'a department id from GET /v1/district')),
);

/** A camera as an administrator describes it; its zone is derived from the location. */
const cameraFields = /* @__PURE__ */ lazySchema(() => ({
  name: z.string().check(z.trim(), z.minLength(1), z.maxLength(80)),
  location: z.strictObject({
    lat: z.number().check(z.gte(-90), z.lte(90), z.describe('Latitude in degrees (WGS84)')),
    lng: z.number().check(z.gte(-180), z.lte(180), z.describe('Longitude in degrees (WGS84)')),
  }),
  direction: z
    .optional(z.number().check(z.gte(0), z.lt(360)))
    .check(z.describe('Bearing it looks along, degrees from north')),
  fieldOfView: z
    .optional(z.number().check(z.gt(0), z.lte(360)))
    .check(z.describe('Horizontal field of view, degrees')),
  streamUrl: z
    .string()
    .check(
      z.minLength(1),
      z.maxLength(2048),
      z.describe(
        'HLS link a browser plays: http(s), or a path on this platform beginning with "/"; the platform never relays video',
      ),
    ),
  owner: departmentId().check(z.describe('The department that runs the camera')),
  status: z.optional(z.enum(CAMERA_STATUSES)).check(z.describe('online (default), offline or maintenance')),
}));

export const CameraBody = /* @__PURE__ */ lazySchema(() =>
  z.strictObject({ id: CameraId(), ...cameraFields() }),
);
export const CameraReplaceBody = /* @__PURE__ */ lazySchema(() => z.strictObject(cameraFields()));

export const CameraListQuery = /* @__PURE__ */ lazySchema(() =>
  z.strictObject({
    zone: z.optional(z.string().check(z.regex(/^[a-z][a-z0-9-]{1,40}$/, 'a zone id from GET /v1/district'))),
  }),
);

export const NearbyCamerasQuery = /* @__PURE__ */ lazySchema(() =>
  z.strictObject({
    radius: z
      .optional(
        z.pipe(
          z.pipe(
            z.string().check(z.regex(/^[0-9]{1,5}$/, `whole metres from 1 to ${NEAREST_RADIUS_METRES.max}`)),
            z.transform(Number),
          ),
          z.number().check(z.int(), z.gte(1), z.lte(NEAREST_RADIUS_METRES.max)),
        ),
      )
      .check(
        z.describe(
          `Metres around the case (default ${NEAREST_RADIUS_METRES.default}, at most ${NEAREST_RADIUS_METRES.max})`,
        ),
      ),
  }),
);

/** One alert of a video-analytics system, with its snapshot as a URL to fetch or an upload to come. */
export const CameraAlertBody = /* @__PURE__ */ lazySchema(() =>
  z
    .strictObject({
      cameraId: CameraId().check(z.describe('A camera of the registry (GET /v1/cameras)')),
      alertType: z
        .string()
        .check(
          z.regex(/^[a-z][a-z0-9_.-]{0,40}$/, 'an alert type of the district (cameraAlerts.types)'),
          z.describe('Mapped to a category by the district file (cameraAlerts.types)'),
        ),
      occurredAt: z.iso.datetime({ offset: true }).check(z.describe('When the camera saw it')),
      alertId: z
        .optional(
          z
            .string()
            .check(
              z.regex(/^[A-Za-z0-9._:-]{1,100}$/, 'letters, digits, dot, dash, underscore, colon (≤ 100)'),
            ),
        )
        .check(z.describe("The analytics system's own id: a retry with the same id returns the same report")),
      snapshotUrl: z
        .optional(z.url({ protocol: /^https?$/ }).check(z.maxLength(2048)))
        .check(
          z.describe(
            "Where the platform fetches the snapshot: https on a host of the district's list (cameraAlerts.snapshots.hosts); " +
              'a host not on it is refused (422), a fetch that fails is recorded on the report',
          ),
        ),
      snapshot: z
        .optional(
          z.strictObject({
            contentType: z.enum(SNAPSHOT_CONTENT_TYPES),
            size: z.number().check(z.int(), z.gte(1), z.lte(KIND_RULES.photo.maxBytes)),
            sha256: z.string().check(z.regex(/^[0-9a-f]{64}$/, '64 lower-case hex digits')),
          }),
        )
        .check(
          z.describe(
            'Or the snapshot the system uploads itself: the reply carries `snapshotUpload`, a form (S3 presigned POST) ' +
              'for these exact bytes (the sha256 is part of the signed alert)',
          ),
        ),
      description: z.optional(z.string().check(z.trim(), z.minLength(1), z.maxLength(500))),
    })
    .check(
      z.superRefine((alert, ctx) => {
        if (alert.snapshotUrl !== undefined && alert.snapshot !== undefined) {
          ctx.addIssue({
            code: 'custom',
            path: ['snapshot'],
            message:
              'send the snapshot one way: snapshotUrl (the platform fetches it) or snapshot (you upload it)',
          });
        }
      }),
    ),
);
