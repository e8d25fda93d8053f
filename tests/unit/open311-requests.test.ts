import { describe, expect, it } from 'vitest';
import type { Case } from '../../shared/domain/case';
import type { RequestsFilter } from '../../shared/open311/query';
import type { CaseListQuery } from '../../shared/ports';
import { findServiceRequests, MAX_CASES_READ } from '../../shared/usecases/open311-requests';

const NOW = '2026-11-30T12:00:00.000Z';
const minutesBefore = (minutes: number) => new Date(Date.parse(NOW) - minutes * 60_000).toISOString();

/** Case n reported n minutes before NOW, every third one a streetlight. */
const caseNo = (n: number): Case =>
  ({
    id: `C${String(n).padStart(4, '0')}`,
    reportedAt: minutesBefore(n),
    category: n % 3 === 0 ? 'part.streetlight' : 'event.household-workshop',
    status: 'registered',
  }) as Case;

/** The all-cases index, newest first, paged like the store (a cursor is the next offset); counts the pages read. */
const indexOf = (count: number) => {
  const cases = Array.from({ length: count }, (_, i) => caseNo(i));
  const pages: CaseListQuery[] = [];
  return {
    pages,
    deps: {
      clock: { now: () => NOW },
      store: {
        list: async (query: CaseListQuery) => {
          pages.push(query);
          const from = Number(query.cursor ?? 0);
          const to = from + (query.limit ?? 100);
          return { items: cases.slice(from, to), ...(to < cases.length && { cursor: String(to) }) };
        },
        getMany: async (ids: string[]) => cases.filter((c) => ids.includes(c.id)),
      },
    },
  };
};

const search = (overrides: Partial<Extract<RequestsFilter, { kind: 'search' }>> = {}): RequestsFilter => ({
  kind: 'search',
  start: minutesBefore(10_000),
  end: NOW,
  page: 1,
  pageSize: 50,
  ...overrides,
});

describe('findServiceRequests', () => {
  it('answers the ids asked for in their order, leaving out the missing ones', async () => {
    // Prepare
    const { deps } = indexOf(10);

    // Act
    const found = await findServiceRequests(deps, { kind: 'ids', ids: ['C0007', 'C9999', 'C0002'] });

    // Assess
    expect(found.cases.map((c) => c.id)).toEqual(['C0007', 'C0002']);
    expect(found.complete).toBe(true);
  });

  it('pages newest first across the index’s batches, and stops reading at the page’s last case', async () => {
    // Prepare
    const { deps, pages } = indexOf(1000);

    // Act
    const second = await findServiceRequests(deps, search({ page: 2, pageSize: 60 }));

    // Assess
    expect(second.cases.map((c) => c.id)).toEqual(Array.from({ length: 60 }, (_, i) => caseNo(60 + i).id));
    expect(second.read).toBe(120);
    expect(pages).toHaveLength(2);
  });

  it('filters within the range and stops at its start', async () => {
    // Prepare
    const { deps } = indexOf(1000);

    // Act
    const found = await findServiceRequests(
      deps,
      search({ start: minutesBefore(30), end: minutesBefore(10), serviceCodes: ['part.streetlight'] }),
    );

    // Assess
    expect(found.cases.map((c) => c.id)).toEqual([
      'C0012',
      'C0015',
      'C0018',
      'C0021',
      'C0024',
      'C0027',
      'C0030',
    ]);
    expect(found.read).toBe(32);
    expect(found.complete).toBe(true);
  });

  it('stops at the read limit and says the answer is incomplete', async () => {
    // Prepare
    const { deps } = indexOf(MAX_CASES_READ + 500);

    // Act
    const found = await findServiceRequests(
      deps,
      search({ serviceCodes: ['no.such-code'], start: minutesBefore(1e7) }),
    );

    // Assess
    expect(found.cases).toEqual([]);
    expect(found.read).toBe(MAX_CASES_READ);
    expect(found.complete).toBe(false);
  });
});
