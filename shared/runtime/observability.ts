import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { MetricsOptions } from '@aws-lambda-powertools/metrics/types';
import { Tracer } from '@aws-lambda-powertools/tracer';

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
export const tracer = new Tracer({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'xietong' });
