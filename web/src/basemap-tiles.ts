/**
 * The district's base map as the pages draw it with Leaflet (the cockpit's big map, the report
 * pages' pin map): where a layer's tiles come from, and WGS-84 points in the base map's datum.
 */
import type * as Leaflet from 'leaflet';
import type { LatLngTuple } from 'leaflet';
import type { BasemapConfig } from '../../shared/district/schema';
import type { GeoPoint } from '../../shared/domain/case';
import { wgs84ToGcj02 } from '../../shared/domain/geo';

/** Where the page fetches a layer's tiles: the source itself, or the platform's keyed tile path. */
export const tileUrlOf = (basemap: BasemapConfig, layer: BasemapConfig['layers'][number]): string =>
  basemap.keyParameter ? `/basemap/${layer.id}/{z}/{x}/{y}` : layer.url;

/** WGS-84 → the base map's datum, as Leaflet's [lat, lng]. */
export const projectorFor =
  (crs: BasemapConfig['crs']) =>
  (point: GeoPoint): LatLngTuple => {
    const shifted = crs === 'gcj02' ? wgs84ToGcj02(point) : point;
    return [shifted.lat, shifted.lng];
  };

/**
 * The base map's layers on a Leaflet map, labels above the imagery; attribution once, from the base
 * layer. Leaflet is passed in: this module stays type-only, for pages that never draw a map.
 */
export const addBasemapLayers = (L: typeof Leaflet, map: Leaflet.Map, basemap: BasemapConfig): void => {
  map.attributionControl.setPrefix(false);
  for (const layer of basemap.layers) {
    L.tileLayer(tileUrlOf(basemap, layer), {
      ...(layer.subdomains && { subdomains: layer.subdomains }),
      minZoom: basemap.minZoom,
      maxZoom: basemap.maxZoom,
      attribution: layer.label ? '' : basemap.attribution,
      zIndex: layer.label ? 2 : 1,
      crossOrigin: false,
    }).addTo(map);
  }
};
