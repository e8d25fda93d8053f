import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type {
  APIGatewayProxyEventV2WithJWTAuthorizer,
  APIGatewayProxyStructuredResultV2,
  Context,
} from 'aws-lambda';
import { authOf, authorizerOf } from '../../shared/runtime/functions';
import type { DemoIntegration } from './demo-integration';
import { type GatewayRefusal, writeGatewayResponse } from './gateway-responses';
import type { LoadedFunction } from './handlers';
import { buildHttpEvent, type IncomingRequest } from './http-event';
import type { IssuedUser, LocalIssuer, VerifiedClaims } from './issuer';
import { passKeyAuthorizer } from './lambda-authorizer';
import { invokeWithTimeout, lambdaContextFor } from './lambda-context';
import type { RuntimeLog } from './log';
import type { RouteTable } from './routes';
import { serveStatic } from './static-files';

/** The HTTP API payload quota: a bigger request body is refused with 413 before any function runs. */
export const MAX_BODY_BYTES = 10 * 1024 * 1024;
/** The HTTP API's integration timeout (its maximum, and what CDK's HttpLambdaIntegration leaves). */
export const INTEGRATION_TIMEOUT_MS = 30_000;

export interface GatewayOptions {
  port: number;
  host: string;
  routes: RouteTable;
  functions: Map<string, LoadedFunction>;
  issuer: LocalIssuer;
  users: () => IssuedUser[];
  /** The demo machine clients (integration keys) listed beside the users. */
  integrations?: () => DemoIntegration[];
  /** The built cockpit, served at `/` when the folder exists. */
  staticRoot?: string;
  apiId: string;
  log: RuntimeLog;
  /** Extra local endpoints served before the API routes (the OIDC provider of `--auth oidc`). */
  extra?: { handle(request: IncomingMessage, response: ServerResponse): Promise<boolean> };
  /** `GET /local/stats`: what the local runtime counts (the burst bench reads it). */
  stats?: () => Promise<unknown>;
  /** Tests shorten it; otherwise the HTTP API's 30 s. */
  integrationTimeoutMs?: number;
}

export interface LocalGateway {
  url: string;
  port: number;
  stop(): Promise<void>;
}

const CORS_HEADERS = {
  'access-control-allow-methods': 'GET, POST, PUT, DELETE, OPTIONS',
  'access-control-allow-headers': 'authorization, content-type, idempotency-key',
  'access-control-expose-headers': 'location, retry-after, etag, idempotency-replayed',
  'access-control-max-age': '600',
};

const corsFor = (request: IncomingMessage): Record<string, string> => ({
  'access-control-allow-origin': request.headers.origin ?? '*',
  vary: 'origin',
  ...CORS_HEADERS,
});

type HttpHandler = (event: APIGatewayProxyEventV2WithJWTAuthorizer, context: Context) => Promise<unknown>;

class PayloadTooLargeError extends Error {}
class IntegrationTimeoutError extends Error {}

/** The function's reply, or IntegrationTimeoutError once the HTTP API would have stopped waiting. */
const withinIntegrationTimeout = async <T>(invocation: Promise<T>, timeoutMs: number): Promise<T> => {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new IntegrationTimeoutError()), timeoutMs);
  });
  try {
    return await Promise.race([invocation, timeout]);
  } finally {
    clearTimeout(timer);
  }
};

const readBody = (request: IncomingMessage): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const declared = Number(request.headers['content-length'] ?? 0);
    if (declared > MAX_BODY_BYTES) {
      reject(new PayloadTooLargeError());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) tooLarge = true;
      if (!tooLarge) chunks.push(chunk);
    });
    request.on('end', () => (tooLarge ? reject(new PayloadTooLargeError()) : resolve(Buffer.concat(chunks))));
    request.on('error', reject);
  });

const bearerToken = (header: string | undefined) => {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1];
};

const isStructuredResult = (value: unknown): value is APIGatewayProxyStructuredResultV2 =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as { statusCode?: unknown }).statusCode === 'number';

/** Writes a function's result as the HTTP API would, including its inference for non-structured results. */
const writeResult = (response: ServerResponse, result: unknown, extraHeaders: Record<string, string>) => {
  if (!isStructuredResult(result)) {
    const body = JSON.stringify(result ?? null);
    response.writeHead(200, { ...extraHeaders, 'content-type': 'application/json' });
    response.end(body);
    return;
  }
  const headers: Record<string, string | string[]> = { ...extraHeaders };
  for (const [name, value] of Object.entries(result.headers ?? {}))
    headers[name.toLowerCase()] = String(value);
  if (result.cookies && result.cookies.length > 0) headers['set-cookie'] = result.cookies;
  const body =
    result.body === undefined
      ? undefined
      : Buffer.from(result.body, result.isBase64Encoded ? 'base64' : 'utf8');
  if (body && !headers['content-type']) headers['content-type'] = 'application/json';
  if (body) headers['content-length'] = String(body.length);
  response.writeHead(result.statusCode ?? 200, headers);
  response.end(body);
};

export const startGateway = (options: GatewayOptions): Promise<LocalGateway> => {
  const { routes, functions, issuer, log } = options;
  const integrationTimeoutMs = options.integrationTimeoutMs ?? INTEGRATION_TIMEOUT_MS;
  // The HTTP API's Lambda authorizer for `auth: 'apiKey'` routes, as FUNCTIONS names it.
  const keyAuthorizer = [...functions.values()].find((loaded) => authorizerOf(loaded.spec) === 'apiKey');
  const keyRoute = routes.all.find((compiled) => authOf(compiled.route) === 'apiKey');
  if (keyRoute && !keyAuthorizer) {
    return Promise.reject(
      new Error(`${keyRoute.routeKey} needs the apiKey authorizer, but no function authorizes apiKey`),
    );
  }

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const started = performance.now();
    const requestId = randomUUID();
    const method = (request.method ?? 'GET').toUpperCase();
    const url = request.url ?? '/';
    const rawPath = url.split('?')[0] ?? '/';
    const cors = corsFor(request);
    const baseHeaders = { ...cors, 'apigw-requestid': requestId };
    // The HTTP API's own refusals say only their status; why they happened goes to the local log.
    let refusedBecause: string | undefined;
    const refuse = (refusal: GatewayRefusal) => {
      refusedBecause = refusal.reason;
      writeGatewayResponse(response, refusal.status, { ...baseHeaders, ...refusal.headers });
    };
    response.on('finish', () =>
      log.info(
        `${method} ${url} → ${response.statusCode} (${Math.round(performance.now() - started)} ms)` +
          (refusedBecause ? `: ${refusedBecause}` : ''),
      ),
    );

    if (method === 'GET' && rawPath === '/local/tokens') {
      const body = JSON.stringify({
        issuer: issuer.issuer,
        audience: issuer.audience,
        users: options.users(),
        // Machine clients with their integration key (no bearer token: they use x-api-key).
        integrations: options.integrations?.() ?? [],
      });
      response.writeHead(200, {
        ...baseHeaders,
        'content-type': 'application/json',
        'cache-control': 'no-store',
      });
      response.end(body);
      return;
    }

    if (method === 'GET' && rawPath === '/local/stats' && options.stats) {
      const body = JSON.stringify(await options.stats());
      response.writeHead(200, {
        ...baseHeaders,
        'content-type': 'application/json',
        'cache-control': 'no-store',
      });
      response.end(body);
      return;
    }

    if (options.extra && (await options.extra.handle(request, response))) return;

    // With CORS configured, an HTTP API answers every preflight itself, route or not.
    if (method === 'OPTIONS' && request.headers.origin && request.headers['access-control-request-method']) {
      response.writeHead(204, baseHeaders);
      response.end();
      return;
    }
    const matched = routes.match(method, rawPath);
    if (matched.kind === 'method-not-allowed') {
      // HTTP APIs have no 405: a path that exists under other methods is as unknown as any other.
      refuse({
        status: 404,
        reason: `no route for ${method} ${rawPath}; it has ${matched.allowed.join(', ')}`,
      });
      return;
    }
    if (matched.kind === 'none') {
      if (options.staticRoot && !rawPath.startsWith('/v1/')) {
        if (await serveStatic(options.staticRoot, rawPath, method, response)) return;
      }
      refuse({ status: 404, reason: `no route for ${method} ${rawPath}` });
      return;
    }

    const { compiled, pathParameters } = matched;
    const auth = authOf(compiled.route);
    const requestFacts: Omit<IncomingRequest, 'body'> = {
      method,
      url,
      httpVersion: request.httpVersion,
      headers: request.headers,
      sourceIp: request.socket.remoteAddress?.replace(/^::ffff:/, '') ?? '127.0.0.1',
      localPort: request.socket.localPort ?? 0,
    };
    let claims: VerifiedClaims | undefined;
    let lambdaContext: Record<string, unknown> | undefined;
    if (auth === 'apiKey' && keyAuthorizer) {
      const gate = await passKeyAuthorizer(
        keyAuthorizer,
        requestFacts,
        { route: compiled, pathParameters, apiId: options.apiId, requestId },
        log,
      );
      if (gate.kind === 'refuse') {
        refuse(gate.refusal);
        return;
      }
      lambdaContext = gate.context;
    }
    if (auth === 'jwt') {
      const token = bearerToken(request.headers.authorization);
      claims = token ? await issuer.verify(token) : undefined;
      if (!claims) {
        // The JWT authorizer names the failed check in www-authenticate; ours says only that it failed.
        const description = token
          ? 'the bearer token is not valid (signature, issuer, audience or expiry)'
          : 'no Authorization: Bearer <token> header';
        refuse({
          status: 401,
          reason: `${description}; get a token from GET /local/tokens`,
          headers: {
            'www-authenticate': `Bearer scope="" error="invalid_token" error_description="${description}"`,
          },
        });
        return;
      }
    }

    let body: Buffer;
    try {
      body = await readBody(request);
    } catch (error) {
      if (error instanceof PayloadTooLargeError) {
        refuse({
          status: 413,
          reason: `the request body exceeds ${MAX_BODY_BYTES} bytes`,
          headers: { connection: 'close' },
        });
        return;
      }
      throw error;
    }

    const incoming: IncomingRequest = { ...requestFacts, body };
    const event = buildHttpEvent(incoming, {
      route: compiled,
      pathParameters,
      claims,
      ...(lambdaContext && { lambdaContext }),
      apiId: options.apiId,
      requestId,
    });
    const loaded = functions.get(compiled.spec.name);
    if (!loaded) throw new Error(`function ${compiled.spec.name} is not loaded`);
    const handler = loaded.handler as HttpHandler;
    const context = lambdaContextFor(compiled.spec, requestId);
    let result: unknown;
    try {
      result = await withinIntegrationTimeout(
        invokeWithTimeout(compiled.spec, handler, event, context),
        integrationTimeoutMs,
      );
    } catch (error) {
      if (error instanceof IntegrationTimeoutError) {
        refuse({
          status: 503,
          reason: `${context.functionName} did not answer within the ${integrationTimeoutMs} ms integration timeout`,
        });
        return;
      }
      log.error(`${context.functionName} failed on ${compiled.routeKey} (request ${requestId})`, error);
      refuse({ status: 500, reason: `${context.functionName} failed (logged above)` });
      return;
    }
    writeResult(response, result, baseHeaders);
  };

  const server: Server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      log.error(`gateway error on ${request.method} ${request.url}`, error);
      if (!response.headersSent) writeGatewayResponse(response, 500);
      else response.destroy();
    });
  });
  server.keepAliveTimeout = 65_000;

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://${options.host}:${port}`,
        port,
        stop: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeIdleConnections();
            setTimeout(() => server.closeAllConnections(), 2_000).unref();
          }),
      });
    });
  });
};
