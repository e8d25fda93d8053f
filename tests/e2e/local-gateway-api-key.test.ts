import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { APIGatewayRequestAuthorizerEventV2 } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type LocalGateway, startGateway } from '../../infra/local/gateway';
import type { LambdaHandler, LoadedFunction } from '../../infra/local/handlers';
import { createLocalIssuer } from '../../infra/local/issuer';
import { createRuntimeLog } from '../../infra/local/log';
import { RouteTable } from '../../infra/local/routes';
import type { FunctionSpec } from '../../shared/runtime/functions';

/**
 * The local gateway in front of an `auth: 'apiKey'` route, with a stand-in authorizer: what the
 * authorizer is given (payload 2.0 REQUEST event), and the HTTP API's answers — no header 401
 * without calling it, a denial 403, a failure 500, an allowance the context as
 * `requestContext.authorizer.lambda`.
 */

const machineSpec: FunctionSpec = {
  name: 'machine',
  entry: 'unused',
  description: 'returns the event it got',
  routes: [
    { method: 'POST', path: '/v1/machine/{kind}', auth: 'apiKey' },
    { method: 'GET', path: '/v1/people' },
  ],
  access: { table: 'none', intakeQueue: 'none' },
};
const authorizerSpec: FunctionSpec = {
  name: 'authorizer',
  entry: 'unused',
  description: 'stand-in key authorizer',
  routes: [],
  triggers: [{ kind: 'authorizer', auth: 'apiKey' }],
  access: { table: 'none', intakeQueue: 'none' },
};

const echo = async (event: unknown) => ({ statusCode: 200, body: JSON.stringify(event) });

describe('local API gateway: integration-key routes', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'xietong-gateway-key-'));
  let gateway: LocalGateway;
  let token = '';
  const calls: APIGatewayRequestAuthorizerEventV2[] = [];
  let answer: (event: APIGatewayRequestAuthorizerEventV2) => Promise<unknown>;

  beforeAll(async () => {
    const issuer = await createLocalIssuer(dataDir, { role: 'role', department: 'department', zone: 'zone' });
    token = await issuer.issue({ sub: 'u', name: 'u', role: 'command_centre', department: null, zone: null });
    const authorizer = async (event: APIGatewayRequestAuthorizerEventV2) => {
      calls.push(event);
      return answer(event);
    };
    const functions = new Map<string, LoadedFunction>([
      ['machine', { spec: machineSpec, handler: echo as unknown as LambdaHandler }],
      ['authorizer', { spec: authorizerSpec, handler: authorizer as unknown as LambdaHandler }],
    ]);
    gateway = await startGateway({
      port: 0,
      host: '127.0.0.1',
      routes: new RouteTable([machineSpec, authorizerSpec]),
      functions,
      issuer,
      users: () => [],
      apiId: 'test',
      log: createRuntimeLog('SILENT'),
    });
  });

  beforeEach(() => {
    calls.length = 0;
    answer = async (event) =>
      event.identitySource[0] === 'good-key'
        ? {
            isAuthorized: true,
            context: { keyId: 'K1', source: 'hotline', actions: 'report', rateLimitPerMinute: 5 },
          }
        : { isAuthorized: false };
  });

  afterAll(async () => {
    await gateway.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const post = (headers: Record<string, string>, path = '/v1/machine/hotline?x=1') =>
    fetch(`${gateway.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ source: 'hotline' }),
    });

  it('hands the route the authorizer context as requestContext.authorizer.lambda', async () => {
    // Act
    const response = await post({ 'x-api-key': 'good-key' });

    // Assess
    expect(response.status).toBe(200);
    const event = (await response.json()) as {
      routeKey: string;
      body: string;
      pathParameters: Record<string, string>;
      requestContext: { authorizer: unknown };
    };
    expect(event.routeKey).toBe('POST /v1/machine/{kind}');
    expect(event.body).toBe(JSON.stringify({ source: 'hotline' }));
    expect(event.pathParameters).toEqual({ kind: 'hotline' });
    expect(event.requestContext.authorizer).toEqual({
      lambda: { keyId: 'K1', source: 'hotline', actions: 'report', rateLimitPerMinute: 5 },
    });
  });

  it('gives the authorizer a payload-2.0 REQUEST event without the body', async () => {
    // Act
    await post({ 'X-Api-Key': 'good-key', cookie: 'a=1' });

    // Assess
    expect(calls).toHaveLength(1);
    const event = calls[0]!;
    expect(event).toMatchObject({
      version: '2.0',
      type: 'REQUEST',
      routeArn: 'arn:aws:execute-api:us-east-1:000000000000:test/$default/POST/v1/machine/hotline',
      identitySource: ['good-key'],
      routeKey: 'POST /v1/machine/{kind}',
      rawPath: '/v1/machine/hotline',
      rawQueryString: 'x=1',
      cookies: ['a=1'],
      queryStringParameters: { x: '1' },
      pathParameters: { kind: 'hotline' },
      requestContext: {
        apiId: 'test',
        stage: '$default',
        http: { method: 'POST', path: '/v1/machine/hotline' },
      },
    });
    expect(event.headers?.['x-api-key']).toBe('good-key');
    expect(event).not.toHaveProperty('body');
    expect(event.requestContext).not.toHaveProperty('authorizer');
  });

  it('answers 401 without calling the authorizer when the header is missing or empty', async () => {
    // Act
    const missing = await post({});
    const empty = await post({ 'x-api-key': '' });
    // A user's token is no integration key.
    const bearer = await post({ authorization: `Bearer ${token}` });

    // Assess
    for (const response of [missing, empty, bearer]) {
      expect(response.status).toBe(401);
      expect(response.headers.get('content-type')).toBe('application/json');
      expect(await response.json()).toEqual({ message: 'Unauthorized' });
    }
    expect(calls).toHaveLength(0);
  });

  it('answers 403 when the authorizer denies, and the route never runs', async () => {
    // Act
    const response = await post({ 'x-api-key': 'revoked-key' });

    // Assess
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({ message: 'Forbidden' });
    expect(calls).toHaveLength(1);
  });

  it('answers 500 when the authorizer throws or gives no verdict', async () => {
    // Prepare
    answer = async () => {
      throw new Error('table unreachable');
    };
    const thrown = await post({ 'x-api-key': 'good-key' });
    answer = async () => ({ allowed: true });

    // Act
    const noVerdict = await post({ 'x-api-key': 'good-key' });

    // Assess
    for (const response of [thrown, noVerdict]) {
      expect(response.status).toBe(500);
      expect(await response.json()).toEqual({ message: 'Internal Server Error' });
    }
  });

  it('calls the authorizer on every request (no result cache)', async () => {
    // Act
    await post({ 'x-api-key': 'good-key' });
    await post({ 'x-api-key': 'good-key' });

    // Assess
    expect(calls).toHaveLength(2);
  });

  it('keeps JWT routes on the JWT check: an integration key opens nothing there', async () => {
    // Act
    const withKey = await fetch(`${gateway.url}/v1/people`, { headers: { 'x-api-key': 'good-key' } });
    const withToken = await fetch(`${gateway.url}/v1/people`, {
      headers: { authorization: `Bearer ${token}` },
    });

    // Assess
    expect(withKey.status).toBe(401);
    expect(withToken.status).toBe(200);
    expect(calls).toHaveLength(0);
  });

  it('refuses to start with an apiKey route but no authorizer function', async () => {
    // Act
    const starting = startGateway({
      port: 0,
      host: '127.0.0.1',
      routes: new RouteTable([machineSpec]),
      functions: new Map([['machine', { spec: machineSpec, handler: echo as unknown as LambdaHandler }]]),
      issuer: await createLocalIssuer(dataDir, { role: 'role', department: 'department', zone: 'zone' }),
      users: () => [],
      apiId: 'test',
      log: createRuntimeLog('SILENT'),
    });

    // Assess
    await expect(starting).rejects.toThrow(/no function authorizes apiKey/);
  });
});
