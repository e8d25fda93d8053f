import { SUBSCRIPTION_EVENTS } from '../domain/subscriptions';
import { jsonSchemaOf, problemResponses, SIGNED_REQUEST, signatureHeaderParameters } from './openapi-parts';
import {
  DeliveriesQuery,
  DepartmentEventBody,
  HotlineCallbackBody,
  HotlineTicketBody,
  SubscriptionBody,
  SubscriptionId,
} from './schemas';

/**
 * The integration part of the OpenAPI document: 12345 tickets, signed department-system events and
 * webhook subscriptions, from the same schemas that validate those requests.
 */
const schema = jsonSchemaOf;

const json = (description: string, body: Record<string, unknown>) => ({
  description,
  content: { 'application/json': { schema: body } },
});

const SubscriptionSchema = {
  type: 'object',
  required: ['id', 'name', 'url', 'filter', 'events', 'createdAt', 'createdBy'],
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    url: { type: 'string' },
    filter: {
      oneOf: [
        { type: 'object', properties: { department: { type: 'string' } }, required: ['department'] },
        { type: 'object', properties: { source: { type: 'string' } }, required: ['source'] },
      ],
    },
    events: { type: 'array', items: { enum: [...SUBSCRIPTION_EVENTS] } },
    createdAt: { type: 'string', format: 'date-time' },
    createdBy: { type: 'string' },
  },
};

const idParameter = { name: 'id', in: 'path', required: true, schema: schema(SubscriptionId) };

export const integrationOperation = (method: string, path: string): Record<string, unknown> | undefined => {
  if (method === 'POST' && path === '/v1/integrations/hotline/tickets') {
    return {
      summary:
        'Accept a 12345 hotline ticket (integration key bound to source hotline; idempotent by ticketNo)',
      description:
        "The category text is mapped by the district's hotline table (unmapped: triage classifier); an address " +
        "without lat/lng is placed by the district's gazetteer (no place found: 422 naming address). Status " +
        'changes are pushed back to a subscription with `source: hotline`, carrying `ticketNo`.',
      requestBody: { required: true, content: { 'application/json': { schema: schema(HotlineTicketBody) } } },
      responses: {
        202: json('A new case: its id, lead department and handling deadline (estimated until dispatch)', {
          type: 'object',
        }),
        200: json('The ticket was seen before: the same case', { type: 'object' }),
        ...problemResponses(400, 401, 403, 415, 422, 429),
      },
    };
  }
  if (method === 'POST' && path === '/v1/integrations/hotline/callbacks') {
    return {
      summary:
        'Deliver a 12345 callback result (回访结果) for a ticket the platform filed (the key that files tickets; idempotent by ticketNo + calledBackAt)',
      description:
        'The result in the platform’s words (满意/基本满意/不满意) becomes the caller’s verdict on the case the ticket ' +
        'became — or, for a ticket merged as a duplicate, on the case it went into. Only on a closed case (else 409 ' +
        '`case_not_closed`); an unknown ticket is 404 `ticket_not_found`. Where the district says so, 不满意 reopens ' +
        'the case (`reopened: true`). The same callback again answers 200 with Idempotency-Replayed.',
      requestBody: {
        required: true,
        content: { 'application/json': { schema: schema(HotlineCallbackBody) } },
      },
      responses: {
        200: json('Recorded (or seen before): the case it was recorded on', {
          type: 'object',
          required: ['ticketNo', 'caseId', 'status', 'version', 'rating', 'reopened'],
          properties: {
            ticketNo: { type: 'string' },
            caseId: { type: 'string' },
            mergedFrom: {
              type: 'string',
              description: 'The ticket’s own case, when it was merged into caseId',
            },
            status: { type: 'string' },
            version: { type: 'integer' },
            rating: { enum: ['satisfied', 'basically_satisfied', 'dissatisfied'] },
            reopened: { type: 'boolean', description: 'This callback’s 不满意 reopened the case' },
          },
        }),
        ...problemResponses(400, 401, 403, 404, 409, 415, 429),
      },
    };
  }
  if (method === 'POST' && path === '/v1/integrations/{system}/events') {
    return {
      summary:
        'A department system pushes an event: a new report, a progress note / result on its assigned case, or the reporter’s verdict from its own callback on a closed case it led or handled',
      description: SIGNED_REQUEST,
      parameters: [
        { name: 'system', in: 'path', required: true, schema: { type: 'string' } },
        ...signatureHeaderParameters(),
      ],
      requestBody: {
        required: true,
        content: { 'application/json': { schema: schema(DepartmentEventBody) } },
      },
      responses: {
        202: json('A new case from the reported event', { type: 'object' }),
        200: json('Applied (or the event was seen before: Idempotency-Replayed)', { type: 'object' }),
        ...problemResponses(400, 401, 403, 404, 409, 422, 429),
      },
    };
  }
  if (method === 'POST' && path === '/v1/subscriptions') {
    return {
      summary: 'Subscribe a webhook to case events (administrators); the signing secret is shown once',
      description:
        'Deliveries are POSTed with the same signature headers as inbound events (signed with the secret), ' +
        'an Idempotency-Key, retried with exponential backoff (5 attempts), then parked in a dead-letter queue.',
      requestBody: { required: true, content: { 'application/json': { schema: schema(SubscriptionBody) } } },
      responses: {
        201: json('The subscription and its `secret`', {
          allOf: [
            SubscriptionSchema,
            { type: 'object', required: ['secret'], properties: { secret: { type: 'string' } } },
          ],
        }),
        ...problemResponses(400, 401, 403, 415, 422),
      },
    };
  }
  if (method === 'GET' && path === '/v1/subscriptions') {
    return {
      summary: 'List the subscriptions, newest first, without secrets (administrators)',
      responses: {
        200: json('Every subscription', {
          type: 'object',
          properties: { items: { type: 'array', items: SubscriptionSchema } },
        }),
        ...problemResponses(401, 403),
      },
    };
  }
  if (method === 'DELETE' && path === '/v1/subscriptions/{id}') {
    return {
      summary: 'Delete a subscription: nothing more is delivered to it (administrators)',
      parameters: [idParameter],
      responses: { 204: { description: 'Deleted' }, ...problemResponses(400, 401, 403, 404) },
    };
  }
  if (method === 'GET' && path === '/v1/subscriptions/{id}/deliveries') {
    return {
      summary: "A subscription's delivery attempts, newest first (administrators)",
      parameters: [
        idParameter,
        ...Object.entries(schema(DeliveriesQuery).properties ?? {}).map(([name, s]) => ({
          name,
          in: 'query',
          required: false,
          schema: s,
        })),
      ],
      responses: {
        200: json('A page of attempts: attempt, outcome, status, error, nextAttemptAt', { type: 'object' }),
        ...problemResponses(400, 401, 403, 404),
      },
    };
  }
  return undefined;
};
