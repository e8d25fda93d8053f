import type { SQSRecord } from 'aws-lambda';
import type { RoutingRequest } from '../../shared/ports';
import { sqsBatchFunction } from '../../shared/runtime/event-functions';
import { logger, metrics } from '../../shared/runtime/observability';
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

/** The message group SQS used (the routing area); messages from before areas get one from their body. */
const areaOf = (record: SQSRecord, request: RoutingRequest) =>
  record.attributes.MessageGroupId ?? request.area ?? 'unknown';

/**
 * The intake queue's consumer. A FIFO batch may hold several routing areas (message groups): each
 * area's reports are routed together, in order, in one pass (`routeReports`), and the areas of
 * the batch in parallel; hence the batch-level helper, not a handler per record. Failures are
 * reported per message (partial batch response). A failed report does not fail the reports after
 * it: routing does not depend on their order (a redelivery of the failed one is judged against
 * whatever was registered meanwhile), and failing them too would spend their receives and send
 * healthy reports to the DLQ behind a poison one. That is also why Powertools' FIFO processor is
 * not used here: on a failure it fails every later record of the batch (or, with
 * `skipGroupOnError`, of the area), and it handles records one at a time.
 */
export const makeHandler = (deps: RouteReportDeps) =>
  sqsBatchFunction(
    RoutingMessage,
    async (records) => {
      const areas = new Map<string, QueuedReport[]>();
      for (const { message, record } of records) {
        const request = { ...message, redelivered: Number(record.attributes.ApproximateReceiveCount) > 1 };
        const area = areaOf(record, request);
        areas.set(area, [...(areas.get(area) ?? []), request]);
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

      const outcomes = new Map<string, Error | undefined>();
      const counts = { routed: 0, skipped: 0 };
      for (const { message, record } of records) {
        const result = results.get(message.caseId) ?? 'missing';
        if (result instanceof Error) {
          outcomes.set(record.messageId, result);
          continue;
        }
        if (result === 'routed') counts.routed++;
        else counts.skipped++;
        // Records run concurrently: their keys go on each line, not on the shared logger.
        logger.debug('report routed', {
          outcome: result,
          correlationId: message.correlationId,
          caseId: message.caseId,
        });
      }
      if (counts.routed > 0) metrics.addMetric('ReportsRouted', 'Count', counts.routed);
      if (counts.skipped > 0) metrics.addMetric('RoutingSkipped', 'Count', counts.skipped);
      logger.info('batch routed', { records: records.length, areas: areas.size, ...counts });
      return outcomes;
    },
    {
      message: 'routing message',
      onFailure: (error, { messageId }) => {
        logger.error('routing failed', { messageId, error });
        metrics.addMetric('RoutingFailures', 'Count', 1);
      },
    },
  );
