import type { GeoPoint } from './case';

/**
 * Geohash cells: the key of the geo index that finds cases near a point without scanning. A
 * precision-7 cell is about 153 m × 153 m (132 m wide at Hangzhou's latitude): the cell and its
 * eight neighbours cover a 100 m radius; larger radii take more rings (see `cellsWithin`).
 */
const BASE32 = '0123456789bcdefghjkmnpqrstuvwxyz';

export const GEO_CELL_PRECISION = 7;

export const geohash = (point: GeoPoint, precision = GEO_CELL_PRECISION): string => {
  let [latMin, latMax, lngMin, lngMax] = [-90, 90, -180, 180];
  let hash = '';
  let bits = 0;
  let value = 0;
  let evenBit = true;
  while (hash.length < precision) {
    if (evenBit) {
      const mid = (lngMin + lngMax) / 2;
      if (point.lng >= mid) {
        value = value * 2 + 1;
        lngMin = mid;
      } else {
        value *= 2;
        lngMax = mid;
      }
    } else {
      const mid = (latMin + latMax) / 2;
      if (point.lat >= mid) {
        value = value * 2 + 1;
        latMin = mid;
      } else {
        value *= 2;
        latMax = mid;
      }
    }
    evenBit = !evenBit;
    if (++bits === 5) {
      hash += BASE32[value];
      bits = 0;
      value = 0;
    }
  }
  return hash;
};

interface Bounds {
  latMin: number;
  latMax: number;
  lngMin: number;
  lngMax: number;
}

export const geohashBounds = (hash: string): Bounds => {
  const bounds = { latMin: -90, latMax: 90, lngMin: -180, lngMax: 180 };
  let evenBit = true;
  for (const char of hash) {
    const index = BASE32.indexOf(char);
    if (index < 0) throw new Error(`not a geohash: ${hash}`);
    for (let bit = 4; bit >= 0; bit--) {
      const on = ((index >> bit) & 1) === 1;
      if (evenBit) {
        const mid = (bounds.lngMin + bounds.lngMax) / 2;
        if (on) bounds.lngMin = mid;
        else bounds.lngMax = mid;
      } else {
        const mid = (bounds.latMin + bounds.latMax) / 2;
        if (on) bounds.latMin = mid;
        else bounds.latMax = mid;
      }
      evenBit = !evenBit;
    }
  }
  return bounds;
};

const METRES_PER_DEGREE = 111_195;

/** Metres from a point to the nearest point of a cell (0 inside it), on the local flat-earth approximation. */
const metresToCell = (point: GeoPoint, { latMin, latMax, lngMin, lngMax }: Bounds): number => {
  const lat = Math.min(Math.max(point.lat, latMin), latMax);
  const lng = Math.min(Math.max(point.lng, lngMin), lngMax);
  const north = (lat - point.lat) * METRES_PER_DEGREE;
  const east = (lng - point.lng) * METRES_PER_DEGREE * Math.cos((point.lat * Math.PI) / 180);
  return Math.hypot(north, east);
};

/**
 * Every cell that can hold a point within `radiusMetres` of the point: the circle's bounding box is
 * sampled on a grid finer than a cell, so no overlapping cell is skipped, and the box's corner
 * cells that the circle itself misses are left out (typically 3–4 cells for 100 m at precision 7,
 * at most 9). Each cell is a query of the geo index, so a corner less is a read less per report.
 */
export const cellsWithin = (
  point: GeoPoint,
  radiusMetres: number,
  precision = GEO_CELL_PRECISION,
): string[] => {
  const { latMin, latMax, lngMin, lngMax } = geohashBounds(geohash(point, precision));
  const dLat = radiusMetres / METRES_PER_DEGREE;
  const dLng = dLat / Math.cos((point.lat * Math.PI) / 180);
  const stepsLat = Math.max(1, Math.ceil((2 * dLat) / (latMax - latMin)));
  const stepsLng = Math.max(1, Math.ceil((2 * dLng) / (lngMax - lngMin)));
  const cells = new Set<string>();
  for (let i = 0; i <= stepsLat; i++) {
    for (let j = 0; j <= stepsLng; j++) {
      const lat = point.lat - dLat + (2 * dLat * i) / stepsLat;
      const lng = point.lng - dLng + (2 * dLng * j) / stepsLng;
      cells.add(geohash({ lat, lng }, precision));
    }
  }
  // A metre's slack: the flat-earth distance and the dedup's great-circle one differ by far less.
  return [...cells].filter((cell) => metresToCell(point, geohashBounds(cell)) <= radiusMetres + 1).sort();
};
