import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { tuneDynaliteLevelDb } from '../../infra/local/dynalite-leveldb';

// The local cloud's dynalite reads LevelDB synchronously (infra/local/dynalite-leveldb.ts): a get
// answers from `getSync`, never from the thread pool's `_get`, and sees every completed write.

interface Level {
  readonly status: string;
  open(): Promise<void>;
  put(key: string, value: unknown): Promise<void>;
  batch(operations: { type: 'put' | 'del'; key: string; value?: unknown }[]): Promise<void>;
  get(key: string): Promise<unknown>;
  close(): Promise<void>;
}
type LevelClass = new (location: string, options?: Record<string, unknown>) => Level;

tuneDynaliteLevelDb();
const level = createRequire(createRequire(import.meta.url).resolve('dynalite/db'))('level') as {
  Level: LevelClass;
};
/** LevelDB's own class, which the tuned one extends: it owns `_get` and `_getSync`. */
const leveldb = Object.getPrototypeOf(level.Level.prototype) as { _get: unknown; _getSync: unknown };

const folders: string[] = [];
const folder = () => {
  const dir = mkdtempSync(join(tmpdir(), 'xietong-sync-reads-'));
  folders.push(dir);
  return dir;
};
/** A fresh LevelDB with dynalite's own options: values are JSON. */
const open = () => new level.Level(folder(), { valueEncoding: 'json' });
/** A LevelDB folder holding `entries` as written in `valueEncoding`, closed again. */
const seeded = async (entries: [string, string][], valueEncoding: 'json' | 'utf8') => {
  const dir = folder();
  const db = new level.Level(dir, { valueEncoding });
  await db.open();
  for (const [key, value] of entries) await db.put(key, value);
  await db.close();
  return dir;
};
afterEach(() => {
  vi.restoreAllMocks();
});
afterAll(() => {
  for (const dir of folders) rmSync(dir, { recursive: true, force: true });
});

describe("the local cloud's LevelDB reads", () => {
  it('answer from the synchronous read, not the thread pool, and see every completed write', async () => {
    const db = open();
    await db.open();
    const threadPool = vi.spyOn(leveldb as { _get: () => unknown }, '_get');
    const synchronous = vi.spyOn(leveldb as { _getSync: () => unknown }, '_getSync');
    await db.put('CASE#1', { status: 'reported' });
    expect(await db.get('CASE#1')).toEqual({ status: 'reported' });
    await db.batch([
      { type: 'put', key: 'CASE#1', value: { status: 'registered' } },
      { type: 'put', key: 'CASE#2', value: { status: 'reported' } },
    ]);
    expect(await db.get('CASE#1')).toEqual({ status: 'registered' });
    expect(await db.get('CASE#2')).toEqual({ status: 'reported' });
    expect(await db.get('CASE#3')).toBeUndefined();
    expect(threadPool).not.toHaveBeenCalled();
    expect(synchronous).toHaveBeenCalledTimes(4);
    await db.close();
  });

  it('wait for the database to open when asked before it is', async () => {
    const db = new level.Level(await seeded([['k', 'v']], 'json'), { valueEncoding: 'json' });
    expect(db.status).not.toBe('open');
    expect(await db.get('k')).toBe('v');
    await db.close();
  });

  it('read a value that fails to decode as an error, not a throw', async () => {
    const db = new level.Level(await seeded([['broken', '{not json']], 'utf8'), { valueEncoding: 'json' });
    await db.open();
    await expect(db.get('broken')).rejects.toThrow(/decode/i);
    await db.close();
  });
});
