import * as z from '../validation/zod';
import { type LazySchema, schemaOf } from './lazy-schema';

/** A request schema as JSON Schema 2020-12 (OpenAPI 3.1's dialect), without the `$schema` tag. */
export const jsonSchemaOf = (type: z.ZodMiniType | LazySchema<z.ZodMiniType>) => {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schemaOf(type), {
    target: 'draft-2020-12',
    io: 'input',
    unrepresentable: 'any',
  });
  return rest;
};

/** Problem+json responses for these statuses, each pointing at the shared `Problem` schema. */
export const problemResponses = (...statuses: number[]) =>
  Object.fromEntries(
    statuses.map((status) => [
      String(status),
      {
        description:
          {
            400: 'Invalid request',
            401: 'No valid token',
            403: 'Forbidden',
            404: 'Not found',
            409: 'Conflict',
            415: 'Not JSON',
            422: 'Unprocessable',
            429: "Over the key's rate limit; retry after Retry-After seconds",
          }[status] ?? 'Error',
        ...(status === 429 && {
          headers: {
            'Retry-After': {
              description: 'Seconds until the next one-minute window',
              schema: { type: 'integer', minimum: 1 },
            },
          },
        }),
        content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
      },
    ]),
  );

/** How a signed request (department-system events, camera alerts) proves who sent it. */
export const SIGNED_REQUEST =
  'Signed, not keyed: `X-Xietong-Key-Id` (the integration key id), `X-Xietong-Timestamp` (Unix seconds, ' +
  'within 300 s of now) and `X-Xietong-Signature: v1=<hex HMAC-SHA256(signingSecret, "<timestamp>.<raw body>")>`. ' +
  'A wrong key, signature or body: 401 signature_refused; an old or future timestamp: 401 stale_timestamp; ' +
  'a signature already used: 401 replayed_signature.';

/** The three headers of a signed request. */
export const signatureHeaderParameters = () =>
  ['X-Xietong-Key-Id', 'X-Xietong-Timestamp', 'X-Xietong-Signature'].map((name) => ({
    name,
    in: 'header',
    required: true,
    schema: { type: 'string' },
  }));
