/**
 * The cockpit's own copy of the district's cases, kept current by reading only what changed.
 *
 * Re-reading every open case every two seconds does not scale: with 2,000 open cases one refresh
 * took longer than the 5 s the cockpit promises, and on AWS every screen would read the whole open
 * set from DynamoDB twice a minute. So the board loads everything once, then asks the list API for
 * the cases changed since its last look (`changedSince`, one short index query when nothing
 * happened) and folds them in by version. A full reload still happens now and then (every few
 * minutes, at the district's midnight, or when the change feed overflows) so anything the feed
 * cannot show — a case that left the user's scope — does not linger.
 */
import { type CaseStatus, OPEN_STATUSES } from '../../shared/domain/case';
import type { CaseSummary } from '../../shared/http/case-view';
import type { Snapshot } from './stats';

/** The one call of the API the board needs (`Api` satisfies it); kept narrow so tests can serve it. */
export interface CaseLister {
  /** `GET /v1/cases?view=summary`, page after page (pages of `SUMMARY_PAGE`). */
  listSummaries(
    query: { status?: CaseStatus; changedSince?: string; limit?: number },
    options?: { maxPages?: number; stop?: (page: CaseSummary[]) => boolean },
  ): Promise<{ items: CaseSummary[]; complete: boolean }>;
}

/**
 * The board reads summaries (what it shows of a case, a tenth of the bytes) in pages of 1,000: a full
 * load of 2,000 open cases is a handful of requests. Caps one full load at 20,000 open cases per
 * status and 20,000 of today's reports.
 */
export const SUMMARY_PAGE = 1000;
const MAX_PAGES_OPEN = 20;
const MAX_PAGES_TODAY = 20;
const MAX_PAGES_CLOSED = 1;
/** One poll reads at most this many pages of changes; more means a burst: reload instead. */
const MAX_PAGES_CHANGES = 10;
/**
 * The change feed is read again from this far before the newest change seen: writes commit a
 * little after their `updatedAt`, and the index is eventually consistent. Versions drop repeats.
 */
const OVERLAP_MS = 30_000;
/**
 * Once the newest change seen has stayed the newest this long (on this page's own clock), every
 * write before it has long been committed and indexed: the overlap is dropped. Without this, a burst
 * of more than ten pages within the overlap would overflow every poll until something new changed.
 */
const SETTLE_MS = 2 * OVERLAP_MS;
const FULL_RELOAD_MS = 5 * 60_000;

const isOpen = (status: CaseStatus) => (OPEN_STATUSES as readonly CaseStatus[]).includes(status);

export interface BoardOptions {
  /** The district's midnight before `now` (the "today" figures count from it). */
  dayStart(now: Date): Date;
  now?(): Date;
}

export interface Board {
  /** Loads all (first call, or when due) or only the changes; resolves with the current picture. */
  refresh(): Promise<Snapshot>;
  /** What the last refresh did: 'full' or how many changed cases it read. */
  readonly last: { kind: 'full' | 'changes'; read: number };
}

export const createBoard = (api: CaseLister, options: BoardOptions): Board => {
  const now = options.now ?? (() => new Date());
  let open = new Map<string, CaseSummary>();
  let today = new Map<string, CaseSummary>();
  let closed = new Map<string, CaseSummary>();
  let complete = { open: true, reportedToday: true };
  let dayStart = 0;
  let loadedAt = 0;
  let newestChange = '';
  /** The newest change as of the last look, and when (page clock) it became the newest. */
  let settling = { newest: '', since: 0 };
  const last: { kind: 'full' | 'changes'; read: number } = { kind: 'full', read: 0 };

  const noteChange = (c: CaseSummary) => {
    if (c.updatedAt > newestChange) newestChange = c.updatedAt;
  };

  const fullLoad = async (at: Date) => {
    const start = options.dayStart(at);
    const [openLists, reportedToday, recentlyClosed] = await Promise.all([
      Promise.all(OPEN_STATUSES.map((status) => api.listSummaries({ status }, { maxPages: MAX_PAGES_OPEN }))),
      api.listSummaries(
        {},
        {
          maxPages: MAX_PAGES_TODAY,
          stop: (page) => page.some((c) => Date.parse(c.reportedAt) < start.getTime()),
        },
      ),
      api.listSummaries({ status: 'closed' }, { maxPages: MAX_PAGES_CLOSED }),
    ]);
    open = new Map(openLists.flatMap((list) => list.items).map((c) => [c.id, c]));
    today = new Map(
      reportedToday.items.filter((c) => Date.parse(c.reportedAt) >= start.getTime()).map((c) => [c.id, c]),
    );
    closed = new Map(recentlyClosed.items.map((c) => [c.id, c]));
    complete = { open: openLists.every((list) => list.complete), reportedToday: reportedToday.complete };
    newestChange = '';
    for (const c of [...open.values(), ...today.values(), ...closed.values()]) noteChange(c);
    dayStart = start.getTime();
    loadedAt = at.getTime();
    last.kind = 'full';
    last.read = open.size + today.size + closed.size;
  };

  /** Folds one changed case in, unless what the board holds is as new or newer. */
  const apply = (c: CaseSummary) => {
    const known = open.get(c.id) ?? today.get(c.id) ?? closed.get(c.id);
    if (known && known.version >= c.version) return;
    if (isOpen(c.status)) open.set(c.id, c);
    else open.delete(c.id);
    if (Date.parse(c.reportedAt) >= dayStart) today.set(c.id, c);
    if (c.status === 'closed') closed.set(c.id, c);
    else closed.delete(c.id);
    noteChange(c);
  };

  const readChanges = async (at: Date): Promise<boolean> => {
    const settled = newestChange !== '' && at.getTime() - settling.since >= SETTLE_MS;
    const since = settled
      ? newestChange
      : newestChange
        ? new Date(Date.parse(newestChange) - OVERLAP_MS).toISOString()
        : new Date(loadedAt - OVERLAP_MS).toISOString();
    const changes = await api.listSummaries({ changedSince: since }, { maxPages: MAX_PAGES_CHANGES });
    if (!changes.complete) return false;
    for (const c of changes.items) apply(c);
    last.kind = 'changes';
    last.read = changes.items.length;
    return true;
  };

  return {
    last,
    async refresh() {
      const at = now();
      const due =
        loadedAt === 0 ||
        at.getTime() - loadedAt >= FULL_RELOAD_MS ||
        options.dayStart(at).getTime() !== dayStart;
      if (due || !(await readChanges(at))) await fullLoad(at);
      if (newestChange !== settling.newest) settling = { newest: newestChange, since: at.getTime() };
      // A deadline passes without the case changing: overdue is worked out again at every look.
      // `nextDueAt` is the running deadline, which only moves when the case changes.
      const iso = at.toISOString();
      const overdue = (c: CaseSummary) => c.nextDueAt !== undefined && Date.parse(c.nextDueAt) < at.getTime();
      const current = (cases: Map<string, CaseSummary>) =>
        [...cases.values()]
          .map((c) => (overdue(c) === c.overdue ? c : { ...c, overdue: overdue(c) }))
          .sort((a, b) => b.reportedAt.localeCompare(a.reportedAt));
      return {
        open: current(open),
        reportedToday: current(today),
        recentlyClosed: current(closed),
        dayStart: new Date(dayStart).toISOString(),
        at: iso,
        complete,
      };
    },
  };
};
