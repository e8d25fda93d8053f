/**
 * dynalite writes an item's index entries one LevelDB operation at a time: a case in ten indexes
 * costs ten puts (and a delete per index whose key moved), each its own native call, promise and
 * callback. Here the same entries go to LevelDB as one batch: about a tenth less of dynalite's CPU per
 * case written (bench/dynamodb-replay.ts on a burst's case puts). Which entries are written is
 * dynalite's own `getIndexActions`, unchanged; only how they reach LevelDB differs.
 *
 * `captureChanges` (dynamodb-stream.ts) wraps whatever `updateIndexes` it finds, so it installs this
 * first: installed after, this would drop the stream's hook.
 *
 * `batchItemPuts` goes one step further for PutItem, the local cloud's commonest write (every case
 * write is one): the item itself joins its index entries' batch, so a put is one LevelDB write, not
 * two, and the item's JSON text is made once for the item and all its ALL-projected entries. It
 * also makes the put atomic: a kill -9 between dynalite's two writes left entries without their item.
 */
import { createRequire } from 'node:module';

type AttributeMap = Record<string, unknown>;
type Callback = (error?: unknown) => void;

interface IndexAction {
  index: string;
  key: string;
  item?: AttributeMap;
}
interface DynaliteTable {
  TableName: string;
  LocalSecondaryIndexes?: unknown[];
  GlobalSecondaryIndexes?: unknown[];
}
interface LevelOperation {
  type: 'put' | 'del';
  key: string;
  value?: AttributeMap | string;
  /** dynalite's LevelDB encodes values as JSON unless an operation says otherwise. */
  valueEncoding?: 'utf8';
}
interface DynaliteStore {
  db: { batch(operations: LevelOperation[], done: Callback): void };
  getTable(name: string, done: (error: unknown, table: DynaliteTable) => void): void;
  getItemDb(name: string): {
    lock(key: string, locked: (release: <F extends (...args: never[]) => void>(done: F) => F) => void): void;
    get(key: string, done: (error: { name?: string } | null | undefined, item?: AttributeMap) => void): void;
  };
}
interface DynaliteDb {
  updateIndexes(
    store: DynaliteStore,
    table: DynaliteTable,
    oldItem: AttributeMap | undefined | null,
    newItem: AttributeMap | undefined | null,
    done: Callback,
  ): void;
  getIndexActions(
    indexes: unknown[],
    oldItem: AttributeMap | undefined | null,
    newItem: AttributeMap | undefined | null,
    table: DynaliteTable,
  ): { puts: IndexAction[]; deletes: IndexAction[] };
  validateItem(item: AttributeMap, table: DynaliteTable): unknown;
  createKey(item: AttributeMap, table: DynaliteTable): string;
  checkConditional(data: PutItemRequest, existing: AttributeMap | undefined): unknown;
  addConsumedCapacity(
    data: PutItemRequest,
    isRead: boolean,
    oldItem: AttributeMap | undefined,
    newItem: AttributeMap,
  ): unknown;
  [BATCHED]?: true;
}
interface PutItemRequest {
  TableName: string;
  Item: AttributeMap;
  ReturnValues?: string;
}
type Reply = (error: unknown, result?: unknown) => void;

const BATCHED = Symbol.for('xietong.dynalite.batched-indexes');
const BATCHED_PUTS = Symbol.for('xietong.dynalite.batched-puts');

/** An item's JSON text, made once by the put that writes it (entries and item share it). */
const itemTexts = new WeakMap<AttributeMap, string>();

const INDEX_KINDS = [
  { kind: 'Local', field: 'LocalSecondaryIndexes' },
  { kind: 'Global', field: 'GlobalSecondaryIndexes' },
] as const;

/**
 * The key an index entry has in dynalite's one LevelDB: its sub-database's name (the one
 * `store.getIndexDb` prefixes with) then the entry's key, as dynalite's `db/index.js` builds it.
 */
const levelKey = (kind: string, tableName: string, action: IndexAction) =>
  `index-${kind.toLowerCase()}~${tableName}~${action.index}~${action.key}`;

/** Makes every dynalite of this process write an item's index entries as one batch. Idempotent. */
export const batchIndexWrites = (): void => {
  const db = createRequire(import.meta.url)('dynalite/db') as DynaliteDb;
  if (db[BATCHED]) return;
  db[BATCHED] = true;
  db.updateIndexes = (store, table, oldItem, newItem, done) => {
    if (!oldItem && !newItem) return done();
    // A delete is only made for a key the new item no longer has, so order within the batch is free.
    const operations: LevelOperation[] = [];
    // An index that projects ALL gets the item itself (dynalite passes the same object): its text,
    // what LevelDB's json encoding would write for each such entry, is made once for all of them.
    let itemText: string | undefined;
    const entryValue = (item: AttributeMap | undefined): Pick<LevelOperation, 'value' | 'valueEncoding'> => {
      if (item !== newItem) return { value: item };
      itemText ??= (item && itemTexts.get(item)) ?? JSON.stringify(item);
      return { value: itemText, valueEncoding: 'utf8' };
    };
    for (const { kind, field } of INDEX_KINDS) {
      const actions = db.getIndexActions(table[field] ?? [], oldItem, newItem, table);
      for (const action of actions.deletes)
        operations.push({ type: 'del', key: levelKey(kind, table.TableName, action) });
      for (const action of actions.puts)
        operations.push({
          type: 'put',
          key: levelKey(kind, table.TableName, action),
          ...entryValue(action.item),
        });
    }
    if (operations.length === 0) return done();
    store.db.batch(operations, done);
  };
};

/**
 * dynalite's PutItem (actions/putItem.js: validate, lock the key, read the item, check the
 * condition, write the entries, write the item), with the last two steps one LevelDB batch. The
 * entries come from `updateIndexes`, so the change stream's hook around it still sees every put.
 * Must run before dynalite's `index.js` loads: it takes its actions as it loads.
 */
const putItem = (db: DynaliteDb) => (store: DynaliteStore, data: PutItemRequest, reply: Reply) => {
  store.getTable(data.TableName, (tableError, table) => {
    if (tableError) return reply(tableError);
    const invalidItem = db.validateItem(data.Item, table);
    if (invalidItem != null) return reply(invalidItem);
    const itemDb = store.getItemDb(data.TableName);
    const key = db.createKey(data.Item, table);
    itemDb.lock(key, (release) => {
      const done = release(reply);
      itemDb.get(key, (readError, existing) => {
        if (readError && readError.name !== 'NotFoundError') return done(readError);
        const refused = db.checkConditional(data, existing);
        if (refused != null) return done(refused);
        const result: Record<string, unknown> = {};
        if (existing && data.ReturnValues === 'ALL_OLD') result.Attributes = existing;
        result.ConsumedCapacity = db.addConsumedCapacity(data, false, existing, data.Item);
        const text = JSON.stringify(data.Item);
        itemTexts.set(data.Item, text);
        const operations: LevelOperation[] = [];
        const collecting = {
          ...store,
          db: {
            batch: (entries: LevelOperation[], collected: Callback) => {
              operations.push(...entries);
              collected();
            },
          },
        };
        db.updateIndexes(collecting, table, existing, data.Item, (indexError) => {
          if (indexError) return done(indexError);
          // The key dynalite's item sub-database gives it (`getItemDb`: prefix `item-<table>~`).
          operations.push({
            type: 'put',
            key: `item-${data.TableName}~${key}`,
            value: text,
            valueEncoding: 'utf8',
          });
          store.db.batch(operations, (writeError) => (writeError ? done(writeError) : done(null, result)));
        });
      });
    });
  });
};

/** Makes every dynalite of this process write a PutItem as one batch. Idempotent; before dynalite loads. */
export const batchItemPuts = (): void => {
  const require = createRequire(import.meta.url);
  const db = require('dynalite/db') as DynaliteDb & { [BATCHED_PUTS]?: true };
  if (db[BATCHED_PUTS]) return;
  db[BATCHED_PUTS] = true;
  const path = require.resolve('dynalite/actions/putItem');
  require(path);
  const cached = require.cache[path];
  if (!cached) throw new Error('dynalite/actions/putItem did not load: the one-batch put is not installed');
  cached.exports = putItem(db);
};
