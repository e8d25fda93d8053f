import { expect } from 'vitest';
import { DynamoCaseStore } from '../../shared/adapters/aws/dynamodb-case-store';
import { routingAreaOf } from '../../shared/domain/routing-area';
import type { CaseStore } from '../../shared/ports';
import type { casesHarness } from './cases-harness';
import { insideZone, sandun } from './cases-harness';
import type { Emulators } from './emulators';

type Point = { lat: number; lng: number };

/** `metres` east of `point` (west when negative). */
export const east = (point: Point, metres: number): Point => ({
  lat: point.lat,
  lng: point.lng + metres / (111_195 * Math.cos((point.lat * Math.PI) / 180)),
});

/** Two points of one routing area of `zone` (so they share its claim), `metres` apart. */
export const pairInOneArea = (zone: string, metres: number): { a: Point; b: Point } => {
  const start = insideZone(sandun.zone(zone)!);
  for (let shift = 0; shift < 3_000; shift += 100) {
    const a = east(start, -shift);
    const b = east(a, metres);
    if (routingAreaOf(a) === routingAreaOf(b)) return { a, b };
  }
  throw new Error(`no routing area of ${zone} holds two points ${metres} m apart`);
};

/** Reports a household workshop at `point` through intake; the routing request the queue would carry. */
export const householdWorkshopReporter =
  (api: ReturnType<typeof casesHarness>) => async (point: Point, description: string) => {
    const reply = await api.report({
      source: 'hotline',
      category: 'event.household-workshop',
      description,
      location: { ...point, crs: 'wgs84' },
    });
    expect(reply.status).toBe(202);
    return { caseId: reply.body.id as string, correlationId: `corr-${reply.body.id}` };
  };

/** The case store on the test table, recording the cells each look at the geo index read. */
export const cellReadingStore = (emulators: Emulators): { store: CaseStore; reads: string[][] } => {
  const store = new DynamoCaseStore({ client: emulators.documents, tableName: emulators.tableName });
  const reads: string[][] = [];
  const reading: CaseStore = Object.assign(Object.create(store) as CaseStore, {
    findInCells: (cells: string[], since: string) => {
      reads.push(cells);
      return store.findInCells(cells, since);
    },
  });
  return { store: reading, reads };
};
