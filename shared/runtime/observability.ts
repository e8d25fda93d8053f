import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { MetricsOptions } from '@aws-lambda-powertools/metrics/types';
import type { Tracer } from '@aws-lambda-powertools/tracer';
import type { MiddlewareObj } from '@middy/core';

/**
 * One logger, metrics and tracer per process. Service name and namespace come from the standard
 * POWERTOOLS_* variables that the stack and the local cloud set.
 */
export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'xietong' });

/**
 * Powertools warns after every invocation that added no metric, and has no option to stop it short of
 * throwing (`throwOnEmptyMetrics`). Most reads add none on purpose, so that notice buried the log of
 * `npm start`; it is dropped here. The utility's other warnings (a bad dimension, a metric CloudWatch
 * would skip) still reach the log, through our logger so they carry the request's keys.
 */
const EMPTY_METRICS_NOTICE = 'No application metrics to publish';
export const metricsWarnings: NonNullable<MetricsOptions['logger']> = {
  // The utility passes one string per call.
  debug: (message: string) => logger.debug(message),
  info: (message: string) => logger.info(message),
  warn: (message: string) => {
    if (!String(message).startsWith(EMPTY_METRICS_NOTICE)) logger.warn(message);
  },
  error: (message: string) => logger.error(message),
};

export const metrics = new Metrics({
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'Xietong',
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'xietong',
  logger: metricsWarnings,
});

/**
 * Whether X-Ray would record here, by Powertools' own rule: inside Lambda (AWS_EXECUTION_ENV), not
 * turned off (POWERTOOLS_TRACE_ENABLED=false: the stack sets it where Lambda has no X-Ray, AWS China),
 * not a SAM or Amplify mock.
 */
export const tracingRecords = (env: NodeJS.ProcessEnv = process.env): boolean =>
  (env.POWERTOOLS_TRACE_ENABLED ?? '').toLowerCase() !== 'false' &&
  (env.AWS_EXECUTION_ENV ?? '') !== '' &&
  env.AWS_EXECUTION_ENV !== 'AWS_Lambda_amplify-mock' &&
  (env.AWS_SAM_LOCAL ?? '') === '';

/**
 * What a disabled Powertools tracer does, without loading it: records nothing, hands clients back
 * as they are. Its middleware only asks `isTracingEnabled()` when that is false.
 */
const NOT_RECORDING = {
  isTracingEnabled: () => false,
  captureAWSv3Client: <T>(client: T): T => client,
  putAnnotation: () => undefined,
  putMetadata: () => undefined,
  annotateColdStart: () => undefined,
  addServiceNameAnnotation: () => undefined,
  addResponseAsMetadata: () => undefined,
  addErrorAsMetadata: () => undefined,
};

/**
 * The tracer and the X-Ray SDK under it cost about as much at cold start as a whole minimal handler
 * (bench/bundles.ts). They are left out of every bundle (`TRACER_MODULE` in shared/runtime/functions.ts,
 * installed beside it where the stack traces) and loaded only where they record: in Lambda with
 * tracing on. The local cloud, the tests and functions with tracing off get the stand-in above and a
 * middleware that does nothing.
 */
const recording = tracingRecords();
const powertoolsTracer = recording ? await import('@aws-lambda-powertools/tracer') : undefined;
const tracerMiddleware = recording ? await import('@aws-lambda-powertools/tracer/middleware') : undefined;

export const tracer: Tracer = powertoolsTracer
  ? new powertoolsTracer.Tracer({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'xietong' })
  : (NOT_RECORDING as unknown as Tracer);

export interface TraceOptions {
  /** False where a reply carries a secret or is too big to keep: the segment skips it. */
  captureResponse?: boolean;
}

/**
 * Each invocation as an X-Ray subsegment with its cold start, response and error (Powertools'
 * middleware); no middleware at all where nothing records (middy takes a list, empty here).
 */
export const traceInvocations = (options: TraceOptions = {}): MiddlewareObj[] =>
  tracerMiddleware
    ? [
        tracerMiddleware.captureLambdaHandler(tracer, {
          captureResponse: options.captureResponse ?? true,
        }) as MiddlewareObj,
      ]
    : [];
