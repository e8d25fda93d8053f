/**
 * dynalite opens its LevelDB with LevelDB's defaults, among them a 4 MB write buffer (the memtable,
 * and the log behind it). The local cloud writes a case, its eight index copies and their
 * replacements: a 2,000-report burst writes about 130 MB, so a 4 MB buffer was flushed to a new
 * table file every 130 cases or so, and each flush set off compactions that rewrite those files
 * level by level. A case is written two or three times within seconds (intake, registration, the
 * merges into it), and in a bigger buffer the later write replaces the earlier one before either
 * reaches a file: fewer flushes, and less to flush and compact.
 *
 * Measured with `bench/dynamodb-replay.ts`, two replays of a burst's requests running at once, one
 * with each buffer: 64 MB took 0.84× (spread burst) and 0.89× (hotspot burst) of dynalite's CPU per
 * request with 4 MB; 16 MB 1.08× and 32 MB 1.03× of 64 MB; 128 and 256 MB no better than 64.
 * The cost is memory (up to two buffers while one is flushed) and a longer log to replay when the
 * local cloud starts again after a kill: for a machine that runs the whole platform, both small.
 *
 * It also answers dynalite's reads at once. classic-level reads on libuv's thread pool: each get is
 * queued to a worker thread, which wakes, reads and hands the value back through the event loop,
 * while the read itself (from the write buffer or the block cache, for a table of a few thousand
 * items) takes microseconds. A burst makes about four such reads per report: every GetItem, and
 * every PutItem and UpdateItem, which reads the item it replaces. The synchronous read LevelDB
 * offers (`getSync`) skips the round trip. Measured with `bench/dynamodb-replay.ts`, two replays of
 * a burst's requests side by side: 0.955× (hotspot) and 0.96× (spread) of dynalite's CPU per
 * request. A read still sees every write that has completed, which is all dynalite relies on (it
 * holds an item's lock from its read until its write is done).
 *
 * dynalite takes LevelDB's class from the `level` package when its `db` module loads, so this
 * must run before anything requires dynalite.
 */
import { createRequire } from 'node:module';

export const LEVELDB_WRITE_BUFFER_BYTES = 64 * 1024 * 1024;

interface LevelInstance {
  readonly status: string;
  get(key: unknown, options?: unknown): Promise<unknown>;
  getSync(key: unknown, options?: unknown): unknown;
}
type LevelClass = new (location: string, options?: Record<string, unknown>) => LevelInstance;
interface LevelModule {
  Level: LevelClass & { [TUNED]?: true };
}

const TUNED = Symbol.for('xietong.dynalite.leveldb-options');

/**
 * Makes every dynalite of this process open its LevelDB with a bigger write buffer, and read from
 * it synchronously. Idempotent.
 */
export const tuneDynaliteLevelDb = (): void => {
  const require = createRequire(import.meta.url);
  const dynaliteDb = require.resolve('dynalite/db');
  const level = createRequire(dynaliteDb)('level') as LevelModule;
  if (level.Level[TUNED]) return;
  if (require.cache[dynaliteDb]) {
    throw new Error('dynalite was loaded before its LevelDB options were set: call this first');
  }
  const Original = level.Level;
  class TunedLevel extends Original {
    static override readonly [TUNED] = true as const;
    constructor(location: string, options?: Record<string, unknown>) {
      // LevelDB's constructor options are the options it opens with.
      super(location, { writeBufferSize: LEVELDB_WRITE_BUFFER_BYTES, ...options });
    }
    // dynalite's reads (a key, no options) answered at once, not through the thread pool (above).
    override get(key: unknown, options?: unknown): Promise<unknown> {
      if (options !== undefined || this.status !== 'open') return super.get(key, options);
      try {
        return Promise.resolve(this.getSync(key));
      } catch (error) {
        return Promise.reject(error);
      }
    }
  }
  level.Level = TunedLevel;
};
