import type { Case } from '../domain/case';

// The materialized evaluation aggregates and how a read of them is scoped.

/** One aggregate bucket of the evaluation figures (shared/domain/evaluation.ts). */
export interface EvaluationBucket {
  key: import('../domain/evaluation').BucketKey;
  counters: Record<string, number>;
}

/** Narrows an evaluation read to one department's or one zone's buckets (the caller's scope). */
export interface EvaluationScope {
  department?: string;
  zone?: string;
}

export interface EvaluationRead {
  buckets: EvaluationBucket[];
  /** Items DynamoDB read to answer (buckets, never cases): what the benchmark checks. */
  itemsRead: number;
}

/**
 * One change of a case as the table's change stream tells it: the case before and after one write
 * (absent before its first write, absent after a delete).
 */
export interface CaseChange {
  before?: Case;
  after?: Case;
  /**
   * When the stream recorded the change (seconds since the epoch, `ApproximateCreationDateTime`):
   * how long the aggregates must remember it (a record leaves the stream after 24 hours). Now, if
   * absent.
   */
  recordedAt?: number;
}

/** The materialized evaluation aggregates, kept up to date from the cases' changes. */
export interface EvaluationAggregates {
  /**
   * Brings the aggregates up to date with changes of cases, in the order they were written (one
   * case's changes in order; cases in any order). Idempotent: changes applied before, wholly or in
   * part (a retried or overlapping batch), are not counted again. A batch's increments to one bucket
   * are added in one write.
   */
  applyChanges(changes: CaseChange[]): Promise<void>;
  /** The buckets of one kind for the district days [fromDay, toDay], within the scope. */
  read(
    kind: import('../domain/evaluation').BucketKind,
    fromDay: string,
    toDay: string,
    scope?: EvaluationScope,
  ): Promise<EvaluationRead>;
}
