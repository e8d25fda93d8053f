import { describe, expect, it } from 'vitest';
import type { StoredSubscription } from '../../shared/domain/subscriptions';
import { subscriptionsPerBatch } from '../../shared/usecases/deliver-notification';

/** A store whose list is counted, and fails when told to. */
const countingStore = () => {
  const state = { reads: 0, failNext: false, list: [] as StoredSubscription[] };
  return {
    state,
    store: {
      listStored: async () => {
        state.reads++;
        if (state.failNext) {
          state.failNext = false;
          throw new Error('throttled');
        }
        return [...state.list];
      },
    },
  };
};

describe('the subscriptions a notifier batch fans out to', () => {
  it('are read once per batch, and again for the next batch', async () => {
    const { state, store } = countingStore();
    const perBatch = subscriptionsPerBatch(store);
    const first = perBatch('request-1');
    await Promise.all([first.listStored(), first.listStored(), perBatch('request-1').listStored()]);
    expect(state.reads).toBe(1);

    state.list.push({ subscription: { id: 'S-1' } } as unknown as StoredSubscription);
    expect(await perBatch('request-2').listStored()).toHaveLength(1);
    expect(state.reads).toBe(2);
  });

  it('do not keep a failed read: the next record of the batch reads again', async () => {
    const { state, store } = countingStore();
    const batch = subscriptionsPerBatch(store)('request-1');
    state.failNext = true;
    await expect(batch.listStored()).rejects.toThrow('throttled');
    await expect(batch.listStored()).resolves.toEqual([]);
    expect(state.reads).toBe(2);
  });
});
