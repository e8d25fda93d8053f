import type { Case } from '../domain/case';

// The materialized evaluation aggregates and how a read of them is scoped.

/** One aggregate bucket of the evaluation figures (shared/domain/metrics.ts). */
export interface MetricsBucket {
  key: import('../domain/metrics').BucketKey;
  counters: Record<string, number>;
}

/** Narrows a metrics read to one department's or one zone's buckets (the caller's scope). */
export interface MetricsScope {
  department?: string;
  zone?: string;
}

export interface MetricsRead {
  buckets: MetricsBucket[];
  /** Items DynamoDB read to answer (buckets, never cases): what the benchmark checks. */
  itemsRead: number;
}

/** The materialized evaluation aggregates, kept up to date as cases are saved. */
export interface MetricsAggregates {
  /** Brings the aggregates to this version of the case: idempotent, safe to retry, stale versions ignored. */
  apply(c: Case): Promise<void>;
  /**
   * `apply` for several cases at once (a routed batch): their increments to one bucket are added in
   * one write. Same guarantees; a case that can't take part is applied on its own.
   */
  applyAll(cases: Case[]): Promise<void>;
  /** The buckets of one kind for the district days [fromDay, toDay], within the scope. */
  read(
    kind: import('../domain/metrics').BucketKind,
    fromDay: string,
    toDay: string,
    scope?: MetricsScope,
  ): Promise<MetricsRead>;
}
