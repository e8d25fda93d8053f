import type { GeoPoint } from './case';
import { geohash } from './geohash';

/**
 * The routing area: a precision-6 geohash cell (about 1.2 km × 0.6 km), one neighbourhood. Reports
 * of one area are routed one batch at a time (the intake queue's message group), so the duplicate
 * check of a busy neighbourhood is never raced by its own routers; areas are routed in parallel.
 * The same cells key the area claims that guard the borders between areas.
 */
export const ROUTING_AREA_PRECISION = 6;

export const routingAreaOf = (point: GeoPoint): string => geohash(point, ROUTING_AREA_PRECISION);
