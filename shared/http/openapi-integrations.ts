import { SUBSCRIPTION_EVENTS } from '../domain/subscriptions';
import { jsonSchemaOf, problemResponses, SIGNED_REQUEST, signatureHeaderParameters } from './openapi-parts';
import {
  DeliveriesQuery,
  DepartmentEventBody,
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
  if (method === 'POST' && path === '/v1/integrations/{system}/events') {
    return {
      summary:
        'A department system pushes an event: a new report, or a progress note / result on its assigned case',
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
