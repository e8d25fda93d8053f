import {
  edgesCross,
  edgesOf,
  MIN_RING_POSITIONS,
  onRingBorder,
  type Position,
  ringCentroid,
  strictlyInsidePolygon,
} from '../domain/geo';
import type { DistrictProblem } from './problems';
import type { DistrictConfig, PolygonGeometry } from './schema';

/**
 * Geometry rules the schema cannot express: zones must tile the district without overlapping, so a
 * located report falls in exactly one zone (and has exactly one area chief). The geometry itself
 * is the domain's (`shared/domain/geo.ts`); points on a shared border count as inside neither zone.
 */

const formatPoint = (p: Position): string => `[${p[0]}, ${p[1]}]`;

/** Why zone `a` overlaps zone `b`, or undefined when they only share borders (or nothing). */
const overlapEvidence = (a: PolygonGeometry, b: PolygonGeometry): string | undefined => {
  const outerA = a.coordinates[0];
  const outerB = b.coordinates[0];
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
  const centroid = ringCentroid(outerA);
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
    const point: Position = [camera.location.lng, camera.location.lat];
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
