/**
 * What the phone made without signal, sent when the connection returns: new reports, their photos
 * and workflow commands, one at a time in the order they were made.
 *
 * The page drives it (on `online`, on opening, every few seconds while something waits), not the
 * service worker: sending needs the signed-in user's token, which lives in this tab's
 * sessionStorage and never reaches a worker, and Background Sync exists in Chromium only.
 *
 * Nothing is applied twice: a report carries the Idempotency-Key made on the phone (a retry names
 * the same case), a photo its sha256-derived key (the same attachment), a command the
 * `expectedVersion` the user saw. A command the case has moved past since comes back as a
 * conflict, kept until the user resolves it (send again on the current version, or drop it), and
 * later entries for that case wait behind it. Entries for other cases go on.
 */
import { type Api, ApiError, type CaseView, NetworkError, type NewReport } from '../api';
import type { UiCommand } from '../permissions';
import { uploadPhoto } from '../photo-upload';
import { database, OUTBOX, withStore } from './db';

export type OutboxItem =
  | { kind: 'report'; key: string; body: NewReport }
  | {
      kind: 'photo';
      /** The report it belongs to, until that report has a case id. */
      reportKey?: string;
      caseId?: string;
      blob: Blob;
      name: string;
      lastModified: number;
    }
  | {
      kind: 'command';
      caseId: string;
      command: UiCommand;
      body: Record<string, unknown>;
      expectedVersion: number;
    };

export type EntryState = 'waiting' | 'conflict' | 'failed';

export interface OutboxEntry {
  seq?: number;
  /** Whose it is: only the signed-in user's entries are sent, with their own token. */
  owner: string;
  createdAt: string;
  /** One line for the list of what waits (a report's text, a command's case). */
  label: string;
  item: OutboxItem;
  state: EntryState;
  attempts: number;
  /** Why it is in conflict or failed, in words. */
  problem?: string;
}

/** What the page is told after each change: every entry, and what was just sent. */
export interface OutboxEvents {
  changed(entries: OutboxEntry[]): void;
  /** A report reached the API: its case. */
  reportSent?(entry: OutboxEntry, c: CaseView): void;
  /** A command reached the API (or had already): the case as it is now. */
  commandSent?(entry: OutboxEntry, c: CaseView): void;
  /** The API refused the token: sign in again, the entries stay. */
  signedOut?(): void;
}

export interface Outbox {
  /** Queues these together (a report and its photos), in this order, then starts sending. */
  add(...entries: { label: string; item: OutboxItem }[]): Promise<void>;
  entries(): Promise<OutboxEntry[]>;
  /** Sends what it can now; resolves when it stopped (all sent, or the network is gone). */
  flush(): Promise<void>;
  /** Conflict: send again against the case as it is now. Failed: try once more. */
  retry(seq: number): Promise<void>;
  discard(seq: number): Promise<void>;
  stop(): void;
}

const RETRY_MS = 10_000;

const all = (owner: string) =>
  withStore<OutboxEntry[]>(OUTBOX, 'readonly', (s) => s.getAll()).then((list) =>
    list.filter((e) => e.owner === owner).sort((a, b) => (a.seq ?? 0) - (b.seq ?? 0)),
  );
const put = (entry: OutboxEntry) => withStore(OUTBOX, 'readwrite', (s) => s.put(entry));
const remove = (seq: number) => withStore(OUTBOX, 'readwrite', (s) => s.delete(seq));

/** The thread an entry belongs to: later entries of the same case (or unsent report) wait behind it. */
const threadOf = (item: OutboxItem): string =>
  item.kind === 'report'
    ? `report:${item.key}`
    : item.kind === 'photo'
      ? item.caseId
        ? `case:${item.caseId}`
        : `report:${item.reportKey}`
      : `case:${item.caseId}`;

/** Answers that say "not now" rather than "no": try again later, as for a network error. */
const isTransient = (error: unknown) =>
  error instanceof NetworkError ||
  (error instanceof ApiError && (error.status === 408 || error.status === 429 || error.status >= 500));

const problemOf = (error: unknown): string => {
  if (error instanceof ApiError) {
    const first = error.problem.errors?.[0];
    return first ? `${first.field}: ${first.message}` : error.message;
  }
  return (error as Error).message;
};

const isVersionConflict = (error: unknown) =>
  error instanceof ApiError &&
  error.status === 409 &&
  (error.problem.errors?.[0]?.rule ?? 'version_conflict') === 'version_conflict';

/** The timeline action each command writes: to recognise our own step after a lost answer. */
const ACTION_OF: Partial<Record<UiCommand, string>> = {
  accept: 'accepted',
  progress: 'progress',
  resolve: 'resolved',
  return: 'returned',
};

export const createOutbox = (
  api: Api,
  owner: string,
  events: OutboxEvents,
  online: () => boolean = () => navigator.onLine,
): Outbox => {
  let running: Promise<void> | undefined;
  /** Asked to flush while a drain ran: run again after it, for what was added meanwhile. */
  let again = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;

  const changed = async () => events.changed(await all(owner));

  /** After a 409: did our own command land before its answer was lost? Then that is the answer. */
  const alreadyApplied = async (item: Extract<OutboxItem, { kind: 'command' }>) => {
    const now = await api.get(item.caseId);
    const step = now.timeline.find((entry) => entry.seq === item.expectedVersion + 1);
    const mine =
      step?.actor.subject === owner && (!ACTION_OF[item.command] || step.action === ACTION_OF[item.command]);
    return mine ? now : undefined;
  };

  const send = async (entry: OutboxEntry, all: OutboxEntry[]) => {
    const { item } = entry;
    switch (item.kind) {
      case 'report': {
        const c = await api.report(item.body, item.key);
        // Its photos now know their case.
        for (const other of all) {
          if (other.item.kind === 'photo' && other.item.reportKey === item.key) {
            other.item = { ...other.item, caseId: c.id };
            await put(other);
          }
        }
        await remove(entry.seq ?? 0);
        events.reportSent?.(entry, c);
        return;
      }
      case 'photo': {
        if (!item.caseId) throw new Error('the photo’s report has not been sent');
        const file = new File([item.blob], item.name, {
          type: item.blob.type || 'image/jpeg',
          lastModified: item.lastModified,
        });
        await uploadPhoto(api, item.caseId, file, () => undefined);
        await remove(entry.seq ?? 0);
        return;
      }
      case 'command': {
        let c: CaseView;
        try {
          c = await api.command(item.caseId, item.command, item.body, item.expectedVersion);
        } catch (error) {
          const applied = isVersionConflict(error) ? await alreadyApplied(item) : undefined;
          if (!applied) throw error;
          c = applied;
        }
        await remove(entry.seq ?? 0);
        events.commandSent?.(entry, c);
        return;
      }
    }
  };

  const drain = async () => {
    if (!online()) return;
    const entries = await all(owner);
    const blocked = new Set<string>();
    for (const entry of entries) {
      const thread = threadOf(entry.item);
      if (entry.state !== 'waiting' || blocked.has(thread)) {
        blocked.add(thread);
        continue;
      }
      try {
        await send(entry, entries);
      } catch (error) {
        if (isTransient(error)) {
          entry.attempts += 1;
          await put(entry);
          break;
        }
        if (error instanceof ApiError && error.status === 401) {
          events.signedOut?.();
          break;
        }
        entry.state = isVersionConflict(error) ? 'conflict' : 'failed';
        entry.problem = problemOf(error);
        await put(entry);
        blocked.add(thread);
      }
      await changed();
    }
    await changed();
  };

  const schedule = () => {
    clearTimeout(timer);
    if (!stopped) timer = setTimeout(() => void outbox.flush(), RETRY_MS);
  };

  const outbox: Outbox = {
    async add(...added) {
      const createdAt = new Date().toISOString();
      const entries: OutboxEntry[] = added.map(({ label, item }) => ({
        owner,
        createdAt,
        label,
        item,
        state: 'waiting',
        attempts: 0,
      }));
      // One transaction: a report never waits without the photos that belong to it.
      const db = await database();
      await new Promise<void>((resolve, reject) => {
        const tx = db.transaction(OUTBOX, 'readwrite');
        for (const entry of entries) tx.objectStore(OUTBOX).add(entry);
        tx.oncomplete = () => resolve();
        tx.onerror = () => reject(tx.error);
        tx.onabort = () => reject(tx.error);
      });
      await changed();
      void outbox.flush();
    },
    entries: () => all(owner),
    flush() {
      if (running) {
        again = true;
        return running;
      }
      running = drain()
        .catch((error: unknown) => console.warn('outbox', error))
        .finally(async () => {
          running = undefined;
          if (again) {
            again = false;
            void outbox.flush();
          } else if ((await all(owner)).some((e) => e.state === 'waiting')) schedule();
        });
      return running;
    },
    async retry(seq) {
      const entry = (await all(owner)).find((e) => e.seq === seq);
      if (!entry) return;
      if (entry.state === 'conflict' && entry.item.kind === 'command') {
        // The user saw the conflict and chose to apply their step to the case as it is now.
        const now = await api.get(entry.item.caseId);
        entry.item = { ...entry.item, expectedVersion: now.version };
      }
      entry.state = 'waiting';
      delete entry.problem;
      await put(entry);
      await changed();
      await outbox.flush();
    },
    async discard(seq) {
      const entries = await all(owner);
      const entry = entries.find((e) => e.seq === seq);
      await remove(seq);
      // A report dropped takes its photos with it: they have no case to go to.
      if (entry?.item.kind === 'report') {
        const key = entry.item.key;
        for (const other of entries) {
          if (other.item.kind === 'photo' && other.item.reportKey === key && !other.item.caseId) {
            await remove(other.seq ?? 0);
          }
        }
      }
      await changed();
    },
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
  addEventListener('online', () => void outbox.flush());
  return outbox;
};
