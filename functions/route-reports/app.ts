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
  const outcome = await routeQueuedReport(deps, message);
  metrics.addMetric(outcome === 'routed' ? 'ReportsRouted' : 'RoutingSkipped', 'Count', 1);
  // Records run concurrently: their keys go on each line, not on the shared logger.
  logger.info('report routed', { outcome, correlationId: message.correlationId, caseId: message.caseId });
};

/**
 * The intake queue's consumer. The records of a batch are routed concurrently, each on its own;
 * failures are reported per record (partial batch response) so one bad message never holds back
 * the others. Two records for one case are safe: the loser of the version check sees it routed.
 */
export const makeHandler = (deps: RouteReportDeps) =>
  middy(async (event: SQSEvent): Promise<SQSBatchResponse> => {
    const outcomes = await Promise.allSettled(event.Records.map((record) => routeRecord(deps, record)));
    const batchItemFailures: SQSBatchItemFailure[] = [];
    outcomes.forEach((outcome, index) => {
      if (outcome.status === 'fulfilled') return;
      const { messageId } = event.Records[index]!;
      logger.error('routing failed', { messageId, error: outcome.reason as Error });
      metrics.addMetric('RoutingFailures', 'Count', 1);
      batchItemFailures.push({ itemIdentifier: messageId });
    });
    return { batchItemFailures };
  })
    .use(captureLambdaHandler(tracer))
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics));
