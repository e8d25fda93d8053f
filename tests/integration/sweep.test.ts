import { afterAll, beforeAll, expect, it } from 'vitest';
import { makeHandler as makeSweepHandler } from '../../functions/sweep-unrouted/app';
import { newReportedCase } from '../../shared/domain/report';
import { lambdaContext } from '../support/api-event';
import { casesHarness, insideZone, sandun } from '../support/cases-harness';
import { type Emulators, startEmulators } from '../support/emulators';
import { asFunction } from '../support/iam';

let emulators: Emulators;
let api: ReturnType<typeof casesHarness>;

beforeAll(async () => {
  emulators = await startEmulators();
  api = casesHarness(emulators);
});

afterAll(async () => {
  await emulators.stop();
});

/** A case written by intake whose process died before the enqueue: stored, never queued. */
const strandedCase = async (id: string) => {
  const c = newReportedCase(
    {
      source: 'hotline',
      category: 'event.fallen-tree',
      description: '台风过后树木倒伏压住道路',
      location: { ...insideZone(sandun.zone('lanli')!), crs: 'wgs84' },
    },
    { id, district: sandun, actor: { subject: 'hotline', role: 'command_centre' }, now: api.clock.now() },
  );
  expect(await api.store.create(c, { requestHash: 'x' })).toEqual({ created: true });
  return c;
};

it('re-enqueues reports acknowledged but never routed, once they are older than the grace period', async () => {
  const sweep = asFunction(
    'sweep-unrouted',
    makeSweepHandler({ store: api.store, queue: api.queue, clock: api.clock }),
  );
  const stranded = await strandedCase('C0000000000000000000STRANDED1');

  // Still young: it may be in the queue, leave it.
  expect(await sweep({}, lambdaContext())).toEqual({ requeued: 0 });

  api.clock.advanceMinutes(6);
  expect(await sweep({}, lambdaContext())).toEqual({ requeued: 1 });
  await api.drainQueue();
  const routed = (await api.get(stranded.id)).body;
  expect(routed).toMatchObject({ status: 'registered', lead: 'joint-team', zone: { id: 'lanli' } });

  // Nothing left to sweep; a second sweep is harmless.
  expect(await sweep({}, lambdaContext())).toEqual({ requeued: 0 });
});
