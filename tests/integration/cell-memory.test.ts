import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDedupClaims } from '../../shared/adapters/aws/dynamodb-dedup-claims';
import type { Case } from '../../shared/domain/case';
import { geohash, geohashBounds } from '../../shared/domain/geohash';
import { CellCandidates } from '../../shared/usecases/cell-candidates';
import { type RouteReportDeps, routeReports } from '../../shared/usecases/route-report';
import { casesHarness, insideZone, sandun } from '../support/cases-harness';
import { type Emulators, startEmulators } from '../support/emulators';
import { cellReadingStore, east } from '../support/routing-areas';
import { walkToClosed } from '../support/workflow';

/**
 * The router remembers the geo cells it read for a few seconds, so a hotspot's batches don't read
 * the same cells again and again. What the memory misses must never change a verdict: a case
 * another router registered meanwhile is found through the claims, and a case closed meanwhile is
 * judged again on a fresh read.
 */
let emulators: Emulators;
let api: ReturnType<typeof casesHarness>;

beforeAll(async () => {
  emulators = await startEmulators();
  api = casesHarness(emulators);
});

afterAll(async () => {
  await emulators.stop();
});

/** A router on the test table, with a memory of cells or none, recording the cells it read from the index. */
const router = (cells?: CellCandidates) => {
  const { store, reads } = cellReadingStore(emulators);
  const deps: RouteReportDeps = {
    store,
    claims: new DynamoDedupClaims({ client: emulators.documents, tableName: emulators.tableName }),
    district: sandun,
    clock: api.clock,
    ...(cells && { cells }),
  };
  const route = async (request: { caseId: string; correlationId: string }) =>
    (await routeReports(deps, [request])).get(request.caseId);
  return { route, reads };
};

/** The middle of the geo cell a zone's middle lies in: points a few metres apart share its cell. */
const cellMiddle = (zone: string) => {
  const bounds = geohashBounds(geohash(insideZone(sandun.zone(zone)!)));
  return { lat: (bounds.latMin + bounds.latMax) / 2, lng: (bounds.lngMin + bounds.lngMax) / 2 };
};

const report = async (point: { lat: number; lng: number }, category: string, description: string) => {
  const reply = await api.report({
    source: 'hotline',
    category,
    description,
    location: { ...point, crs: 'wgs84' },
  });
  expect(reply.status).toBe(202);
  return { caseId: reply.body.id as string, correlationId: `corr-${reply.body.id}` };
};

const stored = async (id: string) => (await api.get(id)).body as Case;

describe('a router that remembers the cells it read', () => {
  it('reads a busy cell once for the reports that follow within its memory', async () => {
    const here = cellMiddle('lanli');
    const { route, reads } = router(new CellCandidates());
    const first = await report(here, 'event.household-workshop', '楼下家庭作坊生产，噪音很大');
    expect(await route(first)).toBe('routed');
    const second = await report(east(here, 10), 'event.household-workshop', '楼下有家庭作坊，噪音扰民');
    expect(await route(second)).toBe('merged');
    const third = await report(east(here, 20), 'event.household-workshop', '家庭作坊噪音大，晚上也在生产');
    expect(await route(third)).toBe('merged');
    // The first found nothing listed to read; the third found the cell in the memory.
    expect(reads).toEqual([[geohash(here)]]);
    expect((await stored(third.caseId)).mergedInto).toBe(first.caseId);
  });

  it('finds a case another router registered after its read, through the area’s claim', async () => {
    const here = cellMiddle('zhenhua');
    const remembering = router(new CellCandidates());
    const other = router();
    const workshop = await report(here, 'event.household-workshop', '小区里有家庭作坊，气味很大');
    expect(await other.route(workshop)).toBe('routed');
    // Another event at the same spot: the remembering router reads the cell (the workshop's) for it.
    const light = await report(east(here, 5), 'component.street-light-broken', '路灯不亮，晚上漆黑一片');
    expect(await remembering.route(light)).toBe('routed');
    expect(remembering.reads).toEqual([[geohash(here)]]);

    // The other router registers a third event in that cell; the remembering router doesn't see it in its read.
    const parking = await report(east(here, 10), 'event.illegal-parking', '小区门口车辆乱停，堵住消防通道');
    expect(await other.route(parking)).toBe('routed');
    const again = await report(east(here, 15), 'event.illegal-parking', '门口乱停车，消防通道被堵住了');
    expect(await remembering.route(again)).toBe('merged');
    expect(remembering.reads).toEqual([[geohash(here)]]);
    expect((await stored(again.caseId)).mergedInto).toBe(parking.caseId);
  });

  it('judges a report again on a fresh read when the case it remembered was closed: a repeat, linked', async () => {
    const here = cellMiddle('old-street');
    const { route, reads } = router(new CellCandidates());
    const light = await report(here, 'component.street-light-broken', '路灯不亮，晚上一片漆黑');
    expect(await route(light)).toBe('routed');
    const parking = await report(east(here, 5), 'event.illegal-parking', '路口车辆乱停，占用人行道');
    expect(await route(parking)).toBe('routed');
    expect(reads).toEqual([[geohash(here)]]);

    // Closed by the people responsible, while the router still remembers it open.
    const closed = await walkToClosed(api, await stored(light.caseId));
    const again = await report(
      east(here, 3),
      'component.street-light-broken',
      '这盏路灯又不亮了，晚上一片漆黑',
    );
    expect(await route(again)).toBe('routed');
    expect((await stored(again.caseId)).repeatOf).toMatchObject({
      caseId: light.caseId,
      at: closed.closedAt,
    });
    // Its first look was the memory's; the refusal sent the second to the index.
    expect(reads).toEqual([[geohash(here)], [geohash(here)]]);
  });
});
