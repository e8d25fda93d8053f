import type { DistrictProblem } from './load';
import type { DistrictConfig, PolygonGeometry } from './schema';

/**
 * Geometry rules the schema cannot express: zones must tile the district without overlapping, so a
 * located report falls in exactly one zone (and has exactly one area chief). Planar maths on
 * [lng, lat] is enough at district scale; points on a shared border count as inside neither zone.
 */

type Point = readonly [number, number];
type Ring = readonly Point[];

/** Tolerance in degrees (≈1 cm) for "lies on a border". */
const EPSILON = 1e-7;

const MIN_RING_POSITIONS = 4;

const cross = (o: Point, a: Point, b: Point): number =>
  (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);

const onSegment = (p: Point, a: Point, b: Point): boolean => {
  const length = Math.hypot(b[0] - a[0], b[1] - a[1]);
  if (length === 0) return Math.hypot(p[0] - a[0], p[1] - a[1]) <= EPSILON;
  if (Math.abs(cross(a, b, p)) / length > EPSILON) return false;
  return (
    p[0] >= Math.min(a[0], b[0]) - EPSILON &&
    p[0] <= Math.max(a[0], b[0]) + EPSILON &&
    p[1] >= Math.min(a[1], b[1]) - EPSILON &&
    p[1] <= Math.max(a[1], b[1]) + EPSILON
  );
};

const edgesOf = function* (ring: Ring): Generator<[Point, Point]> {
  for (let i = 0; i + 1 < ring.length; i++) yield [ring[i]!, ring[i + 1]!];
};

const onRingBorder = (p: Point, ring: Ring): boolean => {
  for (const [a, b] of edgesOf(ring)) if (onSegment(p, a, b)) return true;
  return false;
};

/** Ray casting (even-odd); the caller rules out points on the border first. */
const insideRing = (p: Point, ring: Ring): boolean => {
  let inside = false;
  for (const [a, b] of edgesOf(ring)) {
    if (a[1] > p[1] !== b[1] > p[1] && p[0] < a[0] + ((p[1] - a[1]) * (b[0] - a[0])) / (b[1] - a[1])) {
      inside = !inside;
    }
  }
  return inside;
};

/** True only for points in the interior of the polygon: not on any ring, not in a hole. */
export const strictlyInsidePolygon = (p: Point, polygon: PolygonGeometry): boolean => {
  const [outer, ...holes] = polygon.coordinates as Ring[];
  if (!outer || outer.length < MIN_RING_POSITIONS) return false;
  if (onRingBorder(p, outer) || !insideRing(p, outer)) return false;
  return holes.every((hole) => !onRingBorder(p, hole) && !insideRing(p, hole));
};

/** Area-weighted centroid of the outer ring; the plain vertex mean for a degenerate ring. */
const centroidOf = (ring: Ring): Point => {
  let twiceArea = 0;
  let x = 0;
  let y = 0;
  for (const [a, b] of edgesOf(ring)) {
    const f = a[0] * b[1] - b[0] * a[1];
    twiceArea += f;
    x += (a[0] + b[0]) * f;
    y += (a[1] + b[1]) * f;
  }
  if (Math.abs(twiceArea) > EPSILON * EPSILON) return [x / (3 * twiceArea), y / (3 * twiceArea)];
  const vertices = ring.slice(0, -1);
  const n = Math.max(vertices.length, 1);
  return [vertices.reduce((s, v) => s + v[0], 0) / n, vertices.reduce((s, v) => s + v[1], 0) / n];
};

/** Edges that cross at a point interior to both; touching or collinear (shared) edges do not count. */
const edgesCross = ([a, b]: [Point, Point], [c, d]: [Point, Point]): boolean => {
  const d1 = cross(a, b, c);
  const d2 = cross(a, b, d);
  const d3 = cross(c, d, a);
  const d4 = cross(c, d, b);
  const tolerance = EPSILON * EPSILON;
  return (
    ((d1 > tolerance && d2 < -tolerance) || (d1 < -tolerance && d2 > tolerance)) &&
    ((d3 > tolerance && d4 < -tolerance) || (d3 < -tolerance && d4 > tolerance))
  );
};

const formatPoint = (p: Point): string => `[${p[0]}, ${p[1]}]`;

/** Why zone `a` overlaps zone `b`, or undefined when they only share borders (or nothing). */
const overlapEvidence = (a: PolygonGeometry, b: PolygonGeometry): string | undefined => {
  const outerA = a.coordinates[0] as Ring | undefined;
  const outerB = b.coordinates[0] as Ring | undefined;
  if (!outerA || !outerB || outerA.length < MIN_RING_POSITIONS || outerB.length < MIN_RING_POSITIONS) {
    return undefined;
  }
  for (const vertex of outerA) {
    if (strictlyInsidePolygon(vertex, b)) return `its vertex ${formatPoint(vertex)} lies inside`;
  }
  for (const vertex of outerB) {
    if (strictlyInsidePolygon(vertex, a))
      return `the vertex ${formatPoint(vertex)} of the other lies inside it`;
  }
  const centroid = centroidOf(outerA);
  // A concave zone's centroid may lie outside the zone itself; it proves nothing then.
  if (strictlyInsidePolygon(centroid, a) && strictlyInsidePolygon(centroid, b)) {
    return `its centre ${formatPoint(centroid)} lies inside`;
  }
  for (const edgeA of edgesOf(outerA)) {
    for (const edgeB of edgesOf(outerB)) {
      if (edgesCross(edgeA, edgeB)) return 'their borders cross';
    }
  }
  return undefined;
};

/** Rings too short to enclose an area (the schema also asks for 4; this guards parsed-elsewhere data). */
export const findShortRings = (district: Pick<DistrictConfig, 'zones'>): DistrictProblem[] =>
  district.zones.flatMap((zone, z) =>
    zone.boundary.coordinates.flatMap((ring, r) =>
      ring.length >= MIN_RING_POSITIONS
        ? []
        : [
            {
              path: `zones.${z}.boundary.coordinates.${r}`,
              rule: 'ring-positions',
              message: `a ring needs at least ${MIN_RING_POSITIONS} positions (it has ${ring.length})`,
            },
          ],
    ),
  );

/** Zones whose interiors overlap, one problem per overlapping pair, reported at the later zone. */
export const findZoneOverlaps = (district: Pick<DistrictConfig, 'zones'>): DistrictProblem[] => {
  const problems: DistrictProblem[] = [];
  district.zones.forEach((zone, j) => {
    district.zones.slice(0, j).forEach((other, i) => {
      const evidence = overlapEvidence(zone.boundary, other.boundary);
      if (evidence) {
        problems.push({
          path: `zones.${j}.boundary`,
          rule: 'zone-overlap',
          message: `zone "${zone.id}" overlaps zone "${other.id}" (zones.${i}): ${evidence}`,
        });
      }
    });
  });
  return problems;
};

/** Cameras standing outside every zone: no case could ever look through them, so the file is wrong. */
export const findCamerasOutside = (district: Pick<DistrictConfig, 'zones' | 'cameras'>): DistrictProblem[] =>
  (district.cameras ?? []).flatMap((camera, c) => {
    const point: Point = [camera.location.lng, camera.location.lat];
    const inside = district.zones.some(
      (zone) =>
        strictlyInsidePolygon(point, zone.boundary) ||
        onRingBorder(point, zone.boundary.coordinates[0] ?? []),
    );
    return inside
      ? []
      : [
          {
            path: `cameras.${c}.location`,
            rule: 'camera-outside-district',
            message: `camera "${camera.id}" at (${camera.location.lat}, ${camera.location.lng}) lies outside every zone`,
          },
        ];
  });

/** Every geometry problem the validate command reports beyond the schema. */
export const findGeometryProblems = (
  district: Pick<DistrictConfig, 'zones' | 'cameras'>,
): DistrictProblem[] => [
  ...findShortRings(district),
  ...findZoneOverlaps(district),
  ...findCamerasOutside(district),
];
