import { afterAll, beforeAll, expect, it } from 'vitest';
import { makeHandler } from '../../functions/rearm-timers/app';
import { DynamoWatchedCases } from '../../shared/adapters/aws/dynamodb-watched-cases';
import type { TimerStart, Timers } from '../../shared/ports';
import { lambdaContext } from '../support/api-event';
import { casesHarness, claimsFor, distinctPointsIn, sandun } from '../support/cases-harness';
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

it('starts a timer for every case whose deadline runs, and none for the others', async () => {
  // Prepare: one dispatched case (its deadline runs), one only registered (no deadline yet).
  const nextPoint = distinctPointsIn(sandun.zone('xingzhou')!);
  const body = (description: string) => ({
    source: 'patrol',
    category: 'event.illegal-parking',
    description,
    location: { ...nextPoint(), crs: 'wgs84' },
  });
  const dispatched = await api.report(body('路口违停'));
  const waiting = await api.report(body('人行道违停'));
  await api.drainQueue();
  expect((await api.command(dispatched.body.id, 'dispatch', {}, claimsFor.commandCentre())).status).toBe(200);
  // The step after saving the dispatch (starting the timer) is what a crash would lose: record
  // what the scheduled re-arm starts instead of running Step Functions here.
  const started: TimerStart[] = [];
  const timers: Timers = { start: async (request) => void started.push(request) };
  const handler = asFunction(
    'rearm-timers',
    makeHandler({
      watched: new DynamoWatchedCases({ client: emulators.documents, tableName: emulators.tableName }),
      district: sandun,
      clock: api.clock,
      timers,
    }),
  );

  // Act
  const result = await handler({}, lambdaContext());

  // Assess
  expect(result).toEqual({ cases: 1, started: 1 });
  expect(started).toEqual([
    expect.objectContaining({
      key: expect.objectContaining({ caseId: dispatched.body.id, deadline: 'accept' }),
    }),
  ]);
  expect(started.some((s) => s.key.caseId === waiting.body.id)).toBe(false);
});
