import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadDistrict } from '../../shared/district/load';
import type { Category, PolygonGeometry, Zone } from '../../shared/district/schema';
import type { GeoPoint } from '../../shared/domain/case';
import { indexDistrict } from '../../shared/domain/district-index';
import {
  distanceMetres,
  distanceToPolygonMetres,
  gcj02ToWgs84,
  pointInPolygon,
  wgs84ToGcj02,
} from '../../shared/domain/geo';
import { isWithinDistrict, locateZone, responsibilityFor, routeReport } from '../../shared/domain/routing';

const district = indexDistrict(
  loadDistrict(fileURLToPath(new URL('../../districts/sandun.json', import.meta.url))),
);

/** The mean of a zone's ring corners (the closing position is not counted twice). */
const interiorPoint = (zone: Zone): GeoPoint => {
  const ring = zone.boundary.coordinates[0]!.slice(0, -1);
  return {
    lng: ring.reduce((sum, [lng]) => sum + lng, 0) / ring.length,
    lat: ring.reduce((sum, [, lat]) => sum + lat, 0) / ring.length,
  };
};

const category = (code: string): Category => {
  const found = district.category(code);
  if (!found) throw new Error(`fixture: no category ${code}`);
  return found;
};

describe('locateZone', () => {
  it('the fixture has the 8 Sandun zones and its categories', () => {
    // Assess
    expect(district.config.zones).toHaveLength(8);
    expect(district.config.categories.length).toBeGreaterThanOrEqual(25);
  });

  it.each(district.config.zones.map((zone) => [zone.id, zone] as const))(
    'locates the interior point of %s in that zone',
    (id, zone) => {
      // Prepare
      const point = interiorPoint(zone);

      // Act
      const match = locateZone(district, point);
      const routing = routeReport(district, { category: 'event.garbage-overflow', location: point });

      // Assess
      expect(match.zone.id).toBe(id);
      expect(match.distanceMetres).toBe(0);
      expect(routing.zone).toEqual({ id, name: zone.name });
      expect(routing.areaChief).toEqual(zone.areaChief);
    },
  );

  it('gives a point just outside the district border its nearest zone, with the distance', () => {
    // Prepare: 0.01° of longitude west of zijingang's western edge (lng 120.06)
    const point = { lat: 30.285, lng: 120.05 };
    const expected = distanceMetres(point, { lat: 30.285, lng: 120.06 });

    // Act
    const match = locateZone(district, point);

    // Assess
    expect(match.zone.id).toBe('zijingang');
    expect(match.distanceMetres).toBeGreaterThan(0);
    expect(match.distanceMetres).toBeCloseTo(expected, -1);
    expect(isWithinDistrict(district, point)).toBe(true);
  });

  it('routing copies the zone refs instead of sharing the district objects', () => {
    // Prepare
    const zone = district.zone('zijingang')!;

    // Act
    const routing = routeReport(district, { category: 'event.dispute', location: interiorPoint(zone) });

    // Assess
    expect(routing.zone.name).not.toBe(zone.name);
    expect(routing.areaChief).not.toBe(zone.areaChief);
  });
});

describe('isWithinDistrict', () => {
  it('is false for Beijing', () => {
    // Act & Assess
    expect(isWithinDistrict(district, { lat: 39.9, lng: 116.4 })).toBe(false);
  });

  it('is false 10 km south of the district and true 1 km south of it', () => {
    // Prepare: the southern border runs at about lat 30.27; 1° of latitude ≈ 111.2 km
    const tenKm = { lat: 30.2695 - 10 / 111.2, lng: 120.09 };
    const oneKm = { lat: 30.2695 - 1 / 111.2, lng: 120.09 };

    // Act & Assess
    expect(locateZone(district, tenKm).distanceMetres).toBeGreaterThan(9_000);
    expect(isWithinDistrict(district, tenKm)).toBe(false);
    expect(isWithinDistrict(district, oneKm)).toBe(true);
  });
});

describe('routeReport and responsibilityFor', () => {
  const inside = interiorPoint(district.zone('gudun')!);

  it('routes a specialist category to its lead and co-operating departments', () => {
    // Act
    const routing = routeReport(district, { category: 'event.household-workshop', location: inside });

    // Assess
    expect(routing).toMatchObject({
      rule: 'category',
      lead: 'market-regulation',
      cooperating: ['fire', 'urban-management', 'police'],
      priority: 'high',
      triage: false,
      autoDispatch: false,
    });
  });

  it('routes an urgent non-specialist event to the joint team, the original lead co-operating first', () => {
    // Act
    const routing = routeReport(district, { category: 'event.road-collapse', location: inside });

    // Assess
    expect(routing).toMatchObject({
      rule: 'joint-team',
      lead: 'joint-team',
      cooperating: ['urban-management', 'traffic-police', 'emergency-management', 'police'],
      priority: 'urgent',
      autoDispatch: true,
    });
  });

  it.each(
    district.config.categories
      .filter((c) => !c.specialist && c.priority === 'urgent')
      .map((c) => [c.code, c] as const),
  )('urgent non-specialist %s goes to the joint team', (_code, c) => {
    // Act
    const result = responsibilityFor(district, c);

    // Assess
    expect(result.rule).toBe('joint-team');
    expect(result.lead).toBe('joint-team');
    expect(result.cooperating[0]).toBe(c.lead);
    expect(result.cooperating).not.toContain('joint-team');
    expect(new Set(result.cooperating).size).toBe(result.cooperating.length);
  });

  it('keeps the specialist lead for an urgent specialist event and the category lead for a normal non-specialist one', () => {
    // Act
    const gas = routeReport(district, { category: 'event.gas-smell', location: inside });
    const vending = responsibilityFor(district, category('event.street-vending'));

    // Assess
    expect(gas).toMatchObject({
      rule: 'category',
      lead: 'emergency-management',
      cooperating: ['fire', 'police'],
      autoDispatch: true,
    });
    expect(vending).toEqual({
      rule: 'category',
      lead: 'urban-management',
      cooperating: ['market-regulation'],
    });
  });

  it('the joint-team rule removes duplicates and never lists the joint team as co-operating with itself', () => {
    // Prepare: a category that names the joint team and one department twice
    const odd: Category = {
      ...category('event.fallen-tree'),
      lead: 'urban-management',
      cooperating: ['joint-team', 'police', 'police', 'urban-management'],
    };

    // Act
    const result = responsibilityFor(district, odd);

    // Assess
    expect(result).toEqual({
      rule: 'joint-team',
      lead: 'joint-team',
      cooperating: ['urban-management', 'police'],
    });
  });

  it('returns a copy of the co-operating list, not the district array', () => {
    // Prepare
    const c = category('event.household-workshop');

    // Act
    const result = responsibilityFor(district, c);

    // Assess
    expect(result.cooperating).toEqual(c.cooperating);
    expect(result.cooperating).not.toBe(c.cooperating);
  });

  it.each([
    ['no category', undefined],
    ['an unknown category', 'event.unheard-of'],
  ])('sends a report with %s to triage, led by the command centre', (_label, code) => {
    // Act
    const routing = routeReport(district, { category: code, location: inside });

    // Assess
    expect(routing).toMatchObject({
      rule: 'triage',
      triage: true,
      lead: 'command-centre',
      cooperating: [],
      priority: 'normal',
      autoDispatch: false,
      zone: { id: 'gudun' },
    });
  });
});

describe('geo', () => {
  it('distanceMetres: 1° of latitude is about 111.2 km, and distance is symmetric', () => {
    // Prepare
    const a = { lat: 30, lng: 120 };
    const b = { lat: 31, lng: 120 };

    // Act
    const ab = distanceMetres(a, b);

    // Assess
    expect(Math.abs(ab - 111_200) / 111_200).toBeLessThan(0.005);
    expect(distanceMetres(b, a)).toBeCloseTo(ab, 6);
    expect(distanceMetres(a, a)).toBe(0);
  });

  it('distanceMetres: 1° of longitude shrinks with the cosine of the latitude', () => {
    // Act
    const atEquator = distanceMetres({ lat: 0, lng: 120 }, { lat: 0, lng: 121 });
    const at60 = distanceMetres({ lat: 60, lng: 120 }, { lat: 60, lng: 121 });

    // Assess
    expect(at60 / atEquator).toBeCloseTo(0.5, 3);
  });

  describe('pointInPolygon with a hole', () => {
    // A 10°×10° square with a 2°×2° hole in the middle ([lng, lat], closed rings)
    const donut: PolygonGeometry = {
      type: 'Polygon',
      coordinates: [
        [
          [0, 0],
          [10, 0],
          [10, 10],
          [0, 10],
          [0, 0],
        ],
        [
          [4, 4],
          [6, 4],
          [6, 6],
          [4, 6],
          [4, 4],
        ],
      ],
    };

    it.each([
      ['in the ring', { lat: 2, lng: 2 }, true],
      ['in the ring beside the hole', { lat: 5, lng: 7 }, true],
      ['in the hole', { lat: 5, lng: 5 }, false],
      ['outside', { lat: 5, lng: 11 }, false],
      ['below', { lat: -1, lng: 5 }, false],
    ])('a point %s → %s', (_label, point, inside) => {
      // Act & Assess
      expect(pointInPolygon(point, donut)).toBe(inside);
    });

    it('measures a point in the hole to the hole edge, and a point in the ring as 0', () => {
      // Act
      const inHole = distanceToPolygonMetres({ lat: 5, lng: 5 }, donut);
      const inRing = distanceToPolygonMetres({ lat: 2, lng: 2 }, donut);

      // Assess: the nearest hole edge is 1° away (≈ 111 km of latitude or ≈ 110.8 km of longitude at 5°)
      expect(inHole).toBeGreaterThan(105_000);
      expect(inHole).toBeLessThan(112_000);
      expect(inRing).toBe(0);
    });
  });

  describe('GCJ-02', () => {
    const aroundHangzhou: GeoPoint[] = [];
    for (let lat = 30.1; lat <= 30.45; lat += 0.07) {
      for (let lng = 119.9; lng <= 120.35; lng += 0.09) aroundHangzhou.push({ lat, lng });
    }

    it.each(aroundHangzhou.map((p) => [p.lat.toFixed(2), p.lng.toFixed(2), p] as const))(
      'round-trips (%s, %s) within 1e-7°',
      (_lat, _lng, p) => {
        // Act
        const shifted = wgs84ToGcj02(p);
        const back = gcj02ToWgs84(shifted);

        // Assess
        expect(Math.abs(back.lat - p.lat)).toBeLessThan(1e-7);
        expect(Math.abs(back.lng - p.lng)).toBeLessThan(1e-7);
        // In China the datum really moves the point (a few hundred metres around Hangzhou).
        expect(distanceMetres(p, shifted)).toBeGreaterThan(100);
        expect(distanceMetres(p, shifted)).toBeLessThan(1_000);
      },
    );

    it('is the identity outside China (London)', () => {
      // Prepare
      const london = { lat: 51.5074, lng: -0.1278 };

      // Act & Assess
      expect(wgs84ToGcj02(london)).toEqual(london);
      expect(gcj02ToWgs84(london)).toEqual(london);
    });

    it('never returns its input object', () => {
      // Prepare
      const p = Object.freeze({ lat: 30.3, lng: 120.1 });

      // Act & Assess
      expect(wgs84ToGcj02(p)).not.toBe(p);
      expect(gcj02ToWgs84(p)).not.toBe(p);
    });
  });
});
