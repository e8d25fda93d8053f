import type { S3Event } from 'aws-lambda';
import { SNAPSHOT_PREFIX } from '../../shared/domain/evidence';
import { eventFunction } from '../../shared/runtime/event-functions';
import { logger, metrics } from '../../shared/runtime/observability';
import { type ArrivalOutcome, snapshotArrived } from '../../shared/usecases/camera-snapshots';
import {
  type CheckEvidenceDeps,
  type CheckOutcome,
  checkEvidence,
} from '../../shared/usecases/check-evidence';

export type EvidenceDeps = CheckEvidenceDeps;

type Outcome = CheckOutcome['outcome'] | `snapshot-${ArrivalOutcome}`;

/** S3 event keys are URL-encoded, with `+` for spaces. */
export const objectKeyOfRecord = (key: string) => decodeURIComponent(key.replace(/\+/g, ' '));

export class EvidenceBatchError extends Error {
  override readonly name = 'EvidenceBatchError';
}

/**
 * S3 ObjectCreated on the evidence bucket: under `cases/` each new object is checked and its
 * attachment marked verified or rejected; under `snapshots/` a camera's snapshot is placed in its
 * report's case once the report has one (the copy then arrives under `cases/` and is checked). Every step is repeatable, so when one record fails
 * the invocation fails and Lambda's retry runs the batch again without doing anything twice.
 */
export const makeHandler = (deps: EvidenceDeps) =>
  eventFunction(
    async (event: S3Event): Promise<{ outcomes: Outcome[] }> => {
      const outcomes: Outcome[] = [];
      let failures = 0;
      for (const record of event.Records) {
        if (!record.eventName.startsWith('ObjectCreated:')) continue;
        const key = objectKeyOfRecord(record.s3.object.key);
        const requestId = record.responseElements?.['x-amz-request-id'];
        try {
          if (key.startsWith(SNAPSHOT_PREFIX)) {
            const placed = await snapshotArrived(deps, key, requestId);
            outcomes.push(`snapshot-${placed}`);
            logger.info('camera snapshot arrived', { key, outcome: placed });
            continue;
          }
          const result = await checkEvidence(deps, { key, arrivedAt: record.eventTime }, requestId);
          outcomes.push(result.outcome);
          if (result.outcome === 'checked') {
            metrics.addMetric(
              result.attachment.status === 'verified' ? 'EvidenceVerified' : 'EvidenceRejected',
              'Count',
              1,
            );
            logger.info('evidence checked', {
              caseId: result.attachment.caseId,
              attachmentId: result.attachment.id,
              status: result.attachment.status,
              rule: result.attachment.rule,
            });
          } else if (result.outcome === 'quarantined-unknown') {
            metrics.addMetric('EvidenceUnknownObjects', 'Count', 1);
            logger.warn('an object nobody asked for went to quarantine', { key });
          }
        } catch (error) {
          failures++;
          logger.error('evidence check failed', { key, error: error as Error });
        }
      }
      if (failures > 0)
        throw new EvidenceBatchError(`${failures} of ${event.Records.length} objects not checked`);
      return { outcomes };
    },
    { captureResponse: false },
  );
