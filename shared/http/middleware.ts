import { randomUUID } from 'node:crypto';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { logger, metrics, traceInvocations } from '../runtime/observability';
import { jsonText } from './json-pieces';
import { problemHeaders, problemResponse, toProblem } from './problem';
import { header } from './request';

const CORRELATION_HEADER = 'x-correlation-id';

/** The caller's correlation id if it is sane, else API Gateway's request id: it follows the report everywhere. */
export const correlationIdOf = (event: APIGatewayProxyEventV2): string => {
  const given = header(event, CORRELATION_HEADER);
  if (given && /^[A-Za-z0-9._:-]{1,128}$/.test(given)) return given;
  return event.requestContext?.requestId || randomUUID();
};

type HttpHandler<E extends APIGatewayProxyEventV2> = (
  event: E,
  context: Context,
) => Promise<APIGatewayProxyStructuredResultV2>;

/** Correlation id into every log line and back to the client on every reply. */
const correlation = (): middy.MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2> => ({
  before: (request) => {
    logger.appendKeys({ correlationId: correlationIdOf(request.event) });
  },
  after: (request) => {
    if (request.response) {
      request.response.headers = {
        ...request.response.headers,
        [CORRELATION_HEADER]: correlationIdOf(request.event),
      };
    }
  },
});

/**
 * Named errors become problem+json with their status; anything else is logged and becomes a bare
 * 500. Done inside the handler body, not in an onError middleware, so a refusal is an ordinary
 * response: metrics and logs keep their correlation id, and tracing doesn't mark a 4xx as a fault.
 */
const answeringProblems =
  <E extends APIGatewayProxyEventV2>(body: HttpHandler<E>): HttpHandler<E> =>
  async (event, context) => {
    try {
      return await body(event, context);
    } catch (error) {
      const problem = toProblem(error);
      if (problem.status >= 500) logger.error('unhandled error', { error: error as Error });
      else logger.info('request refused', { status: problem.status, errors: problem.errors });
      metrics.addMetric(problem.status >= 500 ? 'ServerErrors' : 'ClientErrors', 'Count', 1);
      return problemResponse(problem, problemHeaders(error));
    }
  };

export interface HttpFunctionOptions {
  /** False when a reply carries a secret (a new integration key): it must not reach the traces. */
  captureResponse?: boolean;
}

/**
 * The middy chain every HTTP function shares: tracing, logging with context, metrics, correlation.
 * Events carry bearer tokens and integration keys: never logged whole, whatever
 * POWERTOOLS_LOGGER_LOG_EVENT says.
 */
export const httpFunction = <E extends APIGatewayProxyEventV2>(
  body: HttpHandler<E>,
  options: HttpFunctionOptions = {},
) =>
  middy<E, APIGatewayProxyStructuredResultV2>(answeringProblems(body))
    .use(traceInvocations({ captureResponse: options.captureResponse ?? true }))
    .use(injectLambdaContext(logger, { resetKeys: true, logEvent: false }))
    .use(logMetrics(metrics))
    .use(correlation() as unknown as middy.MiddlewareObj<E, APIGatewayProxyStructuredResultV2>);

/** A JSON reply; its body is made in pieces, as a page of cases is long (see json-pieces.ts). */
export const json = (
  statusCode: number,
  body: unknown,
  headers: Record<string, string> = {},
): APIGatewayProxyStructuredResultV2 => ({
  statusCode,
  headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
  body: jsonText(body),
});
