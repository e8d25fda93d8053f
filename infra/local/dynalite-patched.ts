/**
 * dynalite as the local cloud runs it, and the test emulators too, so that the tests check what
 * `npm start` serves. Each patch says what it changes and what it measured:
 * - `dynalite-leveldb.ts`: a bigger LevelDB write buffer (before dynalite loads: it takes LevelDB's
 *   class as it loads);
 * - `dynalite-responses.ts`: replies encoded in pieces (before dynalite loads: it recompiles its
 *   `index.js`);
 * - `dynalite-batched-indexes.ts`: an item's index entries written as one batch, and a PutItem's
 *   item in the same batch (before dynalite loads: it takes its actions as it loads);
 * - `dynalite-table-cache.ts`: table descriptions kept between requests.
 * The change stream (`dynamodb-stream.ts`) is captured by the process that wants one.
 */
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import { batchIndexWrites, batchItemPuts } from './dynalite-batched-indexes';
import { tuneDynaliteLevelDb } from './dynalite-leveldb';
import { encodeDynaliteReplies } from './dynalite-responses';
import { cacheTableDescriptions } from './dynalite-table-cache';

export type Dynalite = (options: { path?: string; createTableMs?: number }) => Server;

/** Installs every patch, in the order they need, and returns dynalite's server factory. Idempotent. */
export const patchedDynalite = (): Dynalite => {
  tuneDynaliteLevelDb();
  batchItemPuts();
  encodeDynaliteReplies();
  batchIndexWrites();
  cacheTableDescriptions();
  return createRequire(import.meta.url)('dynalite') as Dynalite;
};
