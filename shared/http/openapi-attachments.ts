import { jsonSchemaOf, problemResponses } from './openapi-parts';
import { AttachmentRequestBody } from './schemas';

const idParameter = { name: 'id', in: 'path', required: true, schema: { type: 'string' } };

/** An attachment as GET/POST …/attachments show it: links only for verified evidence. */
export const AttachmentSchema = {
  type: 'object',
  required: ['id', 'kind', 'contentType', 'size', 'status', 'requestedBy', 'requestedAt'],
  properties: {
    id: { type: 'string' },
    origin: {
      type: 'string',
      enum: ['field', 'camera'],
      description:
        "field: uploaded from a device with a form; camera: a camera alert's snapshot (judged by the camera's registered place and the alert time)",
    },
    camera: {
      type: 'object',
      description: 'Camera snapshots only: cameraId, alertAt, reportId (the report the alert became)',
    },
    kind: { type: 'string', enum: ['photo', 'video', 'document'] },
    contentType: { type: 'string' },
    size: { type: 'integer' },
    status: { type: 'string', enum: ['pending', 'verified', 'rejected'] },
    requestedBy: { type: 'object' },
    requestedAt: { type: 'string', format: 'date-time' },
    checkedAt: { type: 'string', format: 'date-time' },
    rule: {
      type: 'string',
      description:
        'Why it was rejected: zero_bytes, too_large, form_expired, content_type_mismatch, truncated_image, undecodable_image, sha256_mismatch, taken_in_future, too_far_from_case; camera snapshots also taken_long_before_report, snapshot_unavailable (the snapshot URL gave no image)',
    },
    reason: { type: 'string' },
    facts: {
      type: 'object',
      description:
        'What the check found: detectedType, bytes, takenAt and gps (EXIF; for a camera snapshot the alert time and the camera’s registered place, with cameraId), distanceMetres to the case, takenAfterDispatch (never for camera snapshots), width, height',
    },
    downloadUrl: { type: 'string', description: 'Verified only; expires after 5 minutes' },
    thumbnailUrl: { type: 'string', description: 'Verified photos only; expires after 5 minutes' },
    urlsExpireAt: { type: 'string', format: 'date-time' },
  },
} as const;

/** The evidence routes' operations, or undefined for any other route. */
export const attachmentOperation = (method: string, path: string) => {
  if (path !== '/v1/cases/{id}/attachments') return undefined;
  if (method === 'GET') {
    return {
      summary:
        "The case's evidence: every attachment with its status, and short-lived links to verified ones",
      parameters: [idParameter],
      responses: {
        200: {
          description: 'The attachments, oldest first',
          content: {
            'application/json': {
              schema: {
                type: 'object',
                properties: { items: { type: 'array', items: { $ref: '#/components/schemas/Attachment' } } },
              },
            },
          },
        },
        ...problemResponses(400, 401, 403, 404),
      },
    };
  }
  return {
    summary:
      'An upload form (S3 presigned POST: exact key, content type, size range, 10-minute expiry) for one photo, video or document; idempotent per Idempotency-Key or sha256',
    parameters: [
      idParameter,
      { name: 'Idempotency-Key', in: 'header', required: false, schema: { type: 'string' } },
    ],
    requestBody: {
      required: true,
      content: { 'application/json': { schema: jsonSchemaOf(AttachmentRequestBody) } },
    },
    responses: {
      201: {
        description:
          'A new attachment (pending) and its form: POST multipart/form-data to `url` with `fields`, the file last',
        content: {
          'application/json': {
            schema: {
              type: 'object',
              properties: {
                attachment: { $ref: '#/components/schemas/Attachment' },
                upload: {
                  type: 'object',
                  properties: {
                    url: { type: 'string' },
                    fields: { type: 'object', additionalProperties: { type: 'string' } },
                    expiresAt: { type: 'string', format: 'date-time' },
                  },
                },
              },
            },
          },
        },
      },
      200: { description: 'A retry: the same attachment, a fresh form while it still waits for its upload' },
      ...problemResponses(400, 401, 403, 404, 409, 415, 422),
    },
  };
};
