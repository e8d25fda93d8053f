/**
 * dynalite writes an item's index entries one LevelDB operation at a time: a case in ten indexes
 * costs ten puts (and a delete per index whose key moved), each its own native call, promise and
 * callback. Here the same entries go to LevelDB as one batch: about a tenth less of dynalite's CPU per
 * case written (bench/dynamodb-replay.ts on a burst's case puts). Which entries are written is
 * dynalite's own `getIndexActions`, unchanged; only how they reach LevelDB differs.
 *
 * `captureChanges` (dynamodb-stream.ts) wraps whatever `updateIndexes` it finds, so it installs this
 * first: installed after, this would drop the stream's hook.
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
  [BATCHED]?: true;
}

const BATCHED = Symbol.for('xietong.dynalite.batched-indexes');

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
      itemText ??= JSON.stringify(item);
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
