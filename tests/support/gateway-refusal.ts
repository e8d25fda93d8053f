import { GATEWAY_MESSAGES, type GatewayStatus } from '../../infra/local/gateway-responses';

/**
 * Whether a reply is the HTTP API's own refusal (`{"message":"Unauthorized"}` and the like, as
 * application/json) rather than a function's problem+json: exactly the gateway's body for that
 * status, and no correlation id (every handler stamps one).
 */
export const isGatewayRefusal = (reply: {
  status: number;
  contentType: string;
  text: string;
  headers?: Headers;
}): boolean => {
  const message = GATEWAY_MESSAGES[reply.status as GatewayStatus] as string | undefined;
  return (
    message !== undefined &&
    reply.contentType === 'application/json' &&
    reply.text === JSON.stringify({ message }) &&
    (reply.headers?.get('x-correlation-id') ?? null) === null
  );
};
