import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { actorFromEvent } from '../../shared/auth/actor';
import {
  CaseNotFoundError,
  type DomainError,
  ForbiddenActionError,
  IdempotencyKeyReusedError,
  IllegalTransitionError,
  InvalidInputError,
  UnauthenticatedError,
  VersionConflictError,
} from '../../shared/domain/errors';
import { buildOpenApi } from '../../shared/http/openapi';
import {
  fromZodError,
  type Problem,
  problemResponse,
  RequestError,
  toProblem,
} from '../../shared/http/problem';
import { jsonBody } from '../../shared/http/request';
import { COMMAND_BODIES, IntegrationKeyBody, ReportBody, SubscriptionBody } from '../../shared/http/schemas';
import type { ClaimNames, IdentityConfig } from '../../shared/runtime/config';
import { authOf, FUNCTIONS } from '../../shared/runtime/functions';
import { apiEvent } from '../support/api-event';

/** Runs `fn`, expecting it to throw, and returns what it threw. */
const thrown = (fn: () => unknown): unknown => {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to throw');
};

const requestError = (fn: () => unknown): RequestError => {
  const error = thrown(fn);
  if (!(error instanceof RequestError)) throw new Error(`expected a RequestError, got ${String(error)}`);
  return error;
};

const VALID_REPORT = {
  source: 'hotline',
  category: 'event.household-workshop',
  description: '出租房内有人加工服装',
  location: { lat: 30.285, lng: 120.069 },
};

describe('toProblem', () => {
  it.each([
    ['CaseNotFoundError', new CaseNotFoundError('C-1'), 404, 'case_not_found', 'id'],
    [
      'VersionConflictError',
      new VersionConflictError('C-1', 3, 4),
      409,
      'version_conflict',
      'expectedVersion',
    ],
    [
      'IllegalTransitionError',
      new IllegalTransitionError('close', 'dispatched'),
      409,
      'illegal_transition',
      'status',
    ],
    [
      'ForbiddenActionError',
      new ForbiddenActionError('close', 'not yours'),
      403,
      'forbidden',
      'authorization',
    ],
    ['UnauthenticatedError', new UnauthenticatedError('no token'), 401, 'unauthenticated', 'authorization'],
    [
      'InvalidInputError',
      new InvalidInputError('location', 'outside_district', 'too far'),
      422,
      'outside_district',
      'location',
    ],
    [
      'IdempotencyKeyReusedError',
      new IdempotencyKeyReusedError(),
      422,
      'idempotency_key_reused',
      'Idempotency-Key',
    ],
  ] as [string, DomainError, number, string, string][])('%s → %i', (_name, error, status, rule, field) => {
    // Act
    const problem = toProblem(error);

    // Assess
    expect(problem.status).toBe(status);
    expect(problem.type).toBe(`urn:xietong:problem:${rule.replace(/_/g, '-')}`);
    expect(problem.detail).toBe(error.message);
    expect(problem.errors).toEqual([{ field, rule, message: error.message }]);
    expect(problem.title).not.toBe('');
  });

  it('turns a plain Error into a 500 without leaking its message', () => {
    // Prepare
    const error = new Error('ECONNREFUSED dynamodb.internal:8000 secret=abc123');

    // Act
    const problem = toProblem(error);
    const serialised = JSON.stringify(problem);

    // Assess
    expect(problem.status).toBe(500);
    expect(problem.type).toBe('urn:xietong:problem:internal');
    expect(problem).not.toHaveProperty('errors');
    expect(serialised).not.toContain('ECONNREFUSED');
    expect(serialised).not.toContain('abc123');
  });

  it.each([['a string'], [undefined], [{ status: 404 }]])(
    'turns a thrown non-error (%o) into a 500',
    (value) => {
      // Act & Assess
      expect(toProblem(value).status).toBe(500);
    },
  );

  it('passes a RequestError through with its status and field problems', () => {
    // Prepare
    const error = new RequestError(415, 'Unsupported media type', [
      { field: 'content-type', rule: 'json', message: 'send JSON' },
    ]);

    // Act
    const problem = toProblem(error);

    // Assess
    expect(problem).toMatchObject({
      status: 415,
      title: 'Unsupported media type',
      type: 'urn:xietong:problem:unsupported-media-type',
      errors: [{ field: 'content-type', rule: 'json' }],
    });
  });

  it('problemResponse sends application/problem+json with the problem as body', () => {
    // Prepare
    const problem: Problem = toProblem(new CaseNotFoundError('C-9'));

    // Act
    const response = problemResponse(problem, { 'x-request-id': 'r-1' });

    // Assess
    expect(response.statusCode).toBe(404);
    expect(response.headers).toEqual({ 'content-type': 'application/problem+json', 'x-request-id': 'r-1' });
    expect(JSON.parse(response.body as string)).toEqual(problem);
  });
});

describe('fromZodError', () => {
  const issuesOf = (value: unknown, prefix?: string) => {
    const result = ReportBody().safeParse(value);
    if (result.success) throw new Error('expected the value to be refused');
    return fromZodError(result.error, prefix);
  };

  it('names the dotted field path and the zod issue code', () => {
    // Act
    const error = issuesOf({ ...VALID_REPORT, location: { lat: 'north', lng: 500 } });

    // Assess
    expect(error.status).toBe(400);
    expect(error.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ field: 'location.lat', rule: 'invalid_type' }),
        expect.objectContaining({ field: 'location.lng', rule: 'too_big' }),
      ]),
    );
    expect(error.errors).toHaveLength(2);
  });

  it('names a missing required field and an invalid enum value', () => {
    // Act
    const error = issuesOf({ source: 'fax', location: VALID_REPORT.location });

    // Assess
    expect(error.errors.map((e) => [e.field, e.rule])).toEqual(
      expect.arrayContaining([
        ['source', 'invalid_value'],
        ['description', 'invalid_type'],
      ]),
    );
  });

  it('makes one problem per unrecognized key, at the root and nested', () => {
    // Act
    const error = issuesOf({
      ...VALID_REPORT,
      priority: 'urgent',
      hack: 1,
      location: { ...VALID_REPORT.location, z: 3 },
    });

    // Assess
    const unknown = error.errors.filter((e) => e.rule === 'unrecognized_key');
    expect(unknown.map((e) => e.field).sort()).toEqual(['hack', 'location.z', 'priority']);
    expect(error.errors).toHaveLength(3);
    expect(unknown.find((e) => e.field === 'hack')?.message).toContain('"hack"');
  });

  // Found by `npm run fuzz` (seed 1192953164): `{"": …}` gave a problem with an empty field name.
  it('names the empty key as "" (quoted), at the root and nested', () => {
    const error = issuesOf({ ...VALID_REPORT, '': 1, location: { ...VALID_REPORT.location, '': 2 } });
    expect(error.errors.map((e) => e.field).sort()).toEqual(['""', 'location.""']);
  });

  it('puts the prefix in front of the path', () => {
    // Prepare
    const result = z.strictObject({ limit: z.string() }).safeParse({ limit: 5, sort: 'x' });
    if (result.success) throw new Error('expected the value to be refused');

    // Act
    const error = fromZodError(result.error, 'query');

    // Assess
    expect(error.errors.map((e) => [e.field, e.rule]).sort()).toEqual([
      ['query.limit', 'invalid_type'],
      ['query.sort', 'unrecognized_key'],
    ]);
  });

  it('names a whole-value problem by the prefix, or (body) without one', () => {
    // Prepare
    const result = z.string().safeParse(42);
    if (result.success) throw new Error('expected the value to be refused');

    // Act & Assess
    expect(fromZodError(result.error, 'id').errors[0]).toMatchObject({ field: 'id', rule: 'invalid_type' });
    expect(fromZodError(result.error).errors[0]).toMatchObject({ field: '(body)', rule: 'invalid_type' });
  });
});

describe('jsonBody', () => {
  it('parses and validates a JSON body', () => {
    // Prepare
    const event = apiEvent({ routeKey: 'POST /v1/cases', body: VALID_REPORT });

    // Act
    const body = jsonBody(event, ReportBody);

    // Assess
    expect(body).toEqual({ ...VALID_REPORT, location: { ...VALID_REPORT.location, crs: 'wgs84' } });
  });

  it('refuses malformed JSON with 400 on field body, rule json', () => {
    // Prepare
    const event = apiEvent({ routeKey: 'POST /v1/cases', rawBody: '{"source": "hotline",' });

    // Act
    const error = requestError(() => jsonBody(event, ReportBody));

    // Assess
    expect(error.status).toBe(400);
    expect(error.errors).toEqual([expect.objectContaining({ field: 'body', rule: 'json' })]);
  });

  it.each(['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x'])(
    'refuses content type %s with 415',
    (contentType) => {
      // Prepare
      const event = apiEvent({
        routeKey: 'POST /v1/cases',
        body: VALID_REPORT,
        headers: { 'content-type': contentType },
      });

      // Act
      const error = requestError(() => jsonBody(event, ReportBody));

      // Assess
      expect(error.status).toBe(415);
      expect(error.errors).toEqual([expect.objectContaining({ field: 'content-type', rule: 'json' })]);
    },
  );

  it.each(['application/json; charset=utf-8', 'APPLICATION/JSON', 'application/merge-patch+json'])(
    'accepts content type %s',
    (contentType) => {
      // Prepare
      const event = apiEvent({
        routeKey: 'POST /v1/cases/{id}/accept',
        body: { note: 'ok' },
        headers: { 'Content-Type': contentType },
      });
      delete event.headers['content-type'];

      // Act & Assess
      expect(jsonBody(event, COMMAND_BODIES.accept)).toEqual({ note: 'ok' });
    },
  );

  it.each([
    ['absent', undefined],
    ['empty', ''],
    ['blank', '  \n'],
  ])('treats an %s body as {} and validates it', (_label, rawBody) => {
    // Prepare
    const event = apiEvent({
      routeKey: 'POST /v1/cases/{id}/accept',
      headers: { 'content-type': 'text/plain' },
    });
    if (rawBody !== undefined) event.body = rawBody;

    // Act
    const accepted = jsonBody(event, COMMAND_BODIES.accept);
    const refused = requestError(() => jsonBody(event, COMMAND_BODIES.return));

    // Assess
    expect(accepted).toEqual({});
    expect(refused.status).toBe(400);
    expect(refused.errors).toEqual([expect.objectContaining({ field: 'reason', rule: 'invalid_type' })]);
  });

  it('decodes a base64 body', () => {
    // Prepare
    const event = apiEvent({ routeKey: 'POST /v1/cases/{id}/return' });
    event.body = Buffer.from(JSON.stringify({ reason: '不归我们管' }), 'utf8').toString('base64');
    event.isBase64Encoded = true;

    // Act
    const body = jsonBody(event, COMMAND_BODIES.return);

    // Assess
    expect(body).toEqual({ reason: '不归我们管' });
  });

  it.each([
    ['an array', '[1,2]'],
    ['null', 'null'],
    ['a string', '"hello"'],
  ])('refuses %s as the body with 400 rule object', (_label, rawBody) => {
    // Prepare
    const event = apiEvent({ routeKey: 'POST /v1/cases/{id}/accept', rawBody });

    // Act
    const error = requestError(() => jsonBody(event, COMMAND_BODIES.accept));

    // Assess
    expect(error.status).toBe(400);
    expect(error.errors).toEqual([expect.objectContaining({ field: 'body', rule: 'object' })]);
  });

  it('turns schema errors into a 400 naming the field', () => {
    // Prepare
    const event = apiEvent({ routeKey: 'POST /v1/cases/{id}/verify', body: { passed: 'yes', extra: 1 } });

    // Act
    const error = requestError(() => jsonBody(event, COMMAND_BODIES.verify));

    // Assess
    expect(error.status).toBe(400);
    expect(error.errors.map((e) => [e.field, e.rule]).sort()).toEqual([
      ['extra', 'unrecognized_key'],
      ['passed', 'invalid_type'],
    ]);
  });
});

describe('actorFromEvent', () => {
  const ISSUER = 'https://id.example.gov.cn/oidc';
  const CLAIM_NAMES: ClaimNames = { role: 'role', department: 'department', zone: 'zone' };
  const DEFAULT_CLAIMS: IdentityConfig = { issuer: ISSUER, claims: CLAIM_NAMES };

  const withClaims = (claims: Record<string, string | number | boolean | string[]>) => {
    const event = apiEvent({ routeKey: 'GET /v1/cases' });
    event.requestContext.authorizer.jwt.claims = { iss: ISSUER, ...claims };
    return event;
  };

  it.each([
    ['another issuer', { iss: 'urn:xietong:local', sub: 'u-0', role: 'command_centre' }],
    ['no issuer', { iss: undefined as unknown as string, sub: 'u-0', role: 'command_centre' }],
  ])('refuses a token from %s as unauthenticated', (_label, claims) => {
    // Prepare
    const event = withClaims(claims);
    if (claims.iss === undefined) delete event.requestContext.authorizer.jwt.claims.iss;

    // Act
    const error = thrown(() => actorFromEvent(event, DEFAULT_CLAIMS));

    // Assess
    expect(error).toBeInstanceOf(UnauthenticatedError);
  });

  it('reads subject, role, name, department and zone from plain string claims', () => {
    // Prepare
    const event = withClaims({
      sub: 'u-1',
      role: 'department_staff',
      name: '陈志明',
      department: 'market-regulation',
      zone: 'zhenhua',
    });

    // Act
    const actor = actorFromEvent(event, DEFAULT_CLAIMS);

    // Assess
    expect(actor).toEqual({
      subject: 'u-1',
      role: 'department_staff',
      name: '陈志明',
      department: 'market-regulation',
      zone: 'zhenhua',
    });
  });

  it('takes the first known role from an array claim', () => {
    // Prepare
    const event = withClaims({ sub: 'u-2', role: ['staff-group', 'command_centre', 'admin'] });

    // Act
    const actor = actorFromEvent(event, DEFAULT_CLAIMS);

    // Assess
    expect(actor).toEqual({ subject: 'u-2', role: 'command_centre' });
  });

  it('reads API Gateway\'s stringified array form "[area_chief admin]"', () => {
    // Prepare
    const event = withClaims({ sub: 'u-3', 'cognito:groups': '[area_chief admin]', zone: 'gudun' });

    // Act
    const actor = actorFromEvent(event, {
      issuer: ISSUER,
      claims: { ...CLAIM_NAMES, role: 'cognito:groups' },
    });

    // Assess
    expect(actor).toEqual({ subject: 'u-3', role: 'area_chief', zone: 'gudun' });
  });

  it('uses custom claim names and falls back to cognito:username for the name', () => {
    // Prepare
    const event = withClaims({
      sub: 'u-4',
      'custom:role': 'field_worker',
      'custom:department': 'fire',
      'custom:zone': 'old-street',
      'cognito:username': 'zhoumin',
      department: 'police',
      role: 'command_centre',
    });

    // Act
    const actor = actorFromEvent(event, {
      issuer: ISSUER,
      claims: { role: 'custom:role', department: 'custom:department', zone: 'custom:zone' },
    });

    // Assess
    expect(actor).toEqual({
      subject: 'u-4',
      role: 'field_worker',
      name: 'zhoumin',
      department: 'fire',
      zone: 'old-street',
    });
  });

  it.each([
    ['an unknown role', { sub: 'u-5', role: 'mayor' }],
    ['no role', { sub: 'u-5' }],
    ['the platform role system', { sub: 'u-5', role: 'system' }],
    ['an empty stringified array', { sub: 'u-5', role: '[]' }],
  ])('refuses a token with %s as forbidden', (_label, claims) => {
    // Act
    const error = thrown(() => actorFromEvent(withClaims(claims), DEFAULT_CLAIMS));

    // Assess
    expect(error).toBeInstanceOf(ForbiddenActionError);
    expect(toProblem(error).status).toBe(403);
  });

  it('refuses an event without claims as unauthenticated', () => {
    // Prepare
    const base = apiEvent({ routeKey: 'GET /v1/cases' });
    const event = {
      ...base,
      requestContext: { ...base.requestContext, authorizer: undefined },
    } as unknown as APIGatewayProxyEventV2WithJWTAuthorizer;

    // Act
    const error = thrown(() => actorFromEvent(event, DEFAULT_CLAIMS));

    // Assess
    expect(error).toBeInstanceOf(UnauthenticatedError);
    expect(toProblem(error).status).toBe(401);
  });

  it.each([
    ['no sub', { role: 'command_centre' }],
    ['an empty sub', { sub: '', role: 'command_centre' }],
    ['a blank sub', { sub: '   ', role: 'command_centre' }],
  ])('refuses claims with %s as unauthenticated', (_label, claims) => {
    // Act
    const error = thrown(() => actorFromEvent(withClaims(claims), DEFAULT_CLAIMS));

    // Assess
    expect(error).toBeInstanceOf(UnauthenticatedError);
  });
});

describe('buildOpenApi', () => {
  type Operation = {
    security?: unknown[];
    parameters?: { name: string; in: string }[];
    requestBody?: { content: { 'application/json': { schema: { required?: string[] } } } };
    responses: Record<string, unknown>;
  };
  const doc = buildOpenApi('https://api.example.test');
  const paths = doc.paths as Record<string, Record<string, Operation>>;
  const routes = FUNCTIONS.flatMap((fn) => fn.routes);

  it('is OpenAPI 3.1.0 with bearer security and the server URL', () => {
    // Assess
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.security).toEqual([{ bearer: [] }]);
    expect(doc.servers).toEqual([{ url: 'https://api.example.test' }]);
    expect(buildOpenApi()).not.toHaveProperty('servers');
  });

  it.each(routes.map((r) => [r.method, r.path, r] as const))('documents %s %s', (method, path, route) => {
    // Act
    const operation = paths[path]?.[method.toLowerCase()];

    // Assess
    expect(operation).toBeDefined();
    expect(Object.keys(operation!.responses).length).toBeGreaterThan(0);
    const auth = authOf(route);
    if (auth === 'none') expect(operation!.security).toEqual([]);
    else if (auth === 'apiKey') expect(operation!.security).toEqual([{ apiKey: [] }]);
    else expect(operation).not.toHaveProperty('security');
  });

  it('documents exactly the routes the stack deploys', () => {
    // Prepare
    const documented = Object.entries(paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((method) => `${method.toUpperCase()} ${path}`),
    );

    // Assess
    expect(documented.sort()).toEqual(routes.map((r) => `${r.method} ${r.path}`).sort());
    // Open311 GeoReport v2 is public by its spec (reads need no key; POST checks the form's api_key);
    // department-system events and camera alerts are signed (the function checks the HMAC; no key travels).
    expect(routes.filter((r) => r.public && !r.path.startsWith('/open311/v2/')).map((r) => r.path)).toEqual([
      '/health',
      '/openapi.json',
      '/v1/integrations/cameras/alerts',
      '/v1/integrations/{system}/events',
    ]);
  });

  it('POST /v1/cases takes the ReportBody schema, requiring source, description and location', () => {
    // Act
    const schema = paths['/v1/cases']?.post?.requestBody?.content['application/json'].schema as {
      required?: string[];
      properties?: Record<string, unknown>;
      additionalProperties?: unknown;
    };

    // Assess
    expect(schema.required).toEqual(expect.arrayContaining(['source', 'description', 'location']));
    expect(schema.required).not.toContain('category');
    expect(Object.keys(schema.properties ?? {})).toEqual(
      expect.arrayContaining(['source', 'category', 'description', 'location', 'occurredAt', 'externalRef']),
    );
    expect(schema.additionalProperties).toBe(false);
  });

  it('each workflow command route documents its body schema', () => {
    // Assess
    for (const command of Object.keys(COMMAND_BODIES)) {
      const operation = paths[`/v1/cases/{id}/${command}`]?.post;
      expect(operation?.requestBody?.content['application/json'].schema, command).toHaveProperty(
        'properties',
      );
    }
    expect(
      paths['/v1/cases/{id}/return']?.post?.requestBody?.content['application/json'].schema.required,
    ).toEqual(['reason']);
  });

  it('documents the x-api-key scheme for the machine intake routes only, with its 429 and Retry-After', () => {
    // Prepare
    const schemes = (doc.components as { securitySchemes: Record<string, unknown> }).securitySchemes;
    const machine = paths['/v1/integrations/reports']?.post as Operation & {
      responses: Record<string, { headers?: Record<string, unknown> }>;
    };

    // Assess
    expect(schemes.apiKey).toMatchObject({ type: 'apiKey', in: 'header', name: 'x-api-key' });
    expect(machine.security).toEqual([{ apiKey: [] }]);
    expect(machine.responses['429']?.headers).toHaveProperty('Retry-After');
    expect(machine.requestBody?.content['application/json'].schema).toEqual(
      paths['/v1/cases']?.post?.requestBody?.content['application/json'].schema,
    );
    const keyed = Object.values(paths).flatMap((ops) =>
      Object.values(ops).filter((op) => JSON.stringify(op.security) === JSON.stringify([{ apiKey: [] }])),
    );
    // The keyed machine routes and nothing else: machine reports, 12345 tickets and their callbacks.
    expect(keyed).toEqual([
      machine,
      paths['/v1/integrations/hotline/tickets']?.post,
      paths['/v1/integrations/hotline/callbacks']?.post,
    ]);
    // Department events and camera alerts are signed instead: public at the gateway, three headers.
    for (const signed of [
      paths['/v1/integrations/{system}/events']?.post,
      paths['/v1/integrations/cameras/alerts']?.post,
    ]) {
      expect(signed?.security).toEqual([]);
      expect(signed?.parameters?.map((p) => p.name)).toEqual(
        expect.arrayContaining(['X-Xietong-Key-Id', 'X-Xietong-Timestamp', 'X-Xietong-Signature']),
      );
    }
    expect(
      paths['/v1/integration-keys']?.post?.requestBody?.content['application/json'].schema.required,
    ).toEqual(['name', 'source']);
  });

  it('serialises to JSON and back unchanged', () => {
    // Act
    const text = JSON.stringify(doc);

    // Assess
    expect(JSON.parse(text)).toEqual(doc);
    expect(text).toContain('"openapi":"3.1.0"');
  });
});

// Found by `npm run fuzz` (seed 1192953164): zod 4 runs an object's refinement even after a field
// failed its own check, and the refinement then met values it did not expect (a 500).
describe('refinements after a failed field', () => {
  it('name the failed field with a 400', () => {
    const subscription = apiEvent({
      routeKey: 'POST /v1/subscriptions',
      body: { name: ' ', url: '', events: ['case.assigned'], department: 'traffic-police' },
    });
    const badUrl = requestError(() => jsonBody(subscription, SubscriptionBody));
    expect(badUrl.status).toBe(400);
    expect(badUrl.errors.map((e) => e.field)).toContain('url');

    const key = apiEvent({
      routeKey: 'POST /v1/integration-keys',
      body: { name: '城管系统', actions: 'events', department: 'urban-management' },
    });
    const badActions = requestError(() => jsonBody(key, IntegrationKeyBody));
    expect(badActions.status).toBe(400);
    expect(badActions.errors.map((e) => e.field)).toContain('actions');
  });
});
