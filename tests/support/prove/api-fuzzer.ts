import { Agent, request as httpRequest } from 'node:http';
import fc from 'fast-check';
import { MAX_BODY_BYTES } from '../../../infra/local/gateway';
import { isGatewayRefusal } from '../gateway-refusal';
import {
  type BodyMutation,
  bodyMutation,
  CONTENT_TYPES,
  HOSTILE_PATH_IDS,
  INJECTION_STRINGS,
  QUERY_NOISE,
  renderBody,
} from './hostile';
import { arbitraryFor, type JsonSchema, type KnownValues, type SchemaContext } from './schema-arbitrary';

/**
 * Property-based fuzzing of the whole HTTP API, driven by its own OpenAPI document: every operation
 * the document lists is a target, so a route added on another branch is fuzzed as soon as it is in
 * the document. Requests are valid-ish (generated from the schemas, with real ids and codes mixed
 * in) with hostile mutations on top; the oracle is the platform's promise at the edge: no 5xx, the
 * process stays up, every refusal is a problem+json (Open311's own error list on /open311) and a
 * 400/415/422 names the field at fault.
 */

export interface OpenApiOperation {
  parameters?: { name: string; in: 'path' | 'query' | 'header'; required?: boolean; schema?: JsonSchema }[];
  requestBody?: { required?: boolean; content: Record<string, { schema?: JsonSchema }> };
  security?: Record<string, string[]>[];
}

export interface OpenApiDocument {
  paths: Record<string, Record<string, OpenApiOperation>>;
  components?: { schemas?: Record<string, JsonSchema> };
}

export interface Operation {
  method: string;
  path: string;
  spec: OpenApiOperation;
}

export const operationsOf = (document: OpenApiDocument): Operation[] =>
  Object.entries(document.paths).flatMap(([path, methods]) =>
    Object.entries(methods)
      .filter(([method]) => ['get', 'post', 'put', 'patch', 'delete'].includes(method))
      .map(([method, spec]) => ({ method: method.toUpperCase(), path, spec })),
  );

export interface Caller {
  name: string;
  headers: Record<string, string>;
}

export interface FuzzFixtures {
  callers: Caller[];
  known: KnownValues;
  /** Real values for a path parameter, by the path segment before it (`cases` → case ids). */
  pathValues: Record<string, string[]>;
}

export interface FuzzRequest {
  operation: string;
  method: string;
  path: string;
  query: string;
  caller: string;
  headers: Record<string, string>;
  mutation: BodyMutation['kind'] | 'no-body';
  contentType: string | undefined;
  body?: Buffer;
}

export interface FuzzReply {
  status: number;
  contentType: string;
  text: string;
}

const segmentBefore = (path: string, parameter: string) => {
  const segments = path.split('/');
  const index = segments.indexOf(`{${parameter}}`);
  return index > 0 ? (segments[index - 1] ?? '') : '';
};

const encodeQueryValue = (value: unknown) =>
  encodeURIComponent(typeof value === 'string' ? value : JSON.stringify(value));

export const requestArbitrary = (
  document: OpenApiDocument,
  fixtures: FuzzFixtures,
  operations = operationsOf(document),
): fc.Arbitrary<FuzzRequest> => {
  const context: SchemaContext = {
    known: fixtures.known,
    resolve: (ref) => document.components?.schemas?.[ref.replace('#/components/schemas/', '')],
  };
  const perOperation = operations.map((operation) => {
    const parameters = operation.spec.parameters ?? [];
    const pathParameters = parameters.filter((p) => p.in === 'path');
    // Path templates may name parameters the document doesn't list (Open311's `{file}`).
    const templated = [...operation.path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1] ?? '');
    const pathArbitraries: Record<string, fc.Arbitrary<string>> = {};
    for (const name of new Set([...templated, ...pathParameters.map((p) => p.name)])) {
      const real = fixtures.pathValues[segmentBefore(operation.path, name)] ?? [];
      pathArbitraries[name] = fc.oneof(
        {
          weight: real.length > 0 ? 6 : 0,
          arbitrary: real.length > 0 ? fc.constantFrom(...real) : fc.constant('x'),
        },
        { weight: 2, arbitrary: fc.constantFrom(...HOSTILE_PATH_IDS) },
        { weight: 1, arbitrary: fc.string({ minLength: 1, maxLength: 30 }).map(encodeURIComponent) },
      );
    }
    const queryParameters = parameters.filter((p) => p.in === 'query');
    const queryArbitrary = fc
      .tuple(
        fc
          .subarray(queryParameters)
          .chain((chosen) =>
            fc.tuple(
              ...chosen.map((p) =>
                arbitraryFor(p.schema, context, p.name).map((v) => `${p.name}=${encodeQueryValue(v)}`),
              ),
            ),
          ),
        fc.subarray(QUERY_NOISE, { maxLength: 2 }),
        fc.boolean(),
      )
      .map(([valid, noise, noisy]) => [...valid, ...(noisy ? noise : [])].join('&'));
    const jsonSchema = operation.spec.requestBody?.content['application/json']?.schema;
    const hasBody = operation.method !== 'GET';
    const bodyArbitrary = hasBody
      ? fc.record({
          value: jsonSchema ? arbitraryFor(jsonSchema, context) : fc.jsonValue({ maxDepth: 2 }),
          mutation: bodyMutation,
          contentType: fc.oneof(
            { weight: 6, arbitrary: fc.constant<string | undefined>('application/json') },
            { weight: 1, arbitrary: fc.constant<string | undefined>(undefined) },
            { weight: 2, arbitrary: fc.constantFrom<string | undefined>(...CONTENT_TYPES) },
          ),
        })
      : fc.constant(undefined);
    const headerArbitrary = fc.oneof(
      { weight: 5, arbitrary: fc.constant<Record<string, string>>({}) },
      {
        weight: 1,
        arbitrary: fc
          .oneof(
            fc.stringMatching(/^[\x21-\x7e]{1,40}$/),
            fc.constantFrom(...INJECTION_STRINGS.filter((s) => /^[\x20-\x7e]+$/.test(s))),
            fc.constant('k'.repeat(300)),
          )
          .map((key) => ({ 'idempotency-key': key })),
      },
      {
        weight: 1,
        arbitrary: fc
          .constantFrom('../../x', 'a'.repeat(500), "' OR 1=1", 'ok-id')
          .map((id) => ({ 'x-correlation-id': id })),
      },
    );
    return fc
      .record({
        pathValues: fc.record(pathArbitraries),
        query: queryArbitrary,
        body: bodyArbitrary,
        caller: fc.constantFrom(...fixtures.callers),
        extraHeaders: headerArbitrary,
      })
      .map(({ pathValues, query, body, caller, extraHeaders }): FuzzRequest => {
        const path = operation.path.replace(/\{([^}]+)\}/g, (_, name: string) => pathValues[name] ?? 'x');
        const headers: Record<string, string> = { ...caller.headers, ...extraHeaders };
        let rendered: Buffer | undefined;
        let contentType: string | undefined;
        if (body) {
          rendered = renderBody(body.value, body.mutation, MAX_BODY_BYTES);
          contentType = body.contentType;
          if (contentType !== undefined) headers['content-type'] = contentType;
        }
        const request: FuzzRequest = {
          operation: `${operation.method} ${operation.path}`,
          method: operation.method,
          path,
          query,
          caller: caller.name,
          headers,
          mutation: body ? body.mutation.kind : 'no-body',
          contentType,
          ...(rendered && { body: rendered }),
        };
        // fast-check prints counterexamples: short, and without the callers' secrets.
        return Object.assign(request, { [fc.toStringMethod]: () => describeRequest(request) });
      });
  });
  return fc.oneof(...perOperation);
};

/** The request as a reader needs it: no tokens, the body cut short. */
export const describeRequest = (request: FuzzRequest): string => {
  const { authorization, 'x-api-key': apiKey, ...headers } = request.headers;
  return JSON.stringify({
    ...request,
    headers: {
      ...headers,
      ...(authorization && { authorization: '…' }),
      ...(apiKey && { 'x-api-key': '…' }),
    },
    body: request.body
      ? `${request.body.subarray(0, 300).toString('utf8')}${request.body.length > 300 ? `… (${request.body.length} bytes)` : ''}`
      : undefined,
  });
};

const agent = new Agent({ keepAlive: true, maxSockets: 8 });

/** Sends the request byte for byte (node:http, not fetch: no URL normalisation, raw bodies). */
export const send = (baseUrl: string, request: FuzzRequest, timeoutMs = 20_000): Promise<FuzzReply> =>
  new Promise((resolve, reject) => {
    const url = new URL(baseUrl);
    const req = httpRequest(
      {
        agent,
        host: url.hostname,
        port: url.port,
        method: request.method,
        path: `${request.path}${request.query ? `?${request.query}` : ''}`,
        headers: {
          ...request.headers,
          ...(request.body && { 'content-length': String(request.body.length) }),
        },
        timeout: timeoutMs,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            contentType: String(response.headers['content-type'] ?? ''),
            text: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        response.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no reply within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(request.body);
  });

/** Statuses whose refusal must say which field is at fault. */
const FIELD_STATUSES = new Set([400, 415, 422]);

/** What is wrong with a reply, or undefined when it keeps the promise. */
export const judge = (request: FuzzRequest, reply: FuzzReply): string | undefined => {
  if (reply.status >= 500) return `${reply.status} ${reply.text.slice(0, 300)}`;
  if (reply.status < 400) return undefined;
  // Refusals the gateway makes before any function runs (too large, no such route, no token) are
  // the HTTP API's fixed JSON, under /open311 too, as they are on AWS.
  if (isGatewayRefusal(reply)) return undefined;
  if (request.path.startsWith('/open311/')) {
    // The spec's error list, in the format the path asked for (XML by default).
    if (reply.contentType.includes('xml'))
      return reply.text.includes('<errors>') ? undefined : 'Open311 XML refusal without <errors>';
    try {
      const list = JSON.parse(reply.text) as { code?: unknown; description?: unknown }[];
      if (
        Array.isArray(list) &&
        list.every((e) => typeof e.code === 'number' && typeof e.description === 'string')
      )
        return undefined;
    } catch {}
    return `Open311 refusal is not the spec's error list: ${reply.contentType} ${reply.text.slice(0, 200)}`;
  }
  if (!reply.contentType.startsWith('application/problem+json'))
    return `${reply.status} with ${reply.contentType || 'no content type'}, not application/problem+json`;
  let problem: { status?: unknown; title?: unknown; errors?: { field?: unknown }[] };
  try {
    problem = JSON.parse(reply.text);
  } catch {
    return `${reply.status} problem body is not JSON: ${reply.text.slice(0, 200)}`;
  }
  if (problem.status !== reply.status)
    return `problem status ${String(problem.status)} ≠ HTTP ${reply.status}`;
  if (typeof problem.title !== 'string' || problem.title === '') return 'problem without a title';
  if (FIELD_STATUSES.has(reply.status)) {
    const fields = (problem.errors ?? []).map((e) => e.field);
    if (fields.length === 0 || fields.some((f) => typeof f !== 'string' || f === '' || f === '(request)'))
      return `${reply.status} does not name the field at fault: ${reply.text.slice(0, 300)}`;
  }
  return undefined;
};

export interface FuzzOutcome {
  sent: number;
  serverErrors: number;
  byStatus: Record<string, number>;
  byOperation: Record<string, number>;
}

export interface FuzzRunOptions {
  baseUrl: string;
  document: OpenApiDocument;
  fixtures: FuzzFixtures;
  runs: number;
  seed: number;
  /** Throws when the server process is gone (a crash is a failure whatever the reply said). */
  assertAlive: () => void;
  onProgress?: (outcome: FuzzOutcome) => void;
}

/** Runs the property; throws fast-check's report (seed, path, shrunk request) on the first broken promise. */
export const runFuzz = async (options: FuzzRunOptions): Promise<FuzzOutcome> => {
  const outcome: FuzzOutcome = { sent: 0, serverErrors: 0, byStatus: {}, byOperation: {} };
  const property = fc.asyncProperty(requestArbitrary(options.document, options.fixtures), async (request) => {
    let reply: FuzzReply;
    try {
      outcome.sent++;
      outcome.byOperation[request.operation] = (outcome.byOperation[request.operation] ?? 0) + 1;
      reply = await send(options.baseUrl, request);
    } catch (error) {
      options.assertAlive();
      // The gateway answers an oversized body with 413 and closes; the client may still be writing.
      if (request.mutation === 'oversized' && /EPIPE|ECONNRESET/.test(String(error))) return;
      throw new Error(`no reply: ${String(error)}`);
    }
    outcome.byStatus[reply.status] = (outcome.byStatus[reply.status] ?? 0) + 1;
    if (reply.status >= 500) outcome.serverErrors++;
    if (outcome.sent % 250 === 0) options.onProgress?.(outcome);
    options.assertAlive();
    const fault = judge(request, reply);
    if (fault) throw new Error(fault);
  });
  await fc.assert(property, { numRuns: options.runs, seed: options.seed, includeErrorInReport: true });
  return outcome;
};
