import { describe, expect, it } from 'vitest';
import type { Case } from '../../shared/domain/case';
import type { DedupCandidate } from '../../shared/domain/dedup';
import { geohash } from '../../shared/domain/geohash';
import { CellCandidates } from '../../shared/usecases/cell-candidates';

const here = { lat: 30.2905, lng: 120.0851 };
const there = { lat: 30.3005, lng: 120.0951 };
const candidate = (
  id: string,
  location: { lat: number; lng: number },
  reportedAt: string,
): DedupCandidate => ({
  id,
  status: 'registered',
  category: 'event.household-workshop',
  location: { ...location, crs: 'wgs84', reported: { ...location, crs: 'wgs84' } },
  reportedAt,
  updatedAt: reportedAt,
  description: '家庭作坊噪音扰民',
});

/** A geo index holding `cases`, counting the cells each read asks for. */
const indexOf = (cases: DedupCandidate[]) => {
  const reads: string[][] = [];
  const query = async (cells: string[], since: string) => {
    reads.push(cells);
    return cases.filter((c) => cells.includes(geohash(c.location)) && c.reportedAt >= since);
  };
  return { reads, query };
};

const at = (second: number) => new Date(Date.UTC(2026, 11, 7, 8, 0, second)).toISOString();
const since = at(0);

describe('the router’s memory of geo cells', () => {
  it('reads a cell once while it is remembered, and again once the memory has passed', async () => {
    const cells = new CellCandidates(3_000);
    const index = indexOf([candidate('a', here, at(1))]);
    const cell = geohash(here);
    expect((await cells.read([cell], since, at(2), index.query)).map((c) => c.id)).toEqual(['a']);
    expect((await cells.read([cell], since, at(4), index.query)).map((c) => c.id)).toEqual(['a']);
    expect(index.reads).toEqual([[cell]]);
    await cells.read([cell], since, at(6), index.query);
    expect(index.reads).toEqual([[cell], [cell]]);
  });

  it('reads only the cells it does not hold, and remembers a cell found empty', async () => {
    const cells = new CellCandidates();
    const index = indexOf([candidate('b', there, at(1))]);
    await cells.read([geohash(here)], since, at(2), index.query);
    const found = await cells.read([geohash(here), geohash(there)], since, at(2), index.query);
    expect(found.map((c) => c.id)).toEqual(['b']);
    expect(index.reads).toEqual([[geohash(here)], [geohash(there)]]);
  });

  it('adds a case the router registered to the cell it holds, as a candidate only', async () => {
    const cells = new CellCandidates();
    const index = indexOf([]);
    await cells.read([geohash(here)], since, at(2), index.query);
    const registered = {
      ...candidate('c', here, at(2)),
      timeline: [],
      lead: 'police',
    } as unknown as Case;
    cells.remember([registered]);
    cells.remember([{ ...registered, location: candidate('c', there, at(2)).location } as Case]);
    const found = await cells.read([geohash(here)], since, at(3), index.query);
    expect(found).toEqual([candidate('c', here, at(2))]);
    expect(index.reads).toHaveLength(1);
  });

  it('reads a forgotten cell again, and leaves out what the window no longer holds', async () => {
    const cells = new CellCandidates();
    const index = indexOf([candidate('d', here, at(1))]);
    await cells.read([geohash(here)], since, at(2), index.query);
    expect(await cells.read([geohash(here)], at(2), at(3), index.query)).toEqual([]);
    cells.forget([candidate('d', here, at(1))]);
    await cells.read([geohash(here)], since, at(2), index.query);
    expect(index.reads).toHaveLength(2);
  });

  it('forgets reads dated after a clock set back', async () => {
    const cells = new CellCandidates();
    const index = indexOf([]);
    await cells.read([geohash(here)], since, at(10), index.query);
    await cells.read([geohash(here)], since, at(5), index.query);
    expect(index.reads).toHaveLength(2);
  });
});
