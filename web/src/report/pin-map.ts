/**
 * Where the report is: a pin on the district's map. It follows the phone's position (with the fix's
 * accuracy drawn around it) until the user drags it or taps the map, then stays where they put it:
 * GPS in a stairwell or between tall buildings can be hundreds of metres off.
 *
 * The district's base map when it has one (Leaflet over its raster tiles, as the cockpit's), else
 * the grid zones alone, which also serve without signal. Points are WGS-84 in and out; a GCJ-02
 * base map shows them shifted, as on the cockpit.
 */
import * as L from 'leaflet';
import 'leaflet/dist/leaflet.css';
import type { DistrictConfig } from '../../../shared/district/schema';
import type { GeoPoint } from '../../../shared/domain/case';
import { gcj02ToWgs84 } from '../../../shared/domain/geo';
import { addBasemapLayers, projectorFor } from '../basemap-tiles';
import { localName } from '../i18n';

export type PinSource = 'gps' | 'manual';

export interface PinMap {
  /** The pin, WGS-84, and whether the GPS or the user put it there. */
  pin(): { at: GeoPoint; source: PinSource } | undefined;
  /** A new fix: the pin follows unless the user has placed it. */
  follow(at: GeoPoint, accuracyMetres: number): void;
  /** Drops the user's placement: the pin follows the GPS again. */
  release(): void;
  dispose(): void;
}

export const createPinMap = (
  element: HTMLElement,
  district: DistrictConfig,
  onChange: (pin: { at: GeoPoint; source: PinSource }) => void,
): PinMap => {
  const basemap = district.basemap;
  const at = projectorFor(basemap?.crs ?? 'wgs84');
  const back = (latLng: L.LatLng): GeoPoint => {
    const shown = { lat: latLng.lat, lng: latLng.lng };
    return basemap?.crs === 'gcj02' ? gcj02ToWgs84(shown) : shown;
  };
  const round = (p: GeoPoint): GeoPoint => ({ lat: Number(p.lat.toFixed(6)), lng: Number(p.lng.toFixed(6)) });

  element.classList.add('pin-map');
  const map = L.map(element, {
    zoomSnap: 0.5,
    attributionControl: !!basemap,
    ...(basemap && { minZoom: basemap.minZoom, maxZoom: basemap.maxZoom }),
  });
  if (basemap) {
    addBasemapLayers(L, map, basemap);
  }
  const zones = district.zones.map((zone) =>
    L.polygon(
      (zone.boundary.coordinates[0] ?? []).map(([lng, lat]) => at({ lat: lat ?? 0, lng: lng ?? 0 })),
      { color: '#2f7bd8', weight: 1.5, fillColor: '#2f7bd8', fillOpacity: 0.06, interactive: false },
    )
      .bindTooltip(localName(zone.name, zone.id), { permanent: false })
      .addTo(map),
  );
  map.fitBounds(L.featureGroup(zones).getBounds(), { padding: [8, 8] });

  let current: { at: GeoPoint; source: PinSource } | undefined;
  let marker: L.Marker | undefined;
  let accuracy: L.Circle | undefined;

  const place = (point: GeoPoint, source: PinSource) => {
    current = { at: round(point), source };
    element.dataset.pin = source;
    element.dataset.lat = String(current.at.lat);
    element.dataset.lng = String(current.at.lng);
    if (!marker) {
      marker = L.marker(at(point), {
        draggable: true,
        keyboard: true,
        icon: L.divIcon({ className: 'report-pin', iconSize: [26, 36], iconAnchor: [13, 36] }),
      }).addTo(map);
      marker.on('dragend', () => {
        if (marker) place(back(marker.getLatLng()), 'manual');
      });
    } else marker.setLatLng(at(point));
    if (source === 'manual') accuracy?.remove();
    onChange(current);
  };

  map.on('click', (event: L.LeafletMouseEvent) => place(back(event.latlng), 'manual'));

  return {
    pin: () => current,
    follow(point, accuracyMetres) {
      if (current?.source === 'manual') return;
      const first = !current;
      place(point, 'gps');
      if (!accuracy) {
        accuracy = L.circle(at(point), {
          radius: accuracyMetres,
          color: '#2f7bd8',
          weight: 1,
          fillOpacity: 0.12,
          interactive: false,
        }).addTo(map);
      } else accuracy.setLatLng(at(point)).setRadius(accuracyMetres).addTo(map);
      if (first) map.setView(at(point), Math.max(map.getZoom(), 16));
    },
    release() {
      if (current) current = { ...current, source: 'gps' };
    },
    dispose: () => map.remove(),
  };
};
