import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type { SQSBatchItemFailure, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { z } from 'zod';
import { logger, metrics, tracer } from '../../shared/runtime/observability';
import { type RouteReportDeps, routeQueuedReport } from '../../shared/usecases/route-report';

const RoutingMessage = z.object({ caseId: z.string().min(1), correlationId: z.string().min(1) });

const routeRecord = async (deps: RouteReportDeps, record: SQSRecord): Promise<void> => {
  let message: z.infer<typeof RoutingMessage>;
  try {
    message = RoutingMessage.parse(JSON.parse(record.body));
  } catch (error) {
    // Poison: it will never parse. Failing it lets SQS move it to the DLQ after maxReceiveCount.
    throw new Error(`unreadable routing message ${record.messageId}: ${(error as Error).message}`);
  }
  logger.appendKeys({ correlationId: message.correlationId, caseId: message.caseId });
  try {
    const outcome = await routeQueuedReport(deps, message);
    metrics.addMetric(outcome === 'routed' ? 'ReportsRouted' : 'RoutingSkipped', 'Count', 1);
    logger.info('report routed', { outcome });
  } finally {
    logger.removeKeys(['correlationId', 'caseId']);
  }
};

/**
 * The intake queue's consumer. Each record is routed on its own; failures are reported per record
 * (partial batch response) so one bad message never holds back the others.
 */
export const makeHandler = (deps: RouteReportDeps) =>
  middy(async (event: SQSEvent): Promise<SQSBatchResponse> => {
    const batchItemFailures: SQSBatchItemFailure[] = [];
    for (const record of event.Records) {
      try {
        await routeRecord(deps, record);
      } catch (error) {
        logger.error('routing failed', { messageId: record.messageId, error: error as Error });
        metrics.addMetric('RoutingFailures', 'Count', 1);
        batchItemFailures.push({ itemIdentifier: record.messageId });
      }
    }
    return { batchItemFailures };
  })
    .use(captureLambdaHandler(tracer))
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics));
