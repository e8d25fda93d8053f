import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CASE_STATUSES, type Case, type CaseStatus } from '../../shared/domain/case';
import { verifyTimeline } from '../../shared/domain/timeline';
import { casesHarness, distinctPointsIn, sandun } from '../support/cases-harness';
import { type Emulators, startEmulators } from '../support/emulators';
import { walkToClosed } from '../support/workflow';

let emulators: Emulators;
let api: ReturnType<typeof casesHarness>;

const north = (metres: number) => metres / 111_195;
const nextPoint = distinctPointsIn(sandun.zone('old-street')!);
/** Each test (and each property run) works at its own spot, far from the others'. */
const spot = () => {
  nextPoint();
  nextPoint();
  return nextPoint();
};

const streetLight = (point: { lat: number; lng: number }, description = '路灯不亮，晚上一片漆黑') => ({
  source: 'hotline',
  category: 'component.street-light-broken',
  description,
  location: { ...point, crs: 'wgs84' },
});

/** Reports and routes; the reply of the router is checked: nothing may fail or wait for a retry. */
const reportAndRoute = async (body: unknown) => {
  const accepted = await api.report(body);
  expect(accepted.status).toBe(202);
  const responses = await api.drainQueue();
  expect(responses.flatMap((r) => r.batchItemFailures)).toEqual([]);
  return (await api.get(accepted.body.id)).body as Case;
};

beforeAll(async () => {
  emulators = await startEmulators();
  api = casesHarness(emulators);
});

afterAll(async () => {
  await emulators.stop();
});

describe('a report repeating a recently closed case', () => {
  it('is routed at once as a case of its own, linked both ways, and counted', async () => {
    const here = spot();
    api.clock.set('2026-12-01T10:00:00.000Z');
    const first = await reportAndRoute(streetLight(here));
    expect(first.status).toBe('registered');
    api.clock.set('2026-12-01T14:00:00.000Z');
    const closed = await walkToClosed(api, first);
    expect(closed.status).toBe('closed');

    // The next evening the light is out again.
    api.clock.set('2026-12-02T11:30:00.000Z');
    const again = await reportAndRoute(streetLight(here, '这盏路灯又不亮了，昨天刚修过'));
    expect(again.status).toBe('registered');
    expect(again.lead).toBe(first.lead);
    expect(again.repeatOf).toMatchObject({ caseId: first.id, at: closed.closedAt });
    expect(again.timeline.find((e) => e.action === 'registered')?.details?.repeatOf).toMatchObject({
      caseId: first.id,
    });

    const original = (await api.get(first.id)).body as Case;
    expect(original.status).toBe('closed');
    expect(original.repeatedBy).toEqual([
      { caseId: again.id, at: again.reportedAt, score: expect.any(Number) },
    ]);
    expect(original.timeline.at(-1)).toMatchObject({ action: 'repeat-reported', to: 'closed' });
    expect(verifyTimeline(original.timeline).intact).toBe(true);
    expect(verifyTimeline(again.timeline).intact).toBe(true);
  });

  it('is a plain new case once the closure is older than closedWithinHours', async () => {
    const here = spot();
    api.clock.set('2026-12-03T10:00:00.000Z');
    const closed = await walkToClosed(api, await reportAndRoute(streetLight(here)));
    api.clock.set(
      new Date(
        Date.parse(closed.closedAt!) + (sandun.config.dedup.closedWithinHours + 1) * 3_600_000,
      ).toISOString(),
    );
    const later = await reportAndRoute(streetLight(here));
    expect(later.status).toBe('registered');
    expect(later.repeatOf).toBeUndefined();
  });
});

/** Every status a nearby case can be in when a new report arrives. */
const STATUSES = CASE_STATUSES.filter((s): s is Exclude<CaseStatus, 'reported'> => s !== 'reported');

describe('routing a report among nearby cases in any status (property)', () => {
  it('always routes the report in one pass: no failure, no retry, never left reported', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            status: fc.constantFrom(...STATUSES),
            onHold: fc.boolean(),
            closedHoursAgo: fc.integer({ min: 0, max: 72 }),
            metres: fc.integer({ min: 0, max: 40 }),
          }),
          { minLength: 1, maxLength: 4 },
        ),
        async (nearby) => {
          const here = spot();
          const now = '2026-12-05T10:00:00.000Z';
          api.clock.set('2026-12-05T08:00:00.000Z');
          const ids: string[] = [];
          for (const [i, n] of nearby.entries()) {
            // Far enough apart in time and text that the router keeps them as separate cases.
            const c = await reportAndRoute(
              streetLight(
                { lat: here.lat + north(n.metres), lng: here.lng },
                `第${i}号灯杆不亮 ${'甲乙丙丁'[i]}`,
              ),
            );
            ids.push(c.id);
          }
          // Put each case in the status drawn, straight in the table (as if its history had happened).
          for (const [i, n] of nearby.entries()) {
            const stored = await api.store.get(ids[i]!);
            if (!stored || stored.case.status === 'merged') continue;
            const closedAt = new Date(Date.parse(now) - n.closedHoursAgo * 3_600_000).toISOString();
            const other = ids.find((id) => id !== ids[i]);
            const status: CaseStatus = n.status === 'merged' && !other ? 'cancelled' : n.status;
            const next: Case = {
              ...stored.case,
              status,
              version: stored.case.version + 1,
              ...(status === 'closed' && { closedAt }),
              ...(status === 'merged' && other && { mergedInto: other }),
              ...(n.onHold &&
                status !== 'closed' && {
                  hold: { since: now, reason: '等待配件', remaining: { handleMinutes: 60 } },
                }),
            };
            await api.store.save({ ...stored, case: next }, stored.case.version);
          }
          api.clock.set(now);
          const fresh = await reportAndRoute(streetLight(here));
          expect(['registered', 'dispatched', 'merged']).toContain(fresh.status);
          if (fresh.status === 'merged') {
            const target = (await api.get(fresh.mergedInto!)).body as Case;
            expect(['closed', 'cancelled', 'merged', 'reported']).not.toContain(target.status);
          }
        },
      ),
      { numRuns: 25 },
    );
  }, 180_000);
});
