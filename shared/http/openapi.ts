import { CASE_STATUSES, RATINGS, ROLES, SOURCES, VERDICT_CHANNELS } from '../domain/case';
import { INTEGRATION_ACTIONS } from '../domain/integration-key';
import { API_KEY_HEADER, authOf, FUNCTIONS } from '../runtime/functions';
import { AttachmentSchema, attachmentOperation } from './openapi-attachments';
import { CameraSchema, cameraOperation } from './openapi-cameras';
import { evaluationOperation } from './openapi-evaluation';
import { exportJobOperation } from './openapi-export-jobs';
import { integrationOperation } from './openapi-integrations';
import { JointVisitSchema, jointVisitOperation } from './openapi-joint-visits';
import { jsonSchemaOf, problemResponses } from './openapi-parts';
import {
  COMMAND_BODIES,
  DUPLICATE_BODIES,
  IdempotencyKey,
  IntegrationKeyBody,
  ListQuery,
  ReportBody,
  SatisfactionBody,
} from './schemas';

/**
 * OpenAPI 3.1 for the HTTP API, generated from the same zod schemas that validate requests and
 * from the same route list the stack deploys, so the document can't drift from the service.
 */
const schema = jsonSchemaOf;

const Problem = {
  type: 'object',
  required: ['type', 'title', 'status', 'detail'],
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    errors: {
      type: 'array',
      items: {
        type: 'object',
        required: ['field', 'rule', 'message'],
        properties: { field: { type: 'string' }, rule: { type: 'string' }, message: { type: 'string' } },
      },
    },
  },
};

const TimelineEntry = {
  type: 'object',
  required: ['seq', 'at', 'action', 'actor', 'to', 'prevHash', 'hash'],
  properties: {
    seq: { type: 'integer' },
    at: { type: 'string', format: 'date-time' },
    action: { type: 'string' },
    actor: {
      type: 'object',
      properties: {
        subject: { type: 'string' },
        role: { enum: [...ROLES, 'integration', 'system'] },
        name: { type: 'string' },
        department: { type: 'string' },
        zone: { type: 'string' },
      },
    },
    from: { enum: [...CASE_STATUSES] },
    to: { enum: [...CASE_STATUSES] },
    reason: { type: 'string' },
    note: { type: 'string' },
    details: { type: 'object' },
    correlationId: { type: 'string' },
    prevHash: { type: 'string', description: 'sha256 of the previous entry (zeros for the first)' },
    hash: {
      type: 'string',
      description: 'sha256 over this entry and prevHash: an edited history breaks the chain',
    },
  },
};

const Case = {
  type: 'object',
  required: [
    'id',
    'status',
    'version',
    'source',
    'priority',
    'description',
    'location',
    'reportedAt',
    'timeline',
  ],
  properties: {
    id: { type: 'string' },
    district: { type: 'string' },
    status: { enum: [...CASE_STATUSES] },
    version: { type: 'integer', description: 'Send as expectedVersion to refuse stale commands' },
    source: { enum: [...SOURCES] },
    category: { type: 'string' },
    priority: { enum: ['urgent', 'high', 'normal', 'low'] },
    description: { type: 'string' },
    location: { type: 'object', description: 'WGS-84; `reported` keeps what the client sent' },
    occurredAt: { type: 'string', format: 'date-time' },
    reportedAt: { type: 'string', format: 'date-time' },
    updatedAt: { type: 'string', format: 'date-time' },
    reporter: { type: 'object', properties: { name: { type: 'string' }, phone: { type: 'string' } } },
    externalRef: { type: 'object', properties: { system: { type: 'string' }, id: { type: 'string' } } },
    triage: { type: 'boolean', description: 'Waiting for the command centre to categorise it' },
    zone: { type: 'object', properties: { id: { type: 'string' }, name: { type: 'object' } } },
    areaChief: { type: 'object' },
    lead: { type: 'string', description: 'Lead department id' },
    cooperating: { type: 'array', items: { type: 'string' } },
    assignee: { type: 'string', description: 'The department the case is dispatched to' },
    deadlines: {
      type: 'object',
      properties: {
        acceptBy: { type: 'string', format: 'date-time' },
        handleBy: { type: 'string', format: 'date-time' },
      },
    },
    overdue: { type: 'boolean' },
    nextDueAt: { type: 'string', format: 'date-time' },
    counters: { type: 'object' },
    satisfaction: {
      type: 'object',
      description:
        "The reporter's latest verdict (回访) on the case's closure; every verdict is a `satisfaction-recorded` timeline entry",
      required: ['rating', 'at', 'channel'],
      properties: {
        rating: { enum: [...RATINGS] },
        comment: {
          type: 'string',
          description: 'Phone numbers masked for readers without the right to personal data',
        },
        at: { type: 'string', format: 'date-time' },
        channel: { enum: [...VERDICT_CHANNELS] },
        by: {
          type: 'string',
          description:
            'Who recorded it on the reporter’s behalf (operator, 12345 platform, department system)',
        },
      },
    },
    timeline: { type: 'array', items: { $ref: '#/components/schemas/TimelineEntry' } },
  },
};

const IntegrationKey = {
  type: 'object',
  required: ['id', 'name', 'source', 'actions', 'rateLimitPerMinute', 'createdAt', 'createdBy'],
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    source: { enum: [...SOURCES] },
    actions: { type: 'array', items: { enum: [...INTEGRATION_ACTIONS] } },
    rateLimitPerMinute: { type: 'integer' },
    department: { type: 'string', description: 'The department a department system (events) acts for' },
    createdAt: { type: 'string', format: 'date-time' },
    createdBy: { type: 'string', description: "The administrator's subject" },
    revokedAt: { type: 'string', format: 'date-time' },
    revokedBy: { type: 'string' },
  },
};

const keyResponse = (description: string) => ({
  description,
  content: { 'application/json': { schema: { $ref: '#/components/schemas/IntegrationKey' } } },
});

const caseResponse = (description: string) => ({
  description,
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Case' } } },
});

const idParameter = { name: 'id', in: 'path', required: true, schema: { type: 'string' } };

const queryParameters = () => {
  const query = schema(ListQuery) as { properties: Record<string, unknown> };
  return Object.entries(query.properties).map(([name, s]) => ({
    name,
    in: 'query',
    required: false,
    schema: s,
  }));
};

const operationFor = (method: string, path: string): Record<string, unknown> => {
  const jointVisit = jointVisitOperation(method, path);
  if (jointVisit) return jointVisit;
  const integration = integrationOperation(method, path);
  if (integration) return integration;
  const evaluation = evaluationOperation(method, path);
  if (evaluation) return evaluation;
  const exportJob = exportJobOperation(method, path);
  if (exportJob) return exportJob;
  const camera = cameraOperation(method, path);
  if (camera) return camera;
  if (method === 'POST' && path === '/v1/cases') {
    return {
      summary: 'Report an incident (idempotent)',
      description:
        'Citizens (the reporter role) have a per-minute budget per account and per address; past it ' +
        'the reply is 429 with Retry-After.',
      parameters: [
        { name: 'Idempotency-Key', in: 'header', required: false, schema: schema(IdempotencyKey) },
      ],
      requestBody: { required: true, content: { 'application/json': { schema: schema(ReportBody) } } },
      responses: {
        202: caseResponse('Accepted; routing follows within seconds'),
        ...problemResponses(400, 401, 403, 415, 422, 429),
      },
    };
  }
  if (method === 'POST' && path === '/v1/integrations/reports') {
    return {
      summary:
        'Report an incident as a machine client (integration key; same body and idempotency as POST /v1/cases)',
      description:
        "The body's `source` must be the one the key is bound to (else 403 naming `source`). Each key has " +
        'a per-minute budget; past it the reply is 429 with Retry-After. No x-api-key: 401; an unknown, ' +
        'revoked or malformed key: 403.',
      parameters: [
        { name: 'Idempotency-Key', in: 'header', required: false, schema: schema(IdempotencyKey) },
      ],
      requestBody: { required: true, content: { 'application/json': { schema: schema(ReportBody) } } },
      responses: {
        202: caseResponse('Accepted; routing follows within seconds'),
        ...problemResponses(400, 401, 403, 415, 422, 429),
      },
    };
  }
  if (method === 'POST' && path === '/v1/integration-keys') {
    return {
      summary: 'Issue an integration key for a machine client (administrators)',
      requestBody: {
        required: true,
        content: { 'application/json': { schema: schema(IntegrationKeyBody) } },
      },
      responses: {
        201: {
          description: 'The key; `key` is shown this once and cannot be retrieved again',
          content: {
            'application/json': {
              schema: {
                allOf: [
                  { $ref: '#/components/schemas/IntegrationKey' },
                  {
                    type: 'object',
                    required: ['key'],
                    properties: {
                      key: { type: 'string', description: 'Send as the x-api-key header' },
                      signingSecret: {
                        type: 'string',
                        description:
                          'Keys with "events" or "alerts" only: the HMAC secret to sign department-system events or camera alerts with',
                      },
                    },
                  },
                ],
              },
            },
          },
        },
        ...problemResponses(400, 401, 403, 415),
      },
    };
  }
  if (method === 'GET' && path === '/v1/integration-keys') {
    return {
      summary: 'List the integration keys, newest first, without their secrets (administrators)',
      responses: {
        200: {
          description: 'Every key, revoked ones included',
          content: {
            'application/json': {
              schema: {
                type: 'object',
                properties: {
                  items: { type: 'array', items: { $ref: '#/components/schemas/IntegrationKey' } },
                },
              },
            },
          },
        },
        ...problemResponses(401, 403),
      },
    };
  }
  if (method === 'POST' && path === '/v1/integration-keys/{id}/revoke') {
    return {
      summary: 'Revoke an integration key at once; revoking it again changes nothing (administrators)',
      parameters: [idParameter],
      responses: { 200: keyResponse('The revoked key'), ...problemResponses(400, 401, 403, 404) },
    };
  }
  if (method === 'GET' && path === '/v1/cases') {
    return {
      summary: 'List cases, newest first (overdue=true: most overdue first)',
      parameters: queryParameters(),
      responses: {
        200: {
          description: 'A page of cases',
          content: {
            'application/json': {
              schema: {
                type: 'object',
                properties: {
                  items: { type: 'array', items: { $ref: '#/components/schemas/Case' } },
                  cursor: { type: 'string' },
                },
              },
            },
          },
        },
        ...problemResponses(400, 401, 403),
      },
    };
  }
  if (method === 'GET' && path === '/v1/cases/{id}') {
    return {
      summary: 'A case with its full timeline',
      parameters: [idParameter],
      responses: { 200: caseResponse('The case'), ...problemResponses(400, 401, 404) },
    };
  }
  if (method === 'GET' && path === '/v1/cases/{id}/audit') {
    return {
      summary: "Verify the case's timeline: hash chain intact and one entry per version, or where it breaks",
      parameters: [idParameter],
      responses: {
        200: {
          description: 'The audit report',
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: ['caseId', 'version', 'entries', 'intact'],
                properties: {
                  caseId: { type: 'string' },
                  version: { type: 'integer' },
                  entries: { type: 'integer' },
                  intact: { type: 'boolean' },
                  brokenAt: { type: 'integer' },
                  reason: { type: 'string' },
                },
              },
            },
          },
        },
        ...problemResponses(400, 401, 403, 404),
      },
    };
  }
  if (method === 'POST' && path === '/v1/cases/{id}/satisfaction') {
    return {
      summary:
        "回访: the reporter's verdict on their closed case (满意/基本满意/不满意), or the command centre's record of a phone callback",
      description:
        'The reporter (their own cases; channel `citizen`) or the command centre (channel `operator`). One verdict ' +
        'stands per report and closure: a new one replaces it while the case stays closed; the same one again ' +
        "changes nothing (200, Idempotency-Replayed). Where the district's `satisfaction.reopenOnDissatisfied` " +
        'is set, 不满意 reopens the case (status `dispatched`, deadlines re-armed). A case not closed: 409 ' +
        '`case_not_closed`. A report merged into another case is judged on that case, as its verdict for ' +
        'this report; the answer is that case.',
      parameters: [idParameter],
      requestBody: { required: true, content: { 'application/json': { schema: schema(SatisfactionBody) } } },
      responses: {
        200: caseResponse('The case with its `satisfaction` (reopened when 不满意 reopens it)'),
        ...problemResponses(400, 401, 403, 404, 409, 415),
      },
    };
  }
  const attachments = attachmentOperation(method, path);
  if (attachments) return attachments;
  const duplicateCommand = path.match(/^\/v1\/cases\/\{id\}\/([\w-]+)$/)?.[1] as
    | keyof typeof DUPLICATE_BODIES
    | undefined;
  if (method === 'POST' && duplicateCommand && duplicateCommand in DUPLICATE_BODIES) {
    const summaries = {
      merge:
        'Merge this report into the case of its event (`into`); every report, reporter and timeline entry is kept',
      unmerge: 'Take a merged report out of its case again, back to the status it had',
      'dismiss-duplicate': 'Take the case out of the possible-duplicate review queue: a different event',
    } as const;
    return {
      summary: summaries[duplicateCommand],
      parameters: [idParameter],
      requestBody: {
        required: true,
        content: { 'application/json': { schema: schema(DUPLICATE_BODIES[duplicateCommand]) } },
      },
      responses: {
        200: caseResponse(
          'The case after the command (a merged case points at its target with `mergedInto`)',
        ),
        ...problemResponses(400, 401, 403, 404, 409, 415, 422),
      },
    };
  }
  const command = path.match(/^\/v1\/cases\/\{id\}\/(\w+)$/)?.[1] as keyof typeof COMMAND_BODIES | undefined;
  if (method === 'POST' && command && command in COMMAND_BODIES) {
    return {
      summary: `Workflow: ${command}`,
      parameters: [idParameter],
      requestBody: {
        required: false,
        content: { 'application/json': { schema: schema(COMMAND_BODIES[command]) } },
      },
      responses: {
        200: caseResponse('The case after the command'),
        ...problemResponses(400, 401, 403, 404, 409, 415, 422),
      },
    };
  }
  const summaries: Record<string, string> = {
    '/v1/district': 'The district: departments, zones (GeoJSON), categories, escalation ladder',
    '/health': 'Liveness and store reachability',
    '/openapi.json': 'This document',
    // Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2): `{file}` is `<resource>.xml|json`,
    // errors are the spec's `[{code, description}]`, not problem+json; POST takes a form with `api_key`.
    '/open311/v2/{file}':
      'Open311 GeoReport v2 (external spec): discovery, services, requests (GET search, POST create) as .xml or .json',
    '/open311/v2/services/{file}':
      'Open311 GeoReport v2 (external spec): a service definition, {service_code}.xml|json',
    '/open311/v2/requests/{file}': 'Open311 GeoReport v2 (external spec): one service request, {id}.xml|json',
    '/open311/v2/tokens/{file}':
      'Open311 GeoReport v2 (external spec): the request id of a token, {token}.xml|json',
  };
  return {
    summary: summaries[path] ?? path,
    responses: { 200: { description: 'OK', content: { 'application/json': {} } } },
  };
};

export const buildOpenApi = (serverUrl?: string) => {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const fn of FUNCTIONS) {
    for (const route of fn.routes) {
      const operation = operationFor(route.method, route.path);
      const auth = authOf(route);
      paths[route.path] = {
        ...paths[route.path],
        [route.method.toLowerCase()]: {
          ...operation,
          ...(auth === 'none' && { security: [] }),
          ...(auth === 'apiKey' && { security: [{ apiKey: [] }] }),
        },
      };
    }
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'xietong (协同) case coordination API',
      version: '1',
      description:
        'Intake, routing and the case workflow for one district. Errors are RFC 9457 problem+json naming the field and rule.',
    },
    ...(serverUrl && { servers: [{ url: serverUrl }] }),
    security: [{ bearer: [] }],
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
        apiKey: {
          type: 'apiKey',
          in: 'header',
          name: API_KEY_HEADER,
          description: 'An integration key (xtk_…) issued by an administrator: POST /v1/integration-keys',
        },
      },
      schemas: {
        Problem,
        Case,
        TimelineEntry,
        IntegrationKey,
        JointVisit: JointVisitSchema,
        Camera: CameraSchema,
        Attachment: AttachmentSchema,
      },
    },
    paths,
  };
};
