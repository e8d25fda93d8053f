import type { APIGatewayProxyEventV2WithJWTAuthorizer, Context } from 'aws-lambda';

export interface ApiCall {
  routeKey: string;
  path?: string;
  body?: unknown;
  /** A raw body, sent as is (for malformed JSON). */
  rawBody?: string;
  headers?: Record<string, string>;
  query?: Record<string, string>;
  pathParameters?: Record<string, string>;
  claims?: Record<string, string>;
  /** The key authorizer's context: the event then carries `authorizer.lambda` instead of JWT claims. */
  lambda?: Record<string, unknown>;
}

/** The payload-2.0 event an HTTP API with a JWT authorizer delivers, reduced to what the handlers read. */
export const apiEvent = (call: ApiCall): APIGatewayProxyEventV2WithJWTAuthorizer => {
  const [method = 'GET', path = '/'] = call.routeKey.split(' ');
  const body = call.rawBody ?? (call.body === undefined ? undefined : JSON.stringify(call.body));
  return {
    version: '2.0',
    routeKey: call.routeKey,
    rawPath: call.path ?? path,
    rawQueryString: new URLSearchParams(call.query ?? {}).toString(),
    headers: { 'content-type': 'application/json', ...call.headers },
    ...(call.query && { queryStringParameters: call.query }),
    ...(call.pathParameters && { pathParameters: call.pathParameters }),
    ...(body !== undefined && { body }),
    isBase64Encoded: false,
    requestContext: {
      accountId: '000000000000',
      apiId: 'test',
      domainName: 'localhost',
      domainPrefix: 'localhost',
      http: {
        method,
        path: call.path ?? path,
        protocol: 'HTTP/1.1',
        sourceIp: '127.0.0.1',
        userAgent: 'vitest',
      },
      requestId: `req-${Math.random().toString(36).slice(2)}`,
      routeKey: call.routeKey,
      stage: '$default',
      time: new Date().toISOString(),
      timeEpoch: Date.now(),
      authorizer: call.lambda
        ? ({ lambda: call.lambda } as never)
        : { jwt: { claims: call.claims ?? {}, scopes: [] }, principalId: '', integrationLatency: 0 },
    },
  };
};

export const lambdaContext = (): Context => ({
  callbackWaitsForEmptyEventLoop: false,
  functionName: 'test',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:test',
  memoryLimitInMB: '512',
  awsRequestId: `aws-${Math.random().toString(36).slice(2)}`,
  logGroupName: '/aws/lambda/test',
  logStreamName: 'test',
  getRemainingTimeInMillis: () => 30_000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
});
