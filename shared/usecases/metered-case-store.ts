import type { Case } from '../domain/case';
import type { CaseStore, CreateResult, IntakeFingerprint, MetricsAggregates, StoredCase } from '../ports';

/** One unit of work's store and its deferred metering (see `MeteredCaseStore.batch`). */
export interface MeteringBatch {
  store: CaseStore;
  meter(c: Case): void;
  flush(): Promise<void>;
}

/**
 * Every saved change of a case also brings the evaluation aggregates up to date: wrapping the store
 * catches every writer (router, commands, merges, joint visits, escalation) in one place.
 *
 * Except intake's create: a new report is always saved again by the router within seconds (registered
 * or merged; the sweep re-queues any it missed), and that save counts the report on its report day,
 * since a case's contribution is a function of the whole case, not of the change. Counting at create
 * cost intake about seven extra writes per report in the hot path of a burst; deferred, a report
 * shows in the figures once routed.
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

  /**
   * A store for one unit of work (a routed batch): saves go through at once, but the aggregates are
   * brought up to date once, in `flush`, for the last saved version of every case, so the increments
   * of a batch to one bucket become one write. A crash before `flush` leaves them behind exactly as
   * a failed apply does (see above); `meter` adds a case that was not saved here (a redelivered
   * report found already routed, whose aggregates a crash may have missed).
   */
  batch(): MeteringBatch {
    const saved = new Map<string, Case>();
    const keep = (c: Case) => {
      const known = saved.get(c.id);
      if (!known || known.version < c.version) saved.set(c.id, c);
    };
    const store: CaseStore = {
      create: (c, intake) => this.inner.create(c, intake),
      get: (id) => this.inner.get(id),
      save: async (next, expectedVersion) => {
        await this.inner.save(next, expectedVersion);
        keep(next.case);
      },
      list: (query) => this.inner.list(query),
      listSummaries: (query) => this.inner.listSummaries(query),
      findInCells: (cells, since) => this.inner.findInCells(cells, since),
      getMany: (ids) => this.inner.getMany(ids),
      getManyStored: (ids) => this.inner.getManyStored(ids),
      listUnrouted: (before, limit) => this.inner.listUnrouted(before, limit),
    };
    return {
      store,
      meter: keep,
      flush: async () => {
        const cases = [...saved.values()];
        saved.clear();
        if (cases.length === 0) return;
        try {
          await this.aggregates.applyAll(cases);
        } catch (error) {
          for (const c of cases) this.onApplyFailed(c, error);
        }
      },
    };
  }

  /** Not metered: the router's save of the report counts it (see above). */
  create(c: Case, intake: IntakeFingerprint): Promise<CreateResult> {
    return this.inner.create(c, intake);
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

  listSummaries(query: Parameters<CaseStore['listSummaries']>[0]) {
    return this.inner.listSummaries(query);
  }

  findInCells(cells: string[], reportedSince: string) {
    return this.inner.findInCells(cells, reportedSince);
  }

  getMany(ids: string[]) {
    return this.inner.getMany(ids);
  }

  getManyStored(ids: string[]) {
    return this.inner.getManyStored(ids);
  }

  listUnrouted(reportedBefore: string, limit: number) {
    return this.inner.listUnrouted(reportedBefore, limit);
  }
}
