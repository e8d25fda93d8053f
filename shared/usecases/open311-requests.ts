import type { Case } from '../domain/case';
import { matchesSearch, type RequestsFilter } from '../open311/query';
import type { CaseStore, Clock } from '../ports';

/** Cases read from the index per search, at most: a 90-day window of a town fits well inside. */
export const MAX_CASES_READ = 5000;
const LIST_BATCH = 100;

export interface ServiceRequestsDeps {
  store: Pick<CaseStore, 'list' | 'getMany'>;
  clock: Clock;
}

export interface ServiceRequests {
  cases: Case[];
  /** Cases read to answer; a search that stopped at MAX_CASES_READ is `complete: false`. */
  read: number;
  complete: boolean;
}

type Search = Extract<RequestsFilter, { kind: 'search' }>;

/**
 * Newest first down the all-cases index, from the end of the range back to its start (the index is
 * sorted by reportedAt, so the walk stops at the range), filtering as it goes and skipping to the page.
 */
const search = async (deps: ServiceRequestsDeps, filter: Search): Promise<ServiceRequests> => {
  const skip = (filter.page - 1) * filter.pageSize;
  const cases: Case[] = [];
  let matched = 0;
  let read = 0;
  let cursor: string | undefined;
  do {
    const page = await deps.store.list({
      now: deps.clock.now(),
      limit: LIST_BATCH,
      ...(cursor !== undefined && { cursor }),
    });
    for (const c of page.items) {
      read++;
      if (c.reportedAt < filter.start) return { cases, read, complete: true };
      if (c.reportedAt > filter.end || !matchesSearch(c, filter)) continue;
      if (matched++ >= skip) cases.push(c);
      if (cases.length >= filter.pageSize) return { cases, read, complete: true };
    }
    cursor = page.cursor;
  } while (cursor !== undefined && read < MAX_CASES_READ);
  return { cases, read, complete: cursor === undefined };
};

/** Open311's GET requests: the cases named (in the order asked, missing ones left out) or one page of a search. */
export const findServiceRequests = async (
  deps: ServiceRequestsDeps,
  filter: RequestsFilter,
): Promise<ServiceRequests> => {
  if (filter.kind === 'search') return search(deps, filter);
  const byId = new Map((await deps.store.getMany(filter.ids)).map((c) => [c.id, c]));
  const cases = filter.ids.flatMap((id) => byId.get(id) ?? []);
  return { cases, read: cases.length, complete: true };
};
