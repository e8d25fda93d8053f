import { describe, expect, it } from 'vitest';
import type { CaseView } from '../../shared/http/case-view';
import { type CaseLister, createBoard } from '../../web/src/board';

type ListQuery = Parameters<CaseLister['listSummaries']>[0];

/**
 * The cockpit's board: one full load, then only the changes. The API here is a list of cases in
 * memory that answers the two queries the board makes (by status, and changed since) the way the
 * server does, and counts what it was asked.
 */
const DAY_START = new Date('2026-11-29T16:00:00.000Z'); // midnight in Hangzhou

const aCase = (id: string, overrides: Partial<CaseView> = {}): CaseView =>
  ({
    id,
    status: 'registered',
    version: 2,
    reportedAt: '2026-11-30T01:00:00.000Z',
    updatedAt: '2026-11-30T01:00:00.000Z',
    overdue: false,
    ...overrides,
  }) as unknown as CaseView;

const serverWith = (cases: CaseView[]) => {
  const calls: ListQuery[] = [];
  const list = (query: ListQuery) => {
    calls.push(query);
    if (query.changedSince) {
      const since = query.changedSince;
      return cases.filter((c) => c.updatedAt > since).sort((a, b) => a.updatedAt.localeCompare(b.updatedAt));
    }
    return cases.filter((c) => !query.status || c.status === query.status);
  };
  const api = {
    listSummaries: async (query: ListQuery) => ({ items: list(query), complete: true }),
  } as CaseLister;
  return { api, calls, cases };
};

describe('the cockpit board', () => {
  it('loads everything once, then reads only changes and folds them in by version', async () => {
    const server = serverWith([aCase('C1'), aCase('C2', { status: 'dispatched' })]);
    let now = new Date('2026-11-30T01:00:05.000Z');
    const board = createBoard(server.api, { dayStart: () => DAY_START, now: () => now });

    const first = await board.refresh();
    expect(board.last.kind).toBe('full');
    expect(first.open.map((c) => c.id).sort()).toEqual(['C1', 'C2']);
    expect(first.reportedToday).toHaveLength(2);

    // C1 is closed, C3 reported; an old copy of C2 arrives again (the overlap) and changes nothing.
    server.cases[0] = aCase('C1', { status: 'closed', version: 7, updatedAt: '2026-11-30T01:00:09.000Z' });
    server.cases.push(aCase('C3', { version: 1, updatedAt: '2026-11-30T01:00:10.000Z' }));
    now = new Date('2026-11-30T01:00:11.000Z');
    const calls = server.calls.length;
    const second = await board.refresh();
    expect(board.last.kind).toBe('changes');
    expect(server.calls.slice(calls)).toEqual([
      expect.objectContaining({ changedSince: expect.any(String) }),
    ]);
    expect(second.open.map((c) => c.id).sort()).toEqual(['C2', 'C3']);
    expect(second.recentlyClosed.map((c) => c.id)).toEqual(['C1']);
    expect(second.reportedToday).toHaveLength(3);
  });

  it('works out overdue again at every look, since a deadline passes without a change', async () => {
    const due = '2026-11-30T02:00:00.000Z';
    const server = serverWith([
      aCase('C1', {
        status: 'dispatched',
        deadlines: { acceptBy: due, handleBy: '2026-12-01T02:00:00.000Z' },
        nextDueAt: due,
      }),
    ]);
    let now = new Date('2026-11-30T01:59:00.000Z');
    const board = createBoard(server.api, { dayStart: () => DAY_START, now: () => now });
    expect((await board.refresh()).open[0]?.overdue).toBe(false);
    now = new Date('2026-11-30T02:01:00.000Z');
    expect((await board.refresh()).open[0]?.overdue).toBe(true);
    expect(board.last.kind).toBe('changes');
  });

  it('reloads in full after a while, at midnight, and when the change feed overflows', async () => {
    const server = serverWith([aCase('C1')]);
    let now = new Date('2026-11-30T01:00:00.000Z');
    const board = createBoard(server.api, {
      dayStart: (at) => (at.getTime() >= Date.parse('2026-11-30T16:00:00.000Z') ? new Date(at) : DAY_START),
      now: () => now,
    });
    await board.refresh();
    now = new Date('2026-11-30T01:06:00.000Z');
    await board.refresh();
    expect(board.last.kind).toBe('full');
    now = new Date('2026-11-30T16:00:01.000Z');
    await board.refresh();
    expect(board.last.kind).toBe('full');

    const overflowing = {
      listSummaries: async (query: ListQuery) => ({ items: [], complete: !query.changedSince }),
    } as CaseLister;
    const other = createBoard(overflowing, { dayStart: () => DAY_START, now: () => now });
    await other.refresh();
    await other.refresh();
    expect(other.last.kind).toBe('full');
  });

  it('stops re-reading a burst once it has settled, instead of reloading in full at every look', async () => {
    const burst = Array.from({ length: 5 }, (_, i) =>
      aCase(`C${i}`, { updatedAt: `2026-11-30T01:00:0${i}.000Z` }),
    );
    const server = serverWith(burst);
    // Like the API with a small page budget: more than three changes is "more pages than one look reads".
    const api: CaseLister = {
      listSummaries: async (query, options) => {
        const result = await server.api.listSummaries(query, options);
        return query.changedSince && result.items.length > 3 ? { ...result, complete: false } : result;
      },
    };
    let now = new Date('2026-11-30T01:00:10.000Z');
    const board = createBoard(api, { dayStart: () => DAY_START, now: () => now });
    await board.refresh();
    now = new Date('2026-11-30T01:00:12.000Z');
    await board.refresh();
    expect(board.last.kind).toBe('full'); // the burst is inside the overlap: too many to fold in
    now = new Date('2026-11-30T01:01:20.000Z');
    await board.refresh();
    expect(board.last).toEqual({ kind: 'changes', read: 0 });
  });
});
