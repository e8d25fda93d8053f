import { EXPORT_JOB_STATUSES } from '../domain/export-job';
import { ExportJobBody, ExportJobId } from './export-job-schemas';
import { jsonSchemaOf, problemResponses } from './openapi-parts';
import { IdempotencyKey } from './schemas';

/** The export jobs part of the OpenAPI document: POST /v1/exports and GET /v1/exports/{id}. */
const exportJob = {
  type: 'object',
  required: [
    'id',
    'kind',
    'format',
    'status',
    'phase',
    'createdAt',
    'updatedAt',
    'rows',
    'progress',
    'filename',
  ],
  properties: {
    id: { type: 'string' },
    kind: { enum: ['cases', 'evaluation'] },
    format: { enum: ['csv', 'xlsx'] },
    status: { enum: [...EXPORT_JOB_STATUSES] },
    phase: { enum: ['reading', 'writing'], description: 'reading pages of cases, or writing the file' },
    filters: { type: 'object', description: 'The case list filters asked for (kind cases)' },
    month: { type: 'string', description: 'YYYY-MM (kind evaluation)' },
    createdAt: { type: 'string', format: 'date-time' },
    updatedAt: { type: 'string', format: 'date-time' },
    finishedAt: { type: 'string', format: 'date-time' },
    rows: { type: 'integer', description: 'Rows read so far (all of them once done)' },
    progress: {
      type: 'number',
      minimum: 0,
      maximum: 1,
      description:
        'How far the job is. The total is unknown while reading, so reading approaches 0.9 as rows arrive; 1 when done',
    },
    filename: { type: 'string' },
    size: { type: 'integer', description: 'Bytes of the finished file' },
    failure: {
      type: 'object',
      properties: { rule: { enum: ['too_many_rows', 'worker_failed'] }, reason: { type: 'string' } },
    },
    download: {
      type: 'object',
      description:
        'Once done: a presigned GET of the file (no token needed), valid for 5 minutes; ask again for a fresh one',
      properties: {
        url: { type: 'string', format: 'uri' },
        expiresAt: { type: 'string', format: 'date-time' },
      },
    },
  },
};

const jobContent = { 'application/json': { schema: exportJob } };

/** The operation of an export job route, or undefined for any other route. */
export const exportJobOperation = (method: string, path: string): Record<string, unknown> | undefined => {
  if (method === 'POST' && path === '/v1/exports') {
    return {
      summary:
        'Start an export as a job: the case list (CSV or XLSX, with the filters of GET /v1/cases) or the monthly evaluation workbook',
      description:
        "No size limit but the job's (250,000 rows): the export worker reads the cases in steps and writes the file " +
        "to the exports bucket. Same masking and scope as the list for this reader (another zone's or " +
        "department's filter is refused with 403). The job is the caller's only. A retry with the same " +
        'Idempotency-Key returns the same job; the key with another body is 422.',
      parameters: [
        { name: 'Idempotency-Key', in: 'header', required: false, schema: jsonSchemaOf(IdempotencyKey) },
      ],
      requestBody: {
        required: true,
        content: { 'application/json': { schema: jsonSchemaOf(ExportJobBody) } },
      },
      responses: {
        202: {
          description: 'The job, queued; follow it at the Location header',
          headers: { Location: { schema: { type: 'string' }, description: '/v1/exports/{id}' } },
          content: jobContent,
        },
        ...problemResponses(400, 401, 403, 415, 422),
      },
    };
  }
  if (method === 'GET' && path === '/v1/exports/{id}') {
    return {
      summary: "An export job's status and progress; once done, a short-lived download link",
      parameters: [{ name: 'id', in: 'path', required: true, schema: jsonSchemaOf(ExportJobId) }],
      responses: {
        200: {
          description: "The job (a failed one names the failure's rule and reason)",
          content: jobContent,
        },
        ...problemResponses(400, 401, 404),
      },
    };
  }
  return undefined;
};
