import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { KEY_ID_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER } from '../domain/signature';
import type { z } from '../validation/zod';
import { type LazySchema, schemaOf } from './lazy-schema';
import { fromZodError, RequestError } from './problem';

const header = (event: APIGatewayProxyEventV2, name: string): string | undefined => {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(event.headers ?? {})) {
    if (key.toLowerCase() === wanted) return value;
  }
  return undefined;
};

export { header };

/** The body exactly as the client sent it (what a signature covers), decoded from base64 if API Gateway encoded it. */
export const rawBody = (event: APIGatewayProxyEventV2): string =>
  event.body ? (event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body) : '';

/** What a signed request presents: which key, when, the signature, and the raw body it covers. */
export const signedRequestOf = (event: APIGatewayProxyEventV2) => ({
  keyId: header(event, KEY_ID_HEADER),
  timestamp: header(event, TIMESTAMP_HEADER),
  signature: header(event, SIGNATURE_HEADER),
  body: rawBody(event),
});

/** Parses a JSON body and validates it; an absent body is `{}` for commands that need no fields. */
export const jsonBody = <S extends z.ZodMiniType>(
  event: APIGatewayProxyEventV2,
  schema: S | LazySchema<S>,
): z.output<S> => {
  const contentType = header(event, 'content-type');
  const raw = rawBody(event);
  if (
    raw.trim() !== '' &&
    contentType !== undefined &&
    !/^application\/([a-z.+-]*\+)?json(\s*;.*)?$/i.test(contentType)
  ) {
    throw new RequestError(415, 'Unsupported media type', [
      { field: 'content-type', rule: 'json', message: `send application/json, not ${contentType}` },
    ]);
  }
  let document: unknown = {};
  if (raw.trim() !== '') {
    try {
      document = JSON.parse(raw);
    } catch (error) {
      throw new RequestError(400, 'Malformed JSON', [
        { field: 'body', rule: 'json', message: `the body is not valid JSON (${(error as Error).message})` },
      ]);
    }
  }
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    throw new RequestError(400, 'Invalid request', [
      { field: 'body', rule: 'object', message: 'the body must be a JSON object' },
    ]);
  }
  const result = schemaOf(schema).safeParse(document);
  if (!result.success) throw fromZodError(result.error);
  return result.data;
};

export const queryParams = <S extends z.ZodMiniType>(
  event: APIGatewayProxyEventV2,
  schema: S | LazySchema<S>,
): z.output<S> => {
  const result = schemaOf(schema).safeParse(event.queryStringParameters ?? {});
  if (!result.success) throw fromZodError(result.error, 'query');
  return result.data;
};

export const pathParam = <S extends z.ZodMiniType>(
  event: APIGatewayProxyEventV2,
  name: string,
  schema: S | LazySchema<S>,
): z.output<S> => {
  const result = schemaOf(schema).safeParse(event.pathParameters?.[name]);
  if (!result.success) throw fromZodError(result.error, name);
  return result.data;
};

export const headerParam = <S extends z.ZodMiniType>(
  event: APIGatewayProxyEventV2,
  name: string,
  schema: S | LazySchema<S>,
): z.output<S> | undefined => {
  const value = header(event, name);
  if (value === undefined) return undefined;
  const result = schemaOf(schema).safeParse(value);
  if (!result.success) throw fromZodError(result.error, name);
  return result.data;
};
