import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalGateway, MAX_BODY_BYTES, startGateway } from '../../infra/local/gateway';
import type { LambdaHandler, LoadedFunction } from '../../infra/local/handlers';
import { createLocalIssuer, type IssuedUser, type LocalIssuer } from '../../infra/local/issuer';
import { createRuntimeLog } from '../../infra/local/log';
import { RouteTable } from '../../infra/local/routes';
import type { FunctionSpec } from '../../shared/runtime/functions';

/**
 * The local API gateway against stand-in functions: what reaches a handler (the payload 2.0 event)
 * and what the gateway refuses on its own. The real handlers are covered by local-cloud.test.ts.
 */

const echoSpec: FunctionSpec = {
  name: 'echo',
  entry: 'unused',
  description: 'returns the event it got',
  routes: [
    { method: 'GET', path: '/v1/things' },
    { method: 'POST', path: '/v1/things/{id}/poke' },
    { method: 'GET', path: '/public', public: true },
  ],
  access: { table: 'none', intakeQueue: 'none' },
};
const failSpec: FunctionSpec = {
  name: 'fail',
  entry: 'unused',
  description: 'throws',
  routes: [{ method: 'GET', path: '/v1/broken' }],
  access: { table: 'none', intakeQueue: 'none' },
};

const slowSpec: FunctionSpec = {
  name: 'slow',
  entry: 'unused',
  description: 'answers after the (shortened) integration timeout',
  routes: [{ method: 'GET', path: '/v1/slow' }],
  access: { table: 'none', intakeQueue: 'none' },
};
/** The integration timeout these tests give the gateway (the HTTP API's is 30 s). */
const INTEGRATION_TIMEOUT_MS = 300;

const echo = async (event: APIGatewayProxyEventV2WithJWTAuthorizer) => ({
  statusCode: 200,
  headers: { 'Content-Type': 'application/json', 'X-Echo': 'yes' },
  cookies: ['session=abc; HttpOnly', 'theme=dark'],
  body: JSON.stringify(event),
});

describe('local API gateway', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'xietong-gateway-'));
  let gateway: LocalGateway;
  let issuer: LocalIssuer;
  let token = '';

  beforeAll(async () => {
    issuer = await createLocalIssuer(dataDir, { role: 'role', department: 'department', zone: 'zone' });
    const user = {
      sub: 'local:area_chief:z1',
      name: '王建国',
      role: 'area_chief' as const,
      department: 'urban-management',
      zone: 'z1',
    };
    token = await issuer.issue(user);
    const users: IssuedUser[] = [{ ...user, token }];
    const functions = new Map<string, LoadedFunction>([
      ['echo', { spec: echoSpec, handler: echo as unknown as LambdaHandler }],
      [
        'slow',
        {
          spec: slowSpec,
          handler: (async () => {
            await new Promise((resolve) => setTimeout(resolve, INTEGRATION_TIMEOUT_MS * 3));
            return { statusCode: 200, body: 'late' };
          }) as LambdaHandler,
        },
      ],
      [
        'fail',
        {
          spec: failSpec,
          handler: (async () => {
            throw new Error('boom');
          }) as LambdaHandler,
        },
      ],
    ]);
    gateway = await startGateway({
      port: 0,
      host: '127.0.0.1',
      routes: new RouteTable([echoSpec, failSpec, slowSpec]),
      functions,
      issuer,
      users: () => users,
      apiId: 'test',
      log: createRuntimeLog('SILENT'),
      integrationTimeoutMs: INTEGRATION_TIMEOUT_MS,
    });
  });

  afterAll(async () => {
    await gateway.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const call = (path: string, init: RequestInit = {}) => fetch(`${gateway.url}${path}`, init);
  const auth = () => ({ authorization: `Bearer ${token}` });

  it('passes a payload-format-2.0 event with the verified claims as strings', async () => {
    const response = await call('/v1/things/a%2Fb%20c/poke?tag=x&tag=y&q=%E4%B8%89%E5%A2%A9', {
      method: 'POST',
      headers: {
        ...auth(),
        'Content-Type': 'application/json',
        Cookie: 'a=1; b=2',
        'Idempotency-Key': 'k-1',
      },
      body: JSON.stringify({ note: '已到现场' }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-echo')).toBe('yes');
    expect(response.headers.getSetCookie()).toEqual(['session=abc; HttpOnly', 'theme=dark']);
    const event = (await response.json()) as APIGatewayProxyEventV2WithJWTAuthorizer;
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: 'POST /v1/things/{id}/poke',
      rawPath: '/v1/things/a%2Fb%20c/poke',
      rawQueryString: 'tag=x&tag=y&q=%E4%B8%89%E5%A2%A9',
      cookies: ['a=1', 'b=2'],
      queryStringParameters: { tag: 'x,y', q: '三墩' },
      pathParameters: { id: 'a/b c' },
      body: JSON.stringify({ note: '已到现场' }),
      isBase64Encoded: false,
      requestContext: {
        accountId: '000000000000',
        apiId: 'test',
        stage: '$default',
        routeKey: 'POST /v1/things/{id}/poke',
        http: {
          method: 'POST',
          path: '/v1/things/a%2Fb%20c/poke',
          protocol: 'HTTP/1.1',
          sourceIp: '127.0.0.1',
        },
        authorizer: {
          jwt: {
            claims: {
              sub: 'local:area_chief:z1',
              role: 'area_chief',
              department: 'urban-management',
              zone: 'z1',
              iss: 'urn:xietong:local',
              aud: 'xietong',
            },
            scopes: [],
          },
        },
      },
    });
    expect(event.headers['idempotency-key']).toBe('k-1');
    expect(event.headers.cookie).toBeUndefined();
    expect(typeof event.requestContext.authorizer.jwt.claims.exp).toBe('string');
    expect(event.requestContext.requestId).toBe(response.headers.get('apigw-requestid'));
    expect(event.requestContext.time).toMatch(/^\d{2}\/\w{3}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/);
  });

  it('base64-encodes a binary body', async () => {
    const bytes = Buffer.from([0, 1, 2, 250, 255]);
    const response = await call('/v1/things/x/poke', {
      method: 'POST',
      headers: { ...auth(), 'content-type': 'application/octet-stream' },
      body: bytes,
    });
    const event = (await response.json()) as APIGatewayProxyEventV2WithJWTAuthorizer;
    expect(event.isBase64Encoded).toBe(true);
    expect(Buffer.from(event.body ?? '', 'base64')).toEqual(bytes);
  });

  it('lets public routes through without a token and without an authorizer context', async () => {
    const response = await call('/public');
    expect(response.status).toBe(200);
    const event = (await response.json()) as { requestContext: Record<string, unknown> };
    expect(event.requestContext.authorizer).toBeUndefined();
  });

  it.each([
    ['no token', {}],
    ['a malformed header', { authorization: 'Token abc' }],
    ['a forged token', { authorization: 'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.' }],
  ])('answers 401 {"message":"Unauthorized"} for %s, as the JWT authorizer does', async (_, headers) => {
    const response = await call('/v1/things', { headers });
    expect(response.status).toBe(401);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer scope="" error="invalid_token" /);
    expect(response.headers.get('apigw-requestid')).toBeTruthy();
    expect(await response.json()).toEqual({ message: 'Unauthorized' });
  });

  it('refuses a token from another issuer', async () => {
    const otherDir = mkdtempSync(join(tmpdir(), 'xietong-gateway-other-'));
    try {
      const other = await createLocalIssuer(otherDir, {
        role: 'role',
        department: 'department',
        zone: 'zone',
      });
      const foreign = await other.issue({ sub: 'x', name: 'x', role: 'admin', department: null, zone: null });
      const response = await call('/v1/things', { headers: { authorization: `Bearer ${foreign}` } });
      expect(response.status).toBe(401);
      expect(await response.json()).toEqual({ message: 'Unauthorized' });
    } finally {
      rmSync(otherDir, { recursive: true, force: true });
    }
  });

  it('answers 404 {"message":"Not Found"} for an unknown path and for a known path with the wrong method', async () => {
    // HTTP APIs have no 405: the route key is the method and the path together.
    const missing = await call('/v1/nothing', { headers: auth() });
    const wrong = await call('/v1/things', { method: 'POST', headers: auth(), body: '{}' });
    for (const response of [missing, wrong]) {
      expect(response.status).toBe(404);
      expect(response.headers.get('content-type')).toBe('application/json');
      expect(response.headers.get('allow')).toBeNull();
      expect(await response.json()).toEqual({ message: 'Not Found' });
    }
  });

  it('answers 404 before the JWT check: an unknown route without a token is not a 401', async () => {
    const response = await call('/v1/nothing');
    expect(response.status).toBe(404);
  });

  it('takes a body up to the 10 MB payload quota and refuses a bigger one with 413 {"message":"Request Entity Too Large"}', async () => {
    const poke = (size: number) =>
      call('/v1/things/x/poke', {
        method: 'POST',
        headers: { ...auth(), 'content-type': 'application/json' },
        body: `"${'x'.repeat(size - 2)}"`,
      });
    const atQuota = await poke(MAX_BODY_BYTES);
    expect(atQuota.status).toBe(200);
    await atQuota.arrayBuffer();
    const over = await poke(MAX_BODY_BYTES + 1);
    expect(over.status).toBe(413);
    expect(over.headers.get('content-type')).toBe('application/json');
    expect(await over.json()).toEqual({ message: 'Request Entity Too Large' });
  });

  it('turns a throwing handler into 500 {"message":"Internal Server Error"}', async () => {
    const response = await call('/v1/broken', { headers: auth() });
    expect(response.status).toBe(500);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(await response.json()).toEqual({ message: 'Internal Server Error' });
  });

  it('answers 503 {"message":"Service Unavailable"} when a function outlasts the integration timeout', async () => {
    const response = await call('/v1/slow', { headers: auth() });
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({ message: 'Service Unavailable' });
  });

  it('answers CORS preflights itself, for any path (as an HTTP API with CORS configured does)', async () => {
    const response = await call('/v1/not-a-route', {
      method: 'OPTIONS',
      headers: { origin: 'http://localhost:5173', 'access-control-request-method': 'GET' },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
  });

  it('answers CORS preflights for the cockpit', async () => {
    const response = await call('/v1/things/x/poke', {
      method: 'OPTIONS',
      headers: {
        origin: 'http://localhost:5173',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, content-type, idempotency-key',
      },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
    expect(response.headers.get('access-control-allow-headers')).toContain('idempotency-key');
  });

  it('serves the demo tokens', async () => {
    const response = await call('/local/tokens');
    const body = (await response.json()) as { users: IssuedUser[] };
    expect(body.users[0]).toMatchObject({ role: 'area_chief', zone: 'z1', token });
  });
});
