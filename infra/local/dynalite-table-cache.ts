/**
 * dynalite reads a table's description from LevelDB on every request: each GetItem, PutItem or
 * Query starts with a LevelDB get and a JSON decode of the whole description (the local cloud's
 * table, with its ten indexes, is several kilobytes). Keeping it cut dynalite's CPU per request by
 * about 7 % (a spread burst's requests replayed beside the unpatched dynalite), for a value that
 * changes only when a table is created, updated or deleted.
 *
 * Here every dynalite of this process keeps each description it read, as its JSON text, until a
 * write to the table registry replaces or removes it. The item actions (GetItem, PutItem, Query and
 * the rest) only read the description they are given: they all share one parsed, frozen copy, whose
 * parse was another 3 % of dynalite's CPU in a hotspot burst. The table actions (DescribeTable,
 * UpdateTable, DeleteTable) each still parse their own copy: UpdateTable and DeleteTable edit the
 * description they are given before they write it back.
 */
import { createRequire } from 'node:module';

type Callback<T> = (error: Error | null | undefined, value?: T) => void;

interface TableRegistry {
  get(name: string, done: Callback<unknown>): void;
  put(name: string, value: unknown, done: Callback<void>): void;
  del(name: string, done: Callback<void>): void;
}
interface DynaliteStore {
  tableDb: TableRegistry;
  /** `checkStatus` a callback: the item actions' form (their table must be ACTIVE or UPDATING). */
  getTable(name: string, checkStatus: boolean | Callback<unknown>, done?: Callback<unknown>): void;
  recreate(): void;
}
interface DynaliteDb {
  create(options: unknown): DynaliteStore;
  [CACHED]?: true;
}

const CACHED = Symbol.for('xietong.dynalite.cached-tables');

/**
 * Wraps one store's table registry. A get that began before a put or delete of the same name
 * never fills the cache: the registry's writes and reads run concurrently in LevelDB, so such a
 * get may have read the value being replaced.
 */
const cacheRegistry = (registry: TableRegistry): ((name: string) => TableDescription | undefined) => {
  const texts = new Map<string, string>();
  const shared = new Map<string, TableDescription>();
  const writes = new Map<string, number>();
  const { get, put, del } = registry;
  const written = (name: string) => {
    writes.set(name, (writes.get(name) ?? 0) + 1);
    texts.delete(name);
    shared.delete(name);
  };
  registry.get = (name, done) => {
    const text = texts.get(name);
    if (text !== undefined) {
      // dynalite's own reads answer from a later turn: keep that, callers may rely on it.
      const table: unknown = JSON.parse(text);
      setImmediate(done, null, table);
      return;
    }
    const before = writes.get(name) ?? 0;
    get.call(registry, name, (error, table) => {
      if (!error && table !== undefined && (writes.get(name) ?? 0) === before) {
        texts.set(name, JSON.stringify(table));
      }
      done(error, table);
    });
  };
  registry.put = (name, value, done) => {
    written(name);
    put.call(registry, name, value, (error) => {
      written(name);
      done(error);
    });
  };
  registry.del = (name, done) => {
    written(name);
    del.call(registry, name, (error) => {
      written(name);
      done(error);
    });
  };
  /** The kept description, parsed once and frozen: only for readers that never edit it. */
  return (name) => {
    const kept = shared.get(name);
    if (kept) return kept;
    const text = texts.get(name);
    if (text === undefined) return undefined;
    const table = deepFreeze(JSON.parse(text) as TableDescription);
    shared.set(name, table);
    return table;
  };
};

type TableDescription = { TableStatus?: string };

const deepFreeze = <T>(value: T): T => {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const member of Object.values(value)) deepFreeze(member);
    Object.freeze(value);
  }
  return value;
};

/** Makes every dynalite created in this process keep its table descriptions. Idempotent. */
export const cacheTableDescriptions = (): void => {
  const db = createRequire(import.meta.url)('dynalite/db') as DynaliteDb;
  if (db[CACHED]) return;
  db[CACHED] = true;
  const { create } = db;
  db.create = (options) => keepDescriptions(create(options));
};

const keepDescriptions = (store: DynaliteStore): DynaliteStore => {
  const sharedTable = cacheRegistry(store.tableDb);
  const { getTable } = store;
  store.getTable = (name, checkStatus, done) => {
    if (typeof checkStatus === 'function') {
      const table = sharedTable(name);
      // A table being made or deleted is "not found" to the item actions: dynalite's own answer.
      if (table && table.TableStatus !== 'CREATING' && table.TableStatus !== 'DELETING') {
        setImmediate(checkStatus, null, table);
        return;
      }
    }
    getTable(name, checkStatus, done);
  };
  const { recreate } = store;
  // `recreate` (after a LevelDB error) copies a fresh store's members over this one, its
  // registry and its own `recreate` among them.
  store.recreate = function (this: DynaliteStore) {
    recreate.call(this);
    keepDescriptions(this);
  };
  return store;
};
