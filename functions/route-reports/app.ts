import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { SQSBatchItemFailure, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { RoutingRequest } from '../../shared/ports';
import { logger, metrics, traceInvocations } from '../../shared/runtime/observability';
import {
  type QueuedReport,
  type RouteReportDeps,
  type RouteResult,
  routeReports,
} from '../../shared/usecases/route-report';
import * as z from '../../shared/validation/zod';

const RoutingMessage = z.object({
  caseId: z.string().check(z.minLength(1)),
  correlationId: z.string().check(z.minLength(1)),
  area: z.optional(z.string().check(z.minLength(1))),
});

type Parsed = { record: SQSRecord; request: QueuedReport } | { record: SQSRecord; error: Error };

const parse = (record: SQSRecord): Parsed => {
  try {
    const request = RoutingMessage.parse(JSON.parse(record.body));
    return {
      record,
      request: { ...request, redelivered: Number(record.attributes.ApproximateReceiveCount) > 1 },
    };
  } catch (error) {
    // Poison: it will never parse. Failing it lets SQS move it to the DLQ after maxReceiveCount.
    return {
      record,
      error: new Error(`unreadable routing message ${record.messageId}: ${(error as Error).message}`),
    };
  }
};

/** The message group SQS used (the routing area); messages from before areas get one from their body. */
const areaOf = (record: SQSRecord, request: RoutingRequest) =>
  record.attributes.MessageGroupId ?? request.area ?? 'unknown';

/**
 * The intake queue's consumer. A FIFO batch may hold several routing areas (message groups): each
 * area's reports are routed together, in order, in one pass (`routeReports`), and the areas of
 * the batch in parallel. Failures are reported per message (partial batch response). A failed
 * report does not fail the reports after it: routing does not depend on their order (a redelivery
 * of the failed one is judged against whatever was registered meanwhile), and failing them too
 * would spend their receives and send healthy reports to the DLQ behind a poison one.
 */
export const makeHandler = (deps: RouteReportDeps) =>
  middy(async (event: SQSEvent): Promise<SQSBatchResponse> => {
    const parsed = event.Records.map(parse);
    const areas = new Map<string, QueuedReport[]>();
    for (const item of parsed) {
      if (!('request' in item)) continue;
      const area = areaOf(item.record, item.request);
      areas.set(area, [...(areas.get(area) ?? []), item.request]);
    }
    const results = new Map<string, RouteResult>();
    await Promise.all(
      [...areas.values()].map(async (requests) => {
        try {
          for (const [caseId, result] of await routeReports(deps, requests)) results.set(caseId, result);
        } catch (error) {
          // The area's reads failed (a throttle past the SDK's retries): its reports come back later.
          for (const { caseId } of requests) results.set(caseId, error as Error);
        }
      }),
    );

    const batchItemFailures: SQSBatchItemFailure[] = [];
    const counts = { routed: 0, skipped: 0 };
    for (const item of parsed) {
      const { messageId } = item.record;
      const result = 'error' in item ? item.error : (results.get(item.request.caseId) ?? 'missing');
      if (result instanceof Error) {
        logger.error('routing failed', { messageId, error: result });
        metrics.addMetric('RoutingFailures', 'Count', 1);
        batchItemFailures.push({ itemIdentifier: messageId });
        continue;
      }
      if (result === 'routed') counts.routed++;
      else counts.skipped++;
      if ('request' in item) {
        // Records run concurrently: their keys go on each line, not on the shared logger.
        logger.debug('report routed', {
          outcome: result,
          correlationId: item.request.correlationId,
          caseId: item.request.caseId,
        });
      }
    }
    if (counts.routed > 0) metrics.addMetric('ReportsRouted', 'Count', counts.routed);
    if (counts.skipped > 0) metrics.addMetric('RoutingSkipped', 'Count', counts.skipped);
    logger.info('batch routed', { records: event.Records.length, areas: areas.size, ...counts });
    return { batchItemFailures };
  })
    .use(traceInvocations())
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics));
