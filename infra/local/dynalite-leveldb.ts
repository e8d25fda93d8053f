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
 * dynalite takes LevelDB's class from the `level` package when its `db` module loads, so this
 * must run before anything requires dynalite.
 */
import { createRequire } from 'node:module';

export const LEVELDB_WRITE_BUFFER_BYTES = 64 * 1024 * 1024;

type LevelClass = new (location: string, options?: Record<string, unknown>) => object;
interface LevelModule {
  Level: LevelClass & { [TUNED]?: true };
}

const TUNED = Symbol.for('xietong.dynalite.leveldb-options');

/** Makes every dynalite of this process open its LevelDB with a bigger write buffer. Idempotent. */
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
  }
  level.Level = TunedLevel;
};
