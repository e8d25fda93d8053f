import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type {
  APIGatewayProxyEventV2WithJWTAuthorizer,
  APIGatewayProxyStructuredResultV2,
  Context,
} from 'aws-lambda';
import { authOf } from '../../shared/runtime/functions';
import type { DemoIntegration } from './demo-integration';
import type { LoadedFunction } from './handlers';
import { buildHttpEvent, type IncomingRequest } from './http-event';
import type { IssuedUser, LocalIssuer, VerifiedClaims } from './issuer';
import { passKeyAuthorizer } from './lambda-authorizer';
import { invokeWithTimeout, lambdaContextFor } from './lambda-context';
import type { RuntimeLog } from './log';
import { writeProblem } from './problem';
import type { RouteTable } from './routes';
import { serveStatic } from './static-files';

/** API Gateway HTTP APIs refuse bigger payloads with 413 (their limit is 10 MB; ours is the API's). */
export const MAX_BODY_BYTES = 1024 * 1024;

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
  // The HTTP API's Lambda authorizer for `auth: 'apiKey'` routes, as FUNCTIONS names it.
  const keyAuthorizer = [...functions.values()].find((loaded) => loaded.spec.authorizes === 'apiKey');
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
    response.on('finish', () =>
      log.info(`${method} ${url} → ${response.statusCode} (${Math.round(performance.now() - started)} ms)`),
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

    if (options.extra && (await options.extra.handle(request, response))) return;

    const matched = routes.match(method, rawPath);
    if (method === 'OPTIONS') {
      const preflight = routes.match(
        String(request.headers['access-control-request-method'] ?? 'GET'),
        rawPath,
      );
      if (preflight.kind !== 'none') {
        response.writeHead(204, baseHeaders);
        response.end();
        return;
      }
    }
    if (matched.kind === 'method-not-allowed') {
      writeProblem(
        response,
        {
          status: 405,
          title: 'Method not allowed',
          detail: `${method} is not allowed on ${rawPath}; allowed: ${matched.allowed.join(', ')}`,
        },
        { ...baseHeaders, allow: matched.allowed.join(', ') },
      );
      return;
    }
    if (matched.kind === 'none') {
      if (options.staticRoot && !rawPath.startsWith('/v1/')) {
        if (await serveStatic(options.staticRoot, rawPath, method, response)) return;
      }
      writeProblem(
        response,
        { status: 404, title: 'Not found', detail: `no route for ${method} ${rawPath}` },
        baseHeaders,
      );
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
        writeProblem(response, gate.problem, baseHeaders);
        return;
      }
      lambdaContext = gate.context;
    }
    if (auth === 'jwt') {
      const token = bearerToken(request.headers.authorization);
      claims = token ? await issuer.verify(token) : undefined;
      if (!claims) {
        writeProblem(
          response,
          {
            status: 401,
            title: 'Unauthorized',
            detail: token
              ? 'the bearer token is not valid (signature, issuer, audience or expiry); get a fresh one from GET /local/tokens'
              : 'this route needs an Authorization: Bearer <token> header; get one from GET /local/tokens',
          },
          { ...baseHeaders, 'www-authenticate': 'Bearer' },
        );
        return;
      }
    }

    let body: Buffer;
    try {
      body = await readBody(request);
    } catch (error) {
      if (error instanceof PayloadTooLargeError) {
        writeProblem(
          response,
          {
            status: 413,
            title: 'Payload too large',
            detail: `the request body exceeds ${MAX_BODY_BYTES} bytes`,
          },
          { ...baseHeaders, connection: 'close' },
        );
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
      result = await invokeWithTimeout(compiled.spec, handler, event, context);
    } catch (error) {
      log.error(`${context.functionName} failed on ${compiled.routeKey} (request ${requestId})`, error);
      writeProblem(
        response,
        {
          status: 500,
          title: 'Internal server error',
          detail: `the function failed; see the local cloud's log for request ${requestId}`,
        },
        baseHeaders,
      );
      return;
    }
    writeResult(response, result, baseHeaders);
  };

  const server: Server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      log.error(`gateway error on ${request.method} ${request.url}`, error);
      if (!response.headersSent) {
        writeProblem(response, {
          status: 500,
          title: 'Internal server error',
          detail: 'the local gateway failed',
        });
      } else response.destroy();
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
