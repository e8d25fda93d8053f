import type { DynamoDBStreamEvent } from 'aws-lambda';
import { caseChangesOf } from '../../shared/adapters/aws/case-stream';
import type { EvaluationAggregates } from '../../shared/ports';
import { eventFunction } from '../../shared/runtime/event-functions';
import { logger, metrics } from '../../shared/runtime/observability';

export interface AggregateCasesDeps {
  aggregates: EvaluationAggregates;
}

/**
 * The table's change stream → the evaluation aggregates. A batch is applied whole or fails whole
 * (the stream delivers it again, and `applyChanges` skips what an earlier try put in), so there
 * is no partial batch response: a failure here is a throttle or an outage, not a poison record.
 */
export const makeHandler = (deps: AggregateCasesDeps) =>
  eventFunction(async (event: DynamoDBStreamEvent): Promise<void> => {
    const changes = caseChangesOf(event.Records);
    if (changes.length > 0) await deps.aggregates.applyChanges(changes);
    metrics.addMetric('CaseChangesAggregated', 'Count', changes.length);
    logger.debug('case changes aggregated', { records: event.Records.length, changes: changes.length });
  });
