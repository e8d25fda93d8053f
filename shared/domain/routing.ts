import type { Category, Priority, Zone } from '../district/schema';
import type { AreaChiefRef, GeoPoint, ZoneRef } from './case';
import type { DistrictIndex } from './district-index';
import { distanceToPolygonMetres, pointInPolygon } from './geo';

export interface ZoneMatch {
  zone: Zone;
  /** 0 when the point lies inside the zone; otherwise how far outside its nearest zone it is. */
  distanceMetres: number;
}

/** The zone containing the point, else the nearest one (reports just over a border still need an owner). */
export const locateZone = (district: DistrictIndex, point: GeoPoint): ZoneMatch => {
  let nearest: ZoneMatch | undefined;
  for (const zone of district.config.zones) {
    if (pointInPolygon(point, zone.boundary)) return { zone, distanceMetres: 0 };
    const distance = distanceToPolygonMetres(point, zone.boundary);
    if (!nearest || distance < nearest.distanceMetres) nearest = { zone, distanceMetres: distance };
  }
  // The schema guarantees at least one zone.
  return nearest!;
};

export const isWithinDistrict = (district: DistrictIndex, point: GeoPoint): boolean =>
  locateZone(district, point).distanceMetres <= district.config.maxDistanceFromZonesKm * 1000;

export type RoutingRule = 'category' | 'joint-team' | 'triage';

export interface RoutingDecision {
  zone: ZoneRef;
  areaChief: AreaChiefRef;
  lead: string;
  cooperating: string[];
  priority: Priority;
  /** No category: the command centre's triage queue decides. */
  triage: boolean;
  rule: RoutingRule;
  autoDispatch: boolean;
}

/** Which department leads a category and who co-operates, including the joint team's remit. */
export const responsibilityFor = (
  district: DistrictIndex,
  category: Category,
): Pick<RoutingDecision, 'lead' | 'cooperating' | 'rule'> => {
  const remit = district.config.jointTeam;
  if (!category.specialist && remit.priorities.includes(category.priority)) {
    // 急难险重: the joint team acts at once; the specialist lead still co-operates.
    const cooperating = [category.lead, ...category.cooperating].filter((d) => d !== remit.department);
    return { lead: remit.department, cooperating: [...new Set(cooperating)], rule: 'joint-team' };
  }
  return { lead: category.lead, cooperating: [...category.cooperating], rule: 'category' };
};

/**
 * Routes a report: location → zone → area chief; category → lead and co-operating departments;
 * urgent non-specialist → joint team; no category → command centre triage.
 */
export const routeReport = (
  district: DistrictIndex,
  report: { category?: string; location: GeoPoint },
): RoutingDecision => {
  const { zone } = locateZone(district, report.location);
  const place = {
    zone: { id: zone.id, name: { ...zone.name } },
    areaChief: { ...zone.areaChief },
  };
  const category = report.category ? district.category(report.category) : undefined;
  if (!category) {
    return {
      ...place,
      lead: district.config.commandCentre,
      cooperating: [],
      priority: 'normal',
      triage: true,
      rule: 'triage',
      autoDispatch: false,
    };
  }
  return {
    ...place,
    ...responsibilityFor(district, category),
    priority: category.priority,
    triage: false,
    autoDispatch: category.autoDispatch,
  };
};
