import { CASE_STATUSES } from '../domain/case';
import { JOINT_VISIT_STATUSES } from '../domain/joint-visit';
import type { z } from '../validation/zod';
import {
  JOINT_VISIT_BODIES,
  type JointVisitCommand,
  JointVisitListQuery,
  PremisesQuery,
} from './joint-visit-schemas';
import type { LazySchema } from './lazy-schema';
import { jsonSchemaOf, problemResponses } from './openapi-parts';

/**
 * The joint-visit (综合查一次) and premises (一户一档) part of the OpenAPI document, generated from
 * the same schemas that validate those requests.
 */
const schema = jsonSchemaOf;

export const JointVisitSchema = {
  type: 'object',
  required: ['id', 'premisesId', 'status', 'lead', 'cooperating', 'caseIds', 'assigneeTeam', 'version'],
  properties: {
    id: { type: 'string' },
    premisesId: { type: 'string' },
    generation: { type: 'integer', description: 'The how-manyth visit at this premises' },
    status: { enum: [...JOINT_VISIT_STATUSES] },
    lead: { type: 'string', description: 'The joint team' },
    cooperating: {
      type: 'array',
      items: { type: 'string' },
      description: 'The lead departments of the covered cases',
    },
    caseIds: { type: 'array', items: { type: 'string' } },
    assigneeTeam: { type: 'string' },
    address: { type: 'string' },
    zone: { type: 'object' },
    createdAt: { type: 'string', format: 'date-time' },
    confirmedAt: { type: 'string', format: 'date-time' },
    acceptedAt: { type: 'string', format: 'date-time' },
    handledAt: { type: 'string', format: 'date-time' },
    result: { type: 'string' },
    version: { type: 'integer', description: 'Send as expectedVersion to refuse stale commands' },
    visitsSaved: { type: 'integer', description: 'Cases covered − 1' },
    timeline: { type: 'array', items: { type: 'object' }, description: 'Hash-chained, like a case timeline' },
  },
};

const ok = (description: string, body: Record<string, unknown>) => ({
  200: { description, content: { 'application/json': { schema: body } } },
});

const idParameter = { name: 'id', in: 'path', required: true, schema: { type: 'string' } };
const visitRef = { $ref: '#/components/schemas/JointVisit' };

const queryParameters = (query: LazySchema<z.ZodMiniType>) =>
  Object.entries((schema(query) as { properties: Record<string, unknown> }).properties).map(([name, s]) => ({
    name,
    in: 'query',
    required: false,
    schema: s,
  }));

const COMMAND_SUMMARIES: Record<JointVisitCommand, string> = {
  confirm: 'Confirm a proposed joint visit (command centre): proposed → planned',
  accept:
    'Accept the joint visit (joint team or command centre): every covered case is accepted by its own department; a retry finishes a fan-out that stopped',
  resolve:
    'Resolve the joint visit with its result (joint team or command centre): every covered case becomes handled',
};

/** The operation of a joint-visit or premises route, or undefined for any other route. */
export const jointVisitOperation = (method: string, path: string): Record<string, unknown> | undefined => {
  if (method === 'GET' && path === '/v1/joint-visits') {
    return {
      summary: 'Joint visits in one status (the work queue), newest first',
      parameters: queryParameters(JointVisitListQuery),
      responses: {
        ...ok('A page of visits', {
          type: 'object',
          properties: { items: { type: 'array', items: visitRef }, cursor: { type: 'string' } },
        }),
        ...problemResponses(400, 401, 403),
      },
    };
  }
  if (method === 'GET' && path === '/v1/joint-visits/summary') {
    return {
      summary:
        "The cockpit's figures: joint visits made, cases they cover, visits saved (cases covered − visits)",
      responses: {
        ...ok('The figures', {
          type: 'object',
          required: ['visits', 'casesCovered', 'visitsSaved'],
          properties: {
            visits: { type: 'integer', description: 'Planned, accepted and handled visits' },
            casesCovered: { type: 'integer' },
            visitsSaved: { type: 'integer' },
            proposed: { type: 'integer', description: 'Visits waiting for the command centre' },
            byStatus: { type: 'object', additionalProperties: { type: 'integer' } },
          },
        }),
        ...problemResponses(401, 403),
      },
    };
  }
  if (method === 'GET' && path === '/v1/joint-visits/{id}') {
    return {
      summary: 'A joint visit with its timeline',
      parameters: [idParameter],
      responses: { ...ok('The visit', visitRef), ...problemResponses(400, 401, 404) },
    };
  }
  const command = path.match(/^\/v1\/joint-visits\/\{id\}\/(\w+)$/)?.[1] as JointVisitCommand | undefined;
  if (method === 'POST' && command && command in JOINT_VISIT_BODIES) {
    return {
      summary: COMMAND_SUMMARIES[command],
      parameters: [idParameter],
      requestBody: {
        required: command === 'resolve',
        content: { 'application/json': { schema: schema(JOINT_VISIT_BODIES[command]) } },
      },
      responses: {
        ...ok('The visit after the command, and what happened to each covered case', {
          type: 'object',
          properties: {
            visit: visitRef,
            cases: {
              type: 'array',
              items: {
                type: 'object',
                properties: {
                  caseId: { type: 'string' },
                  outcome: { enum: ['updated', 'unchanged', 'skipped'] },
                  status: { enum: [...CASE_STATUSES] },
                  reason: { type: 'string' },
                },
              },
            },
          },
        }),
        ...problemResponses(400, 401, 403, 404, 409, 415, 422),
      },
    };
  }
  if (method === 'GET' && path === '/v1/premises/{id}') {
    return {
      summary:
        'Premises history (一户一档): every case and joint visit at one premises, newest first (staff; summaries without personal data)',
      parameters: [idParameter, ...queryParameters(PremisesQuery)],
      responses: {
        ...ok('A page of the history', {
          type: 'object',
          properties: {
            premisesId: { type: 'string' },
            items: {
              type: 'array',
              items: {
                type: 'object',
                required: ['kind', 'id', 'status'],
                properties: {
                  kind: { enum: ['case', 'visit'] },
                  id: { type: 'string' },
                  status: { type: 'string' },
                  category: { type: 'string' },
                  lead: { type: 'string' },
                  assignee: { type: 'string' },
                  reportedAt: { type: 'string', format: 'date-time' },
                  closedAt: { type: 'string', format: 'date-time' },
                  jointVisitId: { type: 'string' },
                  cooperating: { type: 'array', items: { type: 'string' } },
                  caseIds: { type: 'array', items: { type: 'string' } },
                  createdAt: { type: 'string', format: 'date-time' },
                  handledAt: { type: 'string', format: 'date-time' },
                  result: { type: 'string' },
                },
              },
            },
            cursor: { type: 'string' },
          },
        }),
        ...problemResponses(400, 401, 403, 422),
      },
    };
  }
  return undefined;
};
