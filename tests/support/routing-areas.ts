import { expect } from 'vitest';
import { routingAreaOf } from '../../shared/domain/routing-area';
import type { casesHarness } from './cases-harness';
import { insideZone, sandun } from './cases-harness';

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
