/**
 * The page's own IndexedDB: `outbox` holds what waits for the network (reports, photos as Blobs,
 * workflow commands) in the order it was made; `snapshots` keeps the last district and task list
 * read, so a page opened without signal still shows them. IndexedDB rather than localStorage: it
 * stores photos as they are and survives the tab.
 */
const NAME = 'xietong';
const VERSION = 1;
export const OUTBOX = 'outbox';
export const SNAPSHOTS = 'snapshots';

const done = <T>(request: IDBRequest<T>): Promise<T> =>
  new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });

let opened: Promise<IDBDatabase> | undefined;

export const database = (): Promise<IDBDatabase> => {
  opened ??= new Promise((resolve, reject) => {
    const request = indexedDB.open(NAME, VERSION);
    request.onupgradeneeded = () => {
      const db = request.result;
      if (!db.objectStoreNames.contains(OUTBOX))
        db.createObjectStore(OUTBOX, { keyPath: 'seq', autoIncrement: true });
      if (!db.objectStoreNames.contains(SNAPSHOTS)) db.createObjectStore(SNAPSHOTS);
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  return opened;
};

/** One request in its own transaction; the transaction's completion is the write's durability. */
export const withStore = async <T>(
  store: string,
  mode: IDBTransactionMode,
  work: (s: IDBObjectStore) => IDBRequest<T>,
): Promise<T> => {
  const db = await database();
  const tx = db.transaction(store, mode);
  const result = done(work(tx.objectStore(store)));
  await new Promise<void>((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error);
  });
  return result;
};

export const readSnapshot = async <T>(key: string): Promise<T | undefined> => {
  try {
    return (await withStore<T | undefined>(SNAPSHOTS, 'readonly', (s) => s.get(key))) ?? undefined;
  } catch {
    return undefined;
  }
};

export const writeSnapshot = async (key: string, value: unknown): Promise<void> => {
  try {
    await withStore(SNAPSHOTS, 'readwrite', (s) => s.put(value, key));
  } catch {
    // A private window without IndexedDB: the page works online only.
  }
};
