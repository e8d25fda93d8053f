import type { APIGatewayRequestAuthorizerEventV2, Context } from 'aws-lambda';
import { API_KEY_HEADER } from '../../shared/runtime/functions';
import type { GatewayRefusal } from './gateway-responses';
import type { LoadedFunction } from './handlers';
import { buildAuthorizerEvent, type EventOptions, type IncomingRequest } from './http-event';
import { invokeWithTimeout, lambdaContextFor } from './lambda-context';
import type { RuntimeLog } from './log';

export type AuthorizerVerdict =
  | { kind: 'allowed'; context: Record<string, unknown> }
  | { kind: 'denied' }
  | { kind: 'failed'; error: unknown };

type SimpleAuthorizer = (event: APIGatewayRequestAuthorizerEventV2, context: Context) => Promise<unknown>;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Invokes a Lambda authorizer with simple responses, as an HTTP API does with result caching off:
 * `isAuthorized: true` lets the request through with its context, `false` is a denial (403), and a
 * throw, a timeout or any other answer is the authorizer's failure (500).
 */
export const runLambdaAuthorizer = async (
  authorizer: LoadedFunction,
  event: APIGatewayRequestAuthorizerEventV2,
): Promise<AuthorizerVerdict> => {
  let result: unknown;
  try {
    result = await invokeWithTimeout(
      authorizer.spec,
      authorizer.handler as unknown as SimpleAuthorizer,
      event,
      lambdaContextFor(authorizer.spec),
    );
  } catch (error) {
    return { kind: 'failed', error };
  }
  if (!isObject(result) || typeof result.isAuthorized !== 'boolean') {
    return { kind: 'failed', error: new Error('the authorizer answered without a boolean isAuthorized') };
  }
  if (!result.isAuthorized) return { kind: 'denied' };
  return { kind: 'allowed', context: isObject(result.context) ? result.context : {} };
};

export type KeyGate =
  | { kind: 'pass'; context: Record<string, unknown> }
  | { kind: 'refuse'; refusal: GatewayRefusal };

/**
 * The integration-key check of an `auth: 'apiKey'` route, as the HTTP API runs it: no `x-api-key`
 * is a 401 without calling the authorizer, a denial 403, an authorizer failure 500 (each with the
 * HTTP API's own body; the reason is for the local log).
 */
export const passKeyAuthorizer = async (
  authorizer: LoadedFunction,
  request: Omit<IncomingRequest, 'body'>,
  options: Omit<EventOptions, 'claims' | 'lambdaContext'> & { requestId: string },
  log: RuntimeLog,
): Promise<KeyGate> => {
  const header = request.headers[API_KEY_HEADER];
  const presented = Array.isArray(header) ? header.join(',') : header;
  if (!presented) {
    return {
      kind: 'refuse',
      refusal: {
        status: 401,
        reason: `this route needs an ${API_KEY_HEADER} header: an integration key from POST /v1/integration-keys`,
      },
    };
  }
  const verdict = await runLambdaAuthorizer(
    authorizer,
    buildAuthorizerEvent(request, { ...options, identitySource: [presented] }),
  );
  switch (verdict.kind) {
    case 'allowed':
      return { kind: 'pass', context: verdict.context };
    case 'denied':
      return {
        kind: 'refuse',
        refusal: { status: 403, reason: `the authorizer refused the ${API_KEY_HEADER}` },
      };
    case 'failed':
      log.error(
        `${authorizer.spec.name} failed on ${options.route.routeKey} (request ${options.requestId})`,
        verdict.error,
      );
      return {
        kind: 'refuse',
        refusal: { status: 500, reason: `${authorizer.spec.name} failed (logged above)` },
      };
  }
};
