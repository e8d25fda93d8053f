import { makeHandler } from '../../functions/aggregate-cases/app';
import { captureChanges, StreamLog, streamOf } from '../../infra/local/dynamodb-stream';
import type { LoadedFunction } from '../../infra/local/handlers';
import { createRuntimeLog } from '../../infra/local/log';
import { startStreamMapping } from '../../infra/local/stream-mapping';
import type { CaseStore, EvaluationAggregates } from '../../shared/ports';
import { FUNCTIONS } from '../../shared/runtime/functions';
import type { Emulators } from './emulators';
import { asFunction } from './iam';

export interface CaseChangeFeed {
  /** Delivers every change recorded so far to the aggregate-cases function. */
  drain(): Promise<void>;
  /** `store` whose writes return once the aggregator has taken them: figures read next are current. */
  caughtUp(store: CaseStore): CaseStore;
  stop(): Promise<void>;
}

/**
 * The emulator table's change stream feeding the real aggregate-cases function, as the local cloud
 * runs it, except that batches go only when a test drains them: a test that reads the evaluation
 * figures right after a change drains first (on AWS and in the local cloud they lag by the
 * batching window).
 */
export const feedCaseChanges = (emulators: Emulators, aggregates: EvaluationAggregates): CaseChangeFeed => {
  const log = new StreamLog();
  const release = captureChanges(emulators.tableName, log);
  const spec = FUNCTIONS.find((f) => f.name === 'aggregate-cases');
  if (!spec) throw new Error('aggregate-cases is not in the function list');
  const target: LoadedFunction = {
    spec,
    handler: asFunction('aggregate-cases', makeHandler({ aggregates })) as LoadedFunction['handler'],
  };
  const mapping = startStreamMapping({
    stream: streamOf(log),
    tableName: emulators.tableName,
    target,
    log: createRuntimeLog('ERROR'),
    maxBatchingWindowMs: 3_600_000,
    retryAttempts: 0,
  });
  const drain = () => mapping.drain();
  return {
    drain,
    caughtUp: (store) => ({
      ...bind(store),
      create: async (c, intake) => {
        const result = await store.create(c, intake);
        await drain();
        return result;
      },
      save: async (next, expectedVersion) => {
        await store.save(next, expectedVersion);
        await drain();
      },
    }),
    async stop() {
      await mapping.stop();
      release();
    },
  };
};

/** The store's methods bound to it, so a spread copy keeps working. */
const bind = (store: CaseStore): CaseStore => ({
  create: store.create.bind(store),
  get: store.get.bind(store),
  save: store.save.bind(store),
  list: store.list.bind(store),
  listSummaries: store.listSummaries.bind(store),
  findInCells: store.findInCells.bind(store),
  getMany: store.getMany.bind(store),
  getManyStored: store.getManyStored.bind(store),
  listUnrouted: store.listUnrouted.bind(store),
});
