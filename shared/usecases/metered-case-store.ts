import type { Case } from '../domain/case';
import type { CaseStore, CreateResult, IntakeFingerprint, MetricsAggregates, StoredCase } from '../ports';

/**
 * Every saved change of a case also brings the evaluation aggregates up to date: wrapping the store
 * catches every writer (intake, router, commands, merges, joint visits, escalation) in one place.
 *
 * After the write, never before: an apply for a change that was not saved would count work that never
 * happened. A failed apply does not fail the change the user made (it is saved); the aggregates catch
 * up on the case's next change, and `npm run metrics:rebuild` recomputes a period from the cases.
 */
export class MeteredCaseStore implements CaseStore {
  constructor(
    private readonly inner: CaseStore,
    private readonly aggregates: MetricsAggregates,
    private readonly onApplyFailed: (c: Case, error: unknown) => void = () => {},
  ) {}

  private async meter(c: Case): Promise<void> {
    try {
      await this.aggregates.apply(c);
    } catch (error) {
      this.onApplyFailed(c, error);
    }
  }

  async create(c: Case, intake: IntakeFingerprint): Promise<CreateResult> {
    const result = await this.inner.create(c, intake);
    // A retried intake finds its case: apply what is stored (a no-op if already counted).
    await this.meter(result.created ? c : result.existing.case);
    return result;
  }

  get(id: string) {
    return this.inner.get(id);
  }

  async save(next: StoredCase, expectedVersion: number): Promise<void> {
    await this.inner.save(next, expectedVersion);
    await this.meter(next.case);
  }

  list(query: Parameters<CaseStore['list']>[0]) {
    return this.inner.list(query);
  }

  findInCells(cells: string[], reportedSince: string) {
    return this.inner.findInCells(cells, reportedSince);
  }

  getMany(ids: string[]) {
    return this.inner.getMany(ids);
  }

  listUnrouted(reportedBefore: string, limit: number) {
    return this.inner.listUnrouted(reportedBefore, limit);
  }
}
