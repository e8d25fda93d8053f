import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureTable } from '../../infra/local/dynamodb';
import { DynamoDedupClaims } from '../../shared/adapters/aws/dynamodb-dedup-claims';
import { cellsWithin, geohash } from '../../shared/domain/geohash';
import { routingAreaOf } from '../../shared/domain/routing-area';
import type { DedupClaims } from '../../shared/ports';
import { type RouteReportDeps, routeReports } from '../../shared/usecases/route-report';
import { casesHarness, insideZone, sandun } from '../support/cases-harness';
import { type Emulators, startEmulators } from '../support/emulators';
import { cellReadingStore, east, householdWorkshopReporter, pairInOneArea } from '../support/routing-areas';

/**
 * The claims list the cells of their area that hold registered cases, so that the router reads only
 * those from the geo index: a report where nothing was registered lately costs no cell query. The
 * lists are trusted only once they cover a whole dedup window, so a table routed by a version that
 * kept none reads every cell as before.
 */
let emulators: Emulators;
let api: ReturnType<typeof casesHarness>;
let reportAt: ReturnType<typeof householdWorkshopReporter>;
let claims: DynamoDedupClaims;

beforeAll(async () => {
  emulators = await startEmulators();
  api = casesHarness(emulators);
  reportAt = householdWorkshopReporter(api);
  claims = new DynamoDedupClaims({ client: emulators.documents, tableName: emulators.tableName });
});

afterAll(async () => {
  await emulators.stop();
});

/** The router's deps on the test table, recording the cells each look at the geo index read. */
const countingDeps = (routerClaims: DedupClaims = claims) => {
  const { store, reads } = cellReadingStore(emulators);
  const deps: RouteReportDeps = {
    store,
    claims: routerClaims,
    district: sandun,
    clock: api.clock,
  };
  return { deps, reads };
};

describe('on a table whose every registration went through the claims', () => {
  it('lists a registered case’s cell in its area’s claim, and reads no cell where none is listed', async () => {
    const { a, b } = pairInOneArea('old-street', 500);
    const first = await reportAt(a, '家庭作坊噪音扰民 甲处');
    const { deps, reads } = countingDeps();
    expect((await routeReports(deps, [first])).get(first.caseId)).toBe('routed');
    // Nothing was registered anywhere before: no cell was worth a query.
    expect(reads).toEqual([[]]);

    const claim = await claims.read(`AREA#${routingAreaOf(a)}`);
    const reportedAt = (await api.get(first.caseId)).body.reportedAt as string;
    expect(claim.registeredCells).toEqual({ [geohash(a)]: reportedAt });

    const far = await reportAt(b, '家庭作坊噪音扰民 乙处');
    const second = countingDeps();
    expect((await routeReports(second.deps, [far])).get(far.caseId)).toBe('routed');
    // 500 m away: none of its cells holds the first case.
    expect(second.reads).toEqual([[]]);
  });

  it('still reads the cell of a registered case within the radius: a report of the same event merges', async () => {
    const here = insideZone(sandun.zone('lanli')!);
    const first = await reportAt(here, '楼下家庭作坊生产，噪音和异味很大');
    expect((await routeReports(countingDeps().deps, [first])).get(first.caseId)).toBe('routed');

    const again = await reportAt(east(here, 15), '楼下有人开家庭作坊，噪音异味大');
    const { deps, reads } = countingDeps();
    expect((await routeReports(deps, [again])).get(again.caseId)).toBe('merged');
    expect(reads.flat()).toContain(geohash(here));
    expect(reads.flat().length).toBeLessThan(cellsWithin(east(here, 15), 100).length);
    expect((await api.get(again.caseId)).body.mergedInto).toBe(first.caseId);
  });

  it('drops a cell from the list once its newest case is older than the dedup window', async () => {
    const here = insideZone(sandun.zone('zhenhua')!);
    const first = await reportAt(here, '小区门口家庭作坊噪音扰民');
    expect((await routeReports(countingDeps().deps, [first])).get(first.caseId)).toBe('routed');
    const key = `AREA#${routingAreaOf(here)}`;
    expect((await claims.read(key)).registeredCells[geohash(here)]).toBeDefined();

    api.clock.advanceMinutes((sandun.config.dedup.windowHours + 1) * 60);
    const later = await reportAt(east(here, 30), '小区门口又有家庭作坊噪音');
    const { deps, reads } = countingDeps();
    expect((await routeReports(deps, [later])).get(later.caseId)).toBe('routed');
    // The first case is out of the window: its cell is not read, and only the new case's is listed.
    expect(reads).toEqual([[]]);
    expect((await claims.read(key)).registeredCells).toEqual({
      [geohash(east(here, 30))]: (await api.get(later.caseId)).body.reportedAt,
    });
  });
});

/** A table of its own holding one case item (only what the marker's check reads of it). */
const tableHolding = async (c: { id: string; status: string; reportedAt: string }) => {
  const tableName = `xietong-test-${c.id}-${c.status}`;
  await ensureTable(emulators.dynamodb, tableName);
  await emulators.documents.send(
    new PutCommand({
      TableName: tableName,
      Item: { pk: `CASE#${c.id}`, sk: 'CASE', gsi1pk: 'CASES', gsi1sk: `${c.reportedAt}#${c.id}`, ...c },
    }),
  );
  return tableName;
};

describe('on a table routed before the claims listed their cells', () => {
  it('reads every cell within the radius until the lists cover a whole window', async () => {
    const here = insideZone(sandun.zone('old-street')!);
    const report = await reportAt(east(here, 250), '家庭作坊噪音扰民 丙处');
    const notYet: DedupClaims = Object.assign(Object.create(claims) as DedupClaims, {
      registeredCellsSince: async () => api.clock.now(),
    });
    const { deps, reads } = countingDeps(notYet);
    expect((await routeReports(deps, [report])).get(report.caseId)).toBe('routed');
    expect(reads).toEqual([cellsWithin(east(here, 250), 100)]);
  });

  it('knows it by a routed case already in the table, and keeps the answer in the table', async () => {
    const tableName = await tableHolding({ id: 'old', status: 'closed', reportedAt: '2026-11-01' });
    const first = new DynamoDedupClaims({ client: emulators.documents, tableName });
    expect(await first.registeredCellsSince('2026-11-30T02:00:00.000Z')).toBe('2026-11-30T02:00:00.000Z');
    // Another process, later: the answer stands.
    const later = new DynamoDedupClaims({ client: emulators.documents, tableName });
    expect(await later.registeredCellsSince('2026-12-05T00:00:00.000Z')).toBe('2026-11-30T02:00:00.000Z');
  });

  it('counts a table holding only unrouted reports as new', async () => {
    const tableName = await tableHolding({ id: 'new', status: 'reported', reportedAt: '2026-11-30' });
    const fresh = new DynamoDedupClaims({ client: emulators.documents, tableName });
    expect(await fresh.registeredCellsSince('2026-11-30T02:00:00.000Z')).toBe('');
  });
});
