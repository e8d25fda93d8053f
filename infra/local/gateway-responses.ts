import type { ServerResponse } from 'node:http';

/**
 * What an API Gateway HTTP API answers on its own, before or instead of a function: a fixed JSON
 * body `{"message": ...}`, never problem+json (HTTP APIs have no gateway-response templates to change
 * it). Shapes from the API Gateway developer guide (JWT and Lambda authorizer troubleshooting pages)
 * and replies seen from deployed HTTP APIs; see infra/local/README.md for where we still differ.
 */
export const GATEWAY_MESSAGES = {
  /** JWT missing or invalid; Lambda authorizer identity source missing. */
  401: 'Unauthorized',
  /** A Lambda authorizer answered `isAuthorized: false`. */
  403: 'Forbidden',
  /** No route for the method and path (HTTP APIs have no 405). */
  404: 'Not Found',
  /** A body over the HTTP API's 10 MB payload quota. */
  413: 'Request Entity Too Large',
  /** The function or the authorizer threw, timed out or answered something unusable. */
  500: 'Internal Server Error',
  /** The integration outlasted the HTTP API's 30 s integration timeout. */
  503: 'Service Unavailable',
} as const;

export type GatewayStatus = keyof typeof GATEWAY_MESSAGES;

/** The gateway's own refusal, with why kept for the local log (AWS's body says no more than the status). */
export interface GatewayRefusal {
  status: GatewayStatus;
  /** For the runtime log only: what a developer needs to fix the request. */
  reason: string;
  headers?: Record<string, string>;
}

export const writeGatewayResponse = (
  response: ServerResponse,
  status: GatewayStatus,
  headers: Record<string, string> = {},
): void => {
  const body = JSON.stringify({ message: GATEWAY_MESSAGES[status] });
  response.writeHead(status, {
    ...headers,
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
  });
  response.end(body);
};
