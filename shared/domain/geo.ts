import type { PolygonGeometry } from '../district/schema';
import type { GeoPoint } from './case';

const EARTH_RADIUS_M = 6_371_008.8;
const toRad = (deg: number) => (deg * Math.PI) / 180;

/** Great-circle distance in metres. */
export const distanceMetres = (a: GeoPoint, b: GeoPoint): number => {
  const dLat = toRad(b.lat - a.lat);
  const dLng = toRad(b.lng - a.lng);
  const h =
    Math.sin(dLat / 2) ** 2 + Math.cos(toRad(a.lat)) * Math.cos(toRad(b.lat)) * Math.sin(dLng / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)));
};

type Ring = readonly (readonly [number, number])[];

/** Ray casting on one ring of [lng, lat] positions. */
const insideRing = (point: GeoPoint, ring: Ring): boolean => {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i]!;
    const [xj, yj] = ring[j]!;
    const crosses = yi > point.lat !== yj > point.lat;
    if (crosses && point.lng < ((xj - xi) * (point.lat - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
};

/** Inside the outer ring and outside every hole. */
export const pointInPolygon = (point: GeoPoint, polygon: PolygonGeometry): boolean => {
  const [outer, ...holes] = polygon.coordinates;
  if (!outer || !insideRing(point, outer)) return false;
  return !holes.some((hole) => insideRing(point, hole));
};

/**
 * Distance from a point to a polygon's outline in metres (0 inside). Uses a local flat projection
 * around the point: exact enough at the scale of a town (a few km).
 */
export const distanceToPolygonMetres = (point: GeoPoint, polygon: PolygonGeometry): number => {
  if (pointInPolygon(point, polygon)) return 0;
  const metresPerDegLat = (Math.PI * EARTH_RADIUS_M) / 180;
  const metresPerDegLng = metresPerDegLat * Math.cos(toRad(point.lat));
  const project = ([lng, lat]: readonly [number, number]) => ({
    x: (lng - point.lng) * metresPerDegLng,
    y: (lat - point.lat) * metresPerDegLat,
  });
  let best = Number.POSITIVE_INFINITY;
  for (const ring of polygon.coordinates) {
    for (let i = 1; i < ring.length; i++) {
      const a = project(ring[i - 1]!);
      const b = project(ring[i]!);
      const dx = b.x - a.x;
      const dy = b.y - a.y;
      const lengthSquared = dx * dx + dy * dy;
      const t = lengthSquared === 0 ? 0 : Math.max(0, Math.min(1, -(a.x * dx + a.y * dy) / lengthSquared));
      best = Math.min(best, Math.hypot(a.x + t * dx, a.y + t * dy));
    }
  }
  return best;
};

// GCJ-02 ("Mars coordinates") is the obfuscated datum every map app in mainland China reports.
// The forward transform is public; the inverse has no closed form and is found by iteration.
const GCJ_A = 6_378_245.0;
const GCJ_EE = 0.006_693_421_622_965_943;

const transformLat = (x: number, y: number) =>
  -100 +
  2 * x +
  3 * y +
  0.2 * y * y +
  0.1 * x * y +
  0.2 * Math.sqrt(Math.abs(x)) +
  ((20 * Math.sin(6 * x * Math.PI) + 20 * Math.sin(2 * x * Math.PI)) * 2) / 3 +
  ((20 * Math.sin(y * Math.PI) + 40 * Math.sin((y / 3) * Math.PI)) * 2) / 3 +
  ((160 * Math.sin((y / 12) * Math.PI) + 320 * Math.sin((y * Math.PI) / 30)) * 2) / 3;

const transformLng = (x: number, y: number) =>
  300 +
  x +
  2 * y +
  0.1 * x * x +
  0.1 * x * y +
  0.1 * Math.sqrt(Math.abs(x)) +
  ((20 * Math.sin(6 * x * Math.PI) + 20 * Math.sin(2 * x * Math.PI)) * 2) / 3 +
  ((20 * Math.sin(x * Math.PI) + 40 * Math.sin((x / 3) * Math.PI)) * 2) / 3 +
  ((150 * Math.sin((x / 12) * Math.PI) + 300 * Math.sin((x / 30) * Math.PI)) * 2) / 3;

/** Outside mainland China GCJ-02 equals WGS-84. A bounding box is the customary test. */
const outsideChina = ({ lat, lng }: GeoPoint) =>
  lng < 72.004 || lng > 137.8347 || lat < 0.8293 || lat > 55.8271;

export const wgs84ToGcj02 = (point: GeoPoint): GeoPoint => {
  if (outsideChina(point)) return { lat: point.lat, lng: point.lng };
  const radLat = toRad(point.lat);
  const magic = 1 - GCJ_EE * Math.sin(radLat) ** 2;
  const sqrtMagic = Math.sqrt(magic);
  const dLat =
    (transformLat(point.lng - 105, point.lat - 35) * 180) /
    (((GCJ_A * (1 - GCJ_EE)) / (magic * sqrtMagic)) * Math.PI);
  const dLng =
    (transformLng(point.lng - 105, point.lat - 35) * 180) /
    ((GCJ_A / sqrtMagic) * Math.cos(radLat) * Math.PI);
  return { lat: point.lat + dLat, lng: point.lng + dLng };
};

/** Inverts `wgs84ToGcj02` by fixed-point iteration; converges to well under a centimetre. */
export const gcj02ToWgs84 = (point: GeoPoint): GeoPoint => {
  let guess = { lat: point.lat, lng: point.lng };
  for (let i = 0; i < 10; i++) {
    const shifted = wgs84ToGcj02(guess);
    const dLat = shifted.lat - point.lat;
    const dLng = shifted.lng - point.lng;
    guess = { lat: guess.lat - dLat, lng: guess.lng - dLng };
    if (Math.abs(dLat) < 1e-10 && Math.abs(dLng) < 1e-10) break;
  }
  return guess;
};
