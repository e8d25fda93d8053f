import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoCaseStore } from '../../shared/adapters/aws/dynamodb-case-store';
import { DynamoDedupClaims } from '../../shared/adapters/aws/dynamodb-dedup-claims';
import type { Case } from '../../shared/domain/case';
import { routingAreaOf } from '../../shared/domain/routing-area';
import type { CaseStore, DedupClaims } from '../../shared/ports';
import { type RouteReportDeps, routeReports } from '../../shared/usecases/route-report';
import { casesHarness, insideZone, sandun } from '../support/cases-harness';
import { type Emulators, startEmulators } from '../support/emulators';
import { east, householdWorkshopReporter, pairInOneArea } from '../support/routing-areas';

/**
 * The guard at a routing area's border: a claim another area's router moved between this router's
 * read and its write. Reports far apart that merely share the claim must not cost a new look at
 * the area; a registration within the radius must be judged.
 */
let emulators: Emulators;
let api: ReturnType<typeof casesHarness>;
let reportAt: ReturnType<typeof householdWorkshopReporter>;

beforeAll(async () => {
  emulators = await startEmulators();
  api = casesHarness(emulators);
  reportAt = householdWorkshopReporter(api);
});

afterAll(async () => {
  await emulators.stop();
});

/**
 * The router's deps, with a neighbour that routes `other` through the same claim just before this
 * router's first claim write, and a count of this router's looks at the area's candidates.
 */
const racedDeps = (other: { caseId: string; correlationId: string }) => {
  const store = new DynamoCaseStore({ client: emulators.documents, tableName: emulators.tableName });
  const claims = new DynamoDedupClaims({ client: emulators.documents, tableName: emulators.tableName });
  const base: RouteReportDeps = { store, claims, district: sandun, clock: api.clock };
  let raced = false;
  const looks = { count: 0 };
  const countingStore: CaseStore = Object.assign(Object.create(store) as CaseStore, {
    findInCells: (cells: string[], since: string) => {
      looks.count++;
      return store.findInCells(cells, since);
    },
  });
  const racingClaims: DedupClaims = {
    read: (key) => claims.read(key),
    registeredCellsSince: (now) => claims.registeredCellsSince(now),
    advance: async (claim, registered, now, keepSince, registeredCells) => {
      if (!raced) {
        raced = true;
        const neighbour = await routeReports(base, [other]);
        expect(neighbour.get(other.caseId)).toBe('routed');
      }
      return claims.advance(claim, registered, now, keepSince, registeredCells);
    },
  };
  return { deps: { ...base, store: countingStore, claims: racingClaims }, looks };
};

describe('a claim moved by another router meanwhile', () => {
  it('is taken at its new version when what registered through it is beyond the radius', async () => {
    const { a, b } = pairInOneArea('old-street', 400);
    const ours = await reportAt(a, '家庭作坊噪音扰民 甲处');
    const theirs = await reportAt(b, '家庭作坊噪音扰民 乙处');

    const { deps, looks } = racedDeps(theirs);
    const results = await routeReports(deps, [ours]);

    expect(results.get(ours.caseId)).toBe('routed');
    expect(looks.count).toBe(1);
    const claim = await new DynamoDedupClaims({
      client: emulators.documents,
      tableName: emulators.tableName,
    }).read(`AREA#${routingAreaOf(a)}`);
    expect(claim.recent.map((r) => r.caseId)).toEqual(expect.arrayContaining([ours.caseId, theirs.caseId]));
    expect((await api.get(ours.caseId)).body.status).not.toBe('reported');
    expect((await api.get(theirs.caseId)).body.status).not.toBe('reported');
  });

  it('loses the round when a report of the same event registered through it: the batch is judged again and merges', async () => {
    const here = insideZone(sandun.zone('lanli')!);
    const ours = await reportAt(here, '楼下家庭作坊生产，噪音和异味很大');
    const theirs = await reportAt(east(here, 10), '楼下有人开家庭作坊，噪音异味大');

    const { deps, looks } = racedDeps(theirs);
    const results = await routeReports(deps, [ours]);

    expect(looks.count).toBe(2);
    expect(results.get(ours.caseId)).toBe('merged');
    const merged = (await api.get(ours.caseId)).body;
    expect(merged.mergedInto).toBe(theirs.caseId);
  });
});

describe('reports of one event merged into its case in one batch', () => {
  it('hand the effects the case as the merge found it, so only what the merge added follows', async () => {
    const here = insideZone(sandun.zone('zhenhua')!);
    const first = await reportAt(here, '小区门口有人开家庭作坊，噪音和异味很大');
    const store = new DynamoCaseStore({ client: emulators.documents, tableName: emulators.tableName });
    const claims = new DynamoDedupClaims({ client: emulators.documents, tableName: emulators.tableName });
    const calls: { previous: Case | undefined; next: Case }[] = [];
    const deps: RouteReportDeps = {
      store,
      claims,
      district: sandun,
      clock: api.clock,
      effects: async (previous, next) => {
        calls.push({ previous, next });
      },
    };
    expect((await routeReports(deps, [first])).get(first.caseId)).toBe('routed');
    const registered = (await store.get(first.caseId))!.case;

    const repeats = [
      await reportAt(east(here, 5), '小区门口家庭作坊噪音异味大，已经好几天了'),
      await reportAt(east(here, 8), '门口家庭作坊，噪音和异味很大，请处理'),
    ];
    calls.length = 0;
    const results = await routeReports(deps, repeats);
    expect(repeats.map((r) => results.get(r.caseId))).toEqual(['merged', 'merged']);

    const target = (await store.get(first.caseId))!.case;
    expect(target.linkedReports.map((l) => l.caseId).sort()).toEqual(repeats.map((r) => r.caseId).sort());
    const onTarget = calls.filter((c) => c.next.id === first.caseId);
    expect(onTarget).toHaveLength(1);
    expect(onTarget[0]!.previous?.version).toBe(registered.version);
    expect(onTarget[0]!.previous?.timeline).toHaveLength(registered.timeline.length);
    expect(onTarget[0]!.next.version).toBe(target.version);
  });
});

describe('the claim item', () => {
  const claims = () => new DynamoDedupClaims({ client: emulators.documents, tableName: emulators.tableName });
  const at = '2026-11-30T01:00:00.000Z';
  const registered = (id: string, lat: number, lng: number) => ({
    id,
    location: { lat, lng, crs: 'wgs84' as const, reported: { lat, lng, crs: 'wgs84' as const } },
  });

  it('keeps its recent registrations as written, and drops those older than it is told to keep', async () => {
    const store = claims();
    const fresh = await store.read('AREA#test-lines');
    expect(fresh).toEqual({ key: 'AREA#test-lines', seq: 0, recent: [], registeredCells: {} });
    expect(await store.advance(fresh, [registered('C-one', 30.29, 120.08)], at, at)).toBe(true);
    const later = '2026-11-30T01:00:05.000Z';
    const once = await store.read('AREA#test-lines');
    expect(await store.advance(once, [registered('C-two', 30.2901, 120.0801)], later, at)).toBe(true);
    expect((await store.read('AREA#test-lines')).recent).toEqual([
      { caseId: 'C-one', at, lat: 30.29, lng: 120.08 },
      { caseId: 'C-two', at: later, lat: 30.2901, lng: 120.0801 },
    ]);
    const twice = await store.read('AREA#test-lines');
    expect(await store.advance(twice, [], '2026-11-30T01:00:20.000Z', '2026-11-30T01:00:10.000Z')).toBe(true);
    expect((await store.read('AREA#test-lines')).recent).toEqual([]);
  });

  it('keeps its registered cells as written, in one string attribute', async () => {
    const store = claims();
    const fresh = await store.read('AREA#test-cells');
    const cells = { wtmkkd0: at, wtmkkd1: '2026-11-30T01:00:05.000Z' };
    expect(await store.advance(fresh, [], at, at, cells)).toBe(true);
    expect((await store.read('AREA#test-cells')).registeredCells).toEqual(cells);
    const { Item } = await emulators.documents.send(
      new GetCommand({ TableName: emulators.tableName, Key: { pk: 'DEDUP#AREA#test-cells', sk: 'CLAIM' } }),
    );
    expect(typeof Item?.registeredCells).toBe('string');
    // None left: no attribute, read as none.
    const once = await store.read('AREA#test-cells');
    expect(await store.advance(once, [], at, at, {})).toBe(true);
    expect((await store.read('AREA#test-cells')).registeredCells).toEqual({});
  });

  it('reads a claim written as a list of registrations, as claims were before', async () => {
    await emulators.documents.send(
      new PutCommand({
        TableName: emulators.tableName,
        Item: {
          pk: 'DEDUP#AREA#test-before',
          sk: 'CLAIM',
          entity: 'dedup-claim',
          seq: 3,
          recent: [{ caseId: 'C-old', at, lat: 30.29, lng: 120.08 }],
          registeredCells: { wtmkkd0: at },
        },
      }),
    );
    expect(await claims().read('AREA#test-before')).toEqual({
      key: 'AREA#test-before',
      seq: 3,
      recent: [{ caseId: 'C-old', at, lat: 30.29, lng: 120.08 }],
      registeredCells: { wtmkkd0: at },
    });
  });
});

describe('a batch of one routing area', () => {
  it('reads its own area’s claim while its reports are read, and only once', async () => {
    const here = east(insideZone(sandun.zone('gudun')!), 300);
    const report = { ...(await reportAt(here, '家庭作坊噪音扰民 丁处')), area: routingAreaOf(here) };
    const store = new DynamoCaseStore({ client: emulators.documents, tableName: emulators.tableName });
    const claims = new DynamoDedupClaims({ client: emulators.documents, tableName: emulators.tableName });
    const events: string[] = [];
    const deps: RouteReportDeps = {
      store: Object.assign(Object.create(store) as CaseStore, {
        getManyStored: async (ids: string[]) => {
          events.push('reading the reports');
          const read = await store.getManyStored(ids);
          events.push('reports read');
          return read;
        },
      }),
      claims: Object.assign(Object.create(claims) as DedupClaims, {
        read: (key: string) => {
          events.push(`reading ${key}`);
          return claims.read(key);
        },
      }),
      district: sandun,
      clock: api.clock,
    };
    expect((await routeReports(deps, [report])).get(report.caseId)).toBe('routed');
    const own = `reading AREA#${report.area}`;
    expect(events.slice(0, 3)).toEqual(['reading the reports', own, 'reports read']);
    expect(events.filter((e) => e === own)).toHaveLength(1);
  });
});
