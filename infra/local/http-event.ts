import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayRequestAuthorizerEventV2 } from 'aws-lambda';
import type { VerifiedClaims } from './issuer';
import { LOCAL_ACCOUNT, LOCAL_REGION } from './lambda-context';
import type { CompiledRoute } from './routes';

export interface IncomingRequest {
  method: string;
  /** The request target as sent: path and query, still percent-encoded. */
  url: string;
  httpVersion: string;
  headers: IncomingHttpHeaders;
  sourceIp: string;
  localPort: number;
  body: Buffer;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number) => String(n).padStart(2, '0');

/** API Gateway's `requestContext.time`: `30/Nov/2025:02:18:07 +0000`. */
export const gatewayTime = (date: Date) =>
  `${pad(date.getUTCDate())}/${MONTHS[date.getUTCMonth()]}/${date.getUTCFullYear()}:` +
  `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`;

const TEXT_TYPE =
  /^(text\/|application\/(json|[\w.+-]*\+json|xml|[\w.+-]*\+xml|javascript|x-www-form-urlencoded))/i;

/** HTTP APIs pass text bodies as they are and everything else base64-encoded. */
export const isTextContent = (contentType: string | undefined) =>
  !contentType || TEXT_TYPE.test(contentType.trim());

const decodeQueryComponent = (value: string) => {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    return value;
  }
};

/** Repeated parameters are joined with commas, as HTTP APIs do. */
const queryParametersOf = (rawQueryString: string): Record<string, string> | undefined => {
  if (!rawQueryString) return undefined;
  const parameters: Record<string, string> = {};
  for (const pair of rawQueryString.split('&')) {
    if (!pair) continue;
    const separator = pair.indexOf('=');
    const name = decodeQueryComponent(separator < 0 ? pair : pair.slice(0, separator));
    const value = separator < 0 ? '' : decodeQueryComponent(pair.slice(separator + 1));
    const existing = parameters[name];
    parameters[name] = existing === undefined ? value : `${existing},${value}`;
  }
  return Object.keys(parameters).length > 0 ? parameters : undefined;
};

/** Hop-by-hop headers end at the gateway. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'upgrade',
  'proxy-connection',
  'te',
]);

/** Lower-cased names, repeated headers joined with commas; cookies move to `cookies` (payload 2.0). */
const headersOf = (incoming: IncomingHttpHeaders) => {
  const headers: Record<string, string> = {};
  let cookies: string[] | undefined;
  for (const [name, value] of Object.entries(incoming)) {
    if (value === undefined) continue;
    const lower = name.toLowerCase();
    if (HOP_BY_HOP.has(lower)) continue;
    if (lower === 'cookie') {
      const all = (Array.isArray(value) ? value : [value]).flatMap((line) => line.split(';'));
      cookies = all.map((cookie) => cookie.trim()).filter(Boolean);
      continue;
    }
    headers[lower] = Array.isArray(value) ? value.join(',') : value;
  }
  return { headers, cookies };
};

export interface EventOptions {
  route: CompiledRoute;
  pathParameters: Record<string, string>;
  /** Verified token claims; absent on public routes, which carry no authorizer context. */
  claims: VerifiedClaims | undefined;
  /** What a Lambda authorizer allowed the request with: `requestContext.authorizer.lambda`. */
  lambdaContext?: Record<string, unknown>;
  apiId: string;
  requestId?: string;
  now?: Date;
}

/** The payload-format-2.0 event that an HTTP API with a JWT authorizer hands to the function. */
export const buildHttpEvent = (
  request: IncomingRequest,
  options: EventOptions,
): APIGatewayProxyEventV2WithJWTAuthorizer => {
  const now = options.now ?? new Date();
  const queryStart = request.url.indexOf('?');
  const rawPath = queryStart < 0 ? request.url : request.url.slice(0, queryStart);
  const rawQueryString = queryStart < 0 ? '' : request.url.slice(queryStart + 1);
  const { headers, cookies } = headersOf(request.headers);
  // What the HTTP API adds in front of the function.
  headers['x-forwarded-for'] = headers['x-forwarded-for']
    ? `${headers['x-forwarded-for']}, ${request.sourceIp}`
    : request.sourceIp;
  headers['x-forwarded-proto'] ??= 'http';
  headers['x-forwarded-port'] ??= String(request.localPort);
  const domainName = headers.host ?? 'localhost';
  const hasBody = request.body.length > 0;
  const text = isTextContent(headers['content-type']);
  const pathParameters = Object.keys(options.pathParameters).length > 0 ? options.pathParameters : undefined;
  const queryStringParameters = queryParametersOf(rawQueryString);

  const requestContext: APIGatewayProxyEventV2WithJWTAuthorizer['requestContext'] = {
    accountId: LOCAL_ACCOUNT,
    apiId: options.apiId,
    domainName,
    domainPrefix: domainName.split('.')[0] ?? domainName,
    http: {
      method: request.method,
      path: rawPath,
      protocol: `HTTP/${request.httpVersion}`,
      sourceIp: request.sourceIp,
      userAgent: headers['user-agent'] ?? '',
    },
    requestId: options.requestId ?? randomUUID(),
    routeKey: options.route.routeKey,
    stage: '$default',
    time: gatewayTime(now),
    timeEpoch: now.getTime(),
    authorizer: { jwt: { claims: options.claims ?? {}, scopes: [] }, principalId: '', integrationLatency: 0 },
  };
  // A route without an authorizer gets no authorizer context on AWS either.
  if (!options.claims) delete (requestContext as { authorizer?: unknown }).authorizer;
  if (options.lambdaContext) {
    (requestContext as { authorizer?: unknown }).authorizer = { lambda: options.lambdaContext };
  }

  return {
    version: '2.0',
    routeKey: options.route.routeKey,
    rawPath,
    rawQueryString,
    ...(cookies ? { cookies } : {}),
    headers,
    ...(queryStringParameters ? { queryStringParameters } : {}),
    requestContext,
    ...(hasBody ? { body: text ? request.body.toString('utf8') : request.body.toString('base64') } : {}),
    ...(pathParameters ? { pathParameters } : {}),
    isBase64Encoded: hasBody && !text,
  };
};

/**
 * The payload-format-2.0 event an HTTP API hands a Lambda authorizer (REQUEST type): the request
 * without its body, the identity source values, and the route's ARN.
 */
export const buildAuthorizerEvent = (
  request: Omit<IncomingRequest, 'body'>,
  options: Omit<EventOptions, 'claims' | 'lambdaContext'> & { identitySource: string[] },
): APIGatewayRequestAuthorizerEventV2 => {
  const event = buildHttpEvent({ ...request, body: Buffer.alloc(0) }, { ...options, claims: undefined });
  const { method } = event.requestContext.http;
  return {
    version: '2.0',
    type: 'REQUEST',
    routeArn: `arn:aws:execute-api:${LOCAL_REGION}:${LOCAL_ACCOUNT}:${options.apiId}/$default/${method}${event.rawPath}`,
    identitySource: options.identitySource,
    routeKey: event.routeKey,
    rawPath: event.rawPath,
    rawQueryString: event.rawQueryString,
    cookies: event.cookies ?? [],
    headers: event.headers,
    ...(event.queryStringParameters && { queryStringParameters: event.queryStringParameters }),
    requestContext: event.requestContext,
    ...(event.pathParameters && { pathParameters: event.pathParameters }),
  };
};
