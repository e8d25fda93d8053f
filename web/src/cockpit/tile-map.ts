/**
 * The big map on the district's base map (天地图, 高德 or any raster XYZ/WMTS source from the
 * district file): the same layers as the schematic (zones shaded by their open cases, cases by
 * priority with the overdue ones pulsing, hotspots, cameras, the selected case), drawn with Leaflet.
 *
 * Leaflet rather than MapLibre GL: the sources a district has are raster tiles, Leaflet draws them
 * as plain images (no WebGL, so a command-centre PC without a GPU, or headless CI, pays nothing for
 * it), its canvas renderer draws thousands of points in one layer, and it is a tenth of the size.
 * This module and Leaflet are loaded only when the district has a base map.
 *
 * Points are stored in WGS-84. A GCJ-02 base map (高德, 腾讯) shows every real place about 500 m
 * from its WGS-84 coordinates, so each point is shifted into GCJ-02 before it is drawn.
 */
import * as L from 'leaflet';
import 'leaflet/dist/leaflet.css';
import type { BasemapConfig, DistrictConfig } from '../../../shared/district/schema';
import type { Camera } from '../../../shared/domain/camera';
import type { CaseSummary } from '../../../shared/http/case-view';
import { addBasemapLayers, projectorFor } from '../basemap-tiles';
import type { HotspotCell } from '../evaluation';
import { localName, t, tOf } from '../i18n';
import type { DistrictNames } from '../names';
import { CAMERA_COLOUR } from './cameras';
import type { DistrictMap } from './district-map';
import { caseColour, THEME } from './echarts';

/** Keeps the pulsing (DOM) overdue markers bounded; the rest are drawn on the canvas. */
const MAX_PULSING = 150;

/** A label sized by its text (no iconSize: Leaflet leaves the size to CSS), centred by CSS. */
const zoneLabel = (html: string) =>
  L.divIcon({ className: 'zone-label', html, iconSize: null as unknown as L.PointExpression });

export const createTileMap = (
  element: HTMLElement,
  district: DistrictConfig,
  basemap: BasemapConfig,
  names: DistrictNames,
  onCase: (id: string) => void,
): DistrictMap => {
  const at = projectorFor(basemap.crs);
  element.dataset.basemap = basemap.crs;
  element.classList.add('tile-map');
  const map = L.map(element, {
    preferCanvas: true,
    minZoom: basemap.minZoom,
    maxZoom: basemap.maxZoom,
    zoomSnap: 0.5,
    attributionControl: true,
  });
  addBasemapLayers(L, map, basemap);

  // One canvas for every case point: 10,000 circles redraw in a few tens of milliseconds.
  const canvas = L.canvas({ padding: 0.3, tolerance: 4 });
  const zones = L.layerGroup().addTo(map);
  const hotspotLayer = L.layerGroup().addTo(map);
  const caseLayer = L.layerGroup().addTo(map);
  const pulseLayer = L.layerGroup().addTo(map);
  const cameraLayer = L.layerGroup().addTo(map);
  const labelLayer = L.layerGroup().addTo(map);
  const selectedLayer = L.layerGroup().addTo(map);

  const zonePolygons = new Map<string, L.Polygon>();
  const zoneLabels = new Map<string, L.Marker>();
  for (const zone of district.zones) {
    const ring = (zone.boundary.coordinates[0] ?? []).map(([lng, lat]) =>
      at({ lat: lat ?? 0, lng: lng ?? 0 }),
    );
    const polygon = L.polygon(ring, {
      renderer: canvas,
      color: THEME.zoneBorder,
      weight: 2,
      fillColor: '#124078',
      fillOpacity: 0.12,
      interactive: false,
    }).addTo(zones);
    zonePolygons.set(zone.id, polygon);
    const label = L.marker(polygon.getBounds().getCenter(), {
      interactive: false,
      keyboard: false,
      icon: zoneLabel(''),
    }).addTo(labelLayer);
    zoneLabels.set(zone.id, label);
  }
  const bounds = L.featureGroup([...zonePolygons.values()]).getBounds();
  map.fitBounds(bounds, { padding: [16, 16] });

  /** The points drawn now, by case id: an update restyles or moves only what changed. */
  const points = new Map<string, { marker: L.CircleMarker; key: string }>();
  const pulsing = new Map<string, L.Marker>();
  let selectedId: string | undefined;

  const tooltipOf = (c: CaseSummary) =>
    `${names.category(c.category) || t('caseTriage')} · ${tOf('status', c.status)}${c.overdue ? ` · ${t('legendOverdue')}` : ''}`;

  return {
    update(open, openByZone, selected) {
      element.dataset.points = String(open.length);
      element.setAttribute('aria-label', `${t('mapTitle')}: ${open.length}`);
      const max = Math.max(1, ...openByZone.values());
      for (const zone of district.zones) {
        const share = (openByZone.get(zone.id) ?? 0) / max;
        zonePolygons.get(zone.id)?.setStyle({ fillOpacity: 0.08 + share * 0.3 });
        const text = `${localName(zone.name, zone.id)}<br>${t('zoneOpen', { n: openByZone.get(zone.id) ?? 0 })}`;
        zoneLabels.get(zone.id)?.setIcon(zoneLabel(text));
      }

      const seen = new Set<string>();
      for (const c of open) {
        seen.add(c.id);
        const key = `${c.location.lat},${c.location.lng},${caseColour(c)},${c.status}`;
        const known = points.get(c.id);
        if (known?.key === key) continue;
        if (known) {
          known.marker.setLatLng(at(c.location)).setStyle({ fillColor: caseColour(c) });
          known.marker.setTooltipContent(tooltipOf(c));
          known.key = key;
          continue;
        }
        const marker = L.circleMarker(at(c.location), {
          renderer: canvas,
          radius: 5,
          color: 'rgba(255,255,255,0.85)',
          weight: 1,
          fillColor: caseColour(c),
          fillOpacity: 1,
        })
          .bindTooltip(tooltipOf(c))
          .on('click', () => onCase(c.id))
          .addTo(caseLayer);
        points.set(c.id, { marker, key });
      }
      for (const [id, { marker }] of points) {
        if (seen.has(id)) continue;
        marker.remove();
        points.delete(id);
      }

      // A ring pulses around the first overdue cases (CSS animation: no redraw of the canvas).
      const overdue = open.filter((c) => c.overdue).slice(0, MAX_PULSING);
      const pulse = new Set(overdue.map((c) => c.id));
      for (const [id, marker] of pulsing) {
        if (pulse.has(id)) continue;
        marker.remove();
        pulsing.delete(id);
      }
      for (const c of overdue) {
        const known = pulsing.get(c.id);
        if (known) known.setLatLng(at(c.location));
        else {
          const icon = L.divIcon({ className: 'overdue-pulse', iconSize: [26, 26] });
          pulsing.set(c.id, L.marker(at(c.location), { icon, interactive: false }).addTo(pulseLayer));
        }
      }

      selectedLayer.clearLayers();
      if (selected) {
        L.marker(at(selected.location), {
          icon: L.divIcon({ className: 'selected-pin', iconSize: [22, 30], iconAnchor: [11, 30] }),
          title: tooltipOf(selected),
          keyboard: false,
        }).addTo(selectedLayer);
        // A newly chosen case comes into view; a refresh of the same one leaves the view alone.
        if (selected.id !== selectedId && !map.getBounds().pad(-0.1).contains(at(selected.location))) {
          map.panTo(at(selected.location));
        }
      }
      selectedId = selected?.id;
    },
    showCameras(all, nearby, chosen) {
      const near = new Set(nearby.map((c) => c.id));
      const byId = new Map<string, Camera>([...all, ...nearby].map((c) => [c.id, c]));
      element.dataset.cameras = String(byId.size);
      cameraLayer.clearLayers();
      for (const camera of byId.values()) {
        const emphasis = camera.id === chosen ? 2 : near.has(camera.id) ? 1 : 0;
        L.circleMarker(at(camera.location), {
          renderer: canvas,
          radius: [3, 5, 7][emphasis],
          color: emphasis === 2 ? '#fde047' : CAMERA_COLOUR,
          weight: 2,
          fillOpacity: camera.status === 'online' ? 0.6 : 0.2,
          fillColor: CAMERA_COLOUR,
        })
          .bindTooltip(`${t('cameraLegend')} · ${camera.name}`)
          .addTo(cameraLayer);
      }
    },
    showHotspots(cells: HotspotCell[]) {
      element.dataset.hotspots = String(cells.length);
      const most = Math.max(1, ...cells.map((c) => c.count));
      hotspotLayer.clearLayers();
      for (const cell of cells) {
        L.circleMarker(at(cell), {
          renderer: canvas,
          radius: 7 + Math.round((cell.count / most) * 11),
          color: THEME.priority.high,
          weight: 1,
          fillColor: 'rgb(255, 169, 64)',
          fillOpacity: 0.28,
        })
          .bindTooltip(t('hotspotTooltip', { n: cell.count }))
          .addTo(hotspotLayer);
      }
    },
    dispose: () => {
      map.remove();
      element.classList.remove('tile-map');
      delete element.dataset.basemap;
    },
  };
};
