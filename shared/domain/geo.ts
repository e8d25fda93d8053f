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

/** A GeoJSON position: [lng, lat]. */
export type Position = readonly [number, number];
type Ring = readonly Position[];

/** Ray casting (even-odd) on one ring of positions; a point on the ring itself may fall either way. */
const insideRing = (lng: number, lat: number, ring: Ring): boolean => {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i]!;
    const [xj, yj] = ring[j]!;
    const crosses = yi > lat !== yj > lat;
    if (crosses && lng < ((xj - xi) * (lat - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
};

/** Inside the outer ring and outside every hole. */
export const pointInPolygon = (point: GeoPoint, polygon: PolygonGeometry): boolean => {
  const [outer, ...holes] = polygon.coordinates;
  if (!outer || !insideRing(point.lng, point.lat, outer)) return false;
  return !holes.some((hole) => insideRing(point.lng, point.lat, hole));
};

// Border-aware planar checks on [lng, lat], for telling whether zones tile a district: planar maths
// is exact enough at district scale, and a point on a border counts as inside neither side.

/** Tolerance in degrees (≈1 cm) for "lies on a border". */
const BORDER_EPSILON = 1e-7;

/** Fewer positions than this enclose no area (a closed ring repeats its first position). */
export const MIN_RING_POSITIONS = 4;

const cross = (o: Position, a: Position, b: Position): number =>
  (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);

const onSegment = (p: Position, a: Position, b: Position): boolean => {
  const length = Math.hypot(b[0] - a[0], b[1] - a[1]);
  if (length === 0) return Math.hypot(p[0] - a[0], p[1] - a[1]) <= BORDER_EPSILON;
  if (Math.abs(cross(a, b, p)) / length > BORDER_EPSILON) return false;
  return (
    p[0] >= Math.min(a[0], b[0]) - BORDER_EPSILON &&
    p[0] <= Math.max(a[0], b[0]) + BORDER_EPSILON &&
    p[1] >= Math.min(a[1], b[1]) - BORDER_EPSILON &&
    p[1] <= Math.max(a[1], b[1]) + BORDER_EPSILON
  );
};

/** The edges of a closed ring, in order. */
export const edgesOf = function* (ring: Ring): Generator<[Position, Position]> {
  for (let i = 0; i + 1 < ring.length; i++) yield [ring[i]!, ring[i + 1]!];
};

/** On the ring's outline, within the border tolerance. */
export const onRingBorder = (p: Position, ring: Ring): boolean => {
  for (const [a, b] of edgesOf(ring)) if (onSegment(p, a, b)) return true;
  return false;
};

/** True only for points in the interior of the polygon: not on any ring, not in a hole. */
export const strictlyInsidePolygon = (p: Position, polygon: PolygonGeometry): boolean => {
  const [outer, ...holes] = polygon.coordinates;
  if (!outer || outer.length < MIN_RING_POSITIONS) return false;
  if (onRingBorder(p, outer) || !insideRing(p[0], p[1], outer)) return false;
  return holes.every((hole) => !onRingBorder(p, hole) && !insideRing(p[0], p[1], hole));
};

/** Area-weighted centroid of a ring; the plain vertex mean for a degenerate ring. */
export const ringCentroid = (ring: Ring): Position => {
  let twiceArea = 0;
  let x = 0;
  let y = 0;
  for (const [a, b] of edgesOf(ring)) {
    const f = a[0] * b[1] - b[0] * a[1];
    twiceArea += f;
    x += (a[0] + b[0]) * f;
    y += (a[1] + b[1]) * f;
  }
  if (Math.abs(twiceArea) > BORDER_EPSILON * BORDER_EPSILON)
    return [x / (3 * twiceArea), y / (3 * twiceArea)];
  const vertices = ring.slice(0, -1);
  const n = Math.max(vertices.length, 1);
  return [vertices.reduce((s, v) => s + v[0], 0) / n, vertices.reduce((s, v) => s + v[1], 0) / n];
};

/** Edges that cross at a point interior to both; touching or collinear (shared) edges do not count. */
export const edgesCross = ([a, b]: [Position, Position], [c, d]: [Position, Position]): boolean => {
  const d1 = cross(a, b, c);
  const d2 = cross(a, b, d);
  const d3 = cross(c, d, a);
  const d4 = cross(c, d, b);
  const tolerance = BORDER_EPSILON * BORDER_EPSILON;
  return (
    ((d1 > tolerance && d2 < -tolerance) || (d1 < -tolerance && d2 > tolerance)) &&
    ((d3 > tolerance && d4 < -tolerance) || (d3 < -tolerance && d4 > tolerance))
  );
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
