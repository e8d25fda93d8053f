import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { type Actor, SOURCES, type Source } from '../domain/case';
import { UnauthenticatedError } from '../domain/errors';
import {
  INTEGRATION_ACTIONS,
  type IntegrationAction,
  type IntegrationKey,
  KEY_ID_PATTERN,
  RATE_LIMIT_PER_MINUTE,
} from '../domain/integration-key';
import { lazySchema } from '../http/lazy-schema';
import * as z from '../validation/zod';

/**
 * What the key authorizer hands the route's function (`requestContext.authorizer.lambda`). Only
 * strings and numbers, which every authorizer response format passes through: actions are a
 * comma-separated list.
 */
export interface IntegrationContext {
  keyId: string;
  name: string;
  source: Source;
  actions: string;
  rateLimitPerMinute: number;
}

export const integrationContextOf = (key: IntegrationKey): IntegrationContext => ({
  keyId: key.id,
  name: key.name,
  source: key.source,
  actions: key.actions.join(','),
  rateLimitPerMinute: key.rateLimitPerMinute,
});

/** The machine client behind a request, as the key authorizer vouched for it. */
export interface IntegrationPrincipal {
  actor: Actor;
  keyId: string;
  source: Source;
  actions: IntegrationAction[];
  rateLimitPerMinute: number;
}

/** Built on the first integration request: the functions that import this module serve other routes too. */
const ContextSchema = /* @__PURE__ */ lazySchema(() =>
  z.object({
    keyId: z.string().check(z.regex(KEY_ID_PATTERN)),
    name: z.string().check(z.minLength(1)),
    source: z.enum(SOURCES),
    actions: z.pipe(
      z.pipe(
        z.union([z.string(), z.array(z.string())]),
        z.transform((value) => (typeof value === 'string' ? value.split(',').filter(Boolean) : value)),
      ),
      z.array(z.enum(INTEGRATION_ACTIONS)),
    ),
    rateLimitPerMinute: z.coerce
      .number()
      .check(z.int(), z.gte(RATE_LIMIT_PER_MINUTE.min), z.lte(RATE_LIMIT_PER_MINUTE.max)),
  }),
);

/**
 * Reads the authorizer's context; nothing else in the request is trusted for identity. A route
 * reached without the key authorizer (a misconfigured stack) has no context and is refused.
 */
export const integrationFromEvent = (event: APIGatewayProxyEventV2): IntegrationPrincipal => {
  const authorizer = (event.requestContext as { authorizer?: { lambda?: unknown } }).authorizer;
  const parsed = ContextSchema().safeParse(authorizer?.lambda);
  if (!parsed.success) throw new UnauthenticatedError('a valid integration key (x-api-key) is required');
  const { keyId, name, source, actions, rateLimitPerMinute } = parsed.data;
  return {
    actor: { subject: `key:${keyId}`, role: 'integration', name },
    keyId,
    source,
    actions,
    rateLimitPerMinute,
  };
};

/**
 * The principal of a key the route's function checked itself (with `checkIntegrationKey`): for
 * Open311's POST, whose key travels in the form body where no authorizer can read it.
 */
export const integrationPrincipalOf = (key: IntegrationKey): IntegrationPrincipal => ({
  actor: { subject: `key:${key.id}`, role: 'integration', name: key.name },
  keyId: key.id,
  source: key.source,
  actions: key.actions,
  rateLimitPerMinute: key.rateLimitPerMinute,
});
