/**
 * The big map: grid zones shaded by their open cases, each zone labelled with its name and count,
 * open cases as points coloured by priority (overdue ones pulse in magenta). Click → the case.
 */
import type { DistrictConfig } from '../../../shared/district/schema';
import type { Camera } from '../../../shared/domain/camera';
import type { CaseSummary } from '../../../shared/http/case-view';
import type { HotspotCell } from '../evaluation';
import { localName, t, tOf } from '../i18n';
import type { DistrictNames } from '../names';
import { cameraSeries } from './cameras';
import { caseColour, FONT_FAMILY, initChart, THEME } from './echarts';

export interface DistrictMap {
  update(open: CaseSummary[], openByZone: Map<string, number>, selected?: CaseSummary): void;
  /** Camera icons: the registry in the user's scope, the open case's nearby ones brighter. */
  showCameras(all: Camera[], nearby: Camera[], chosen?: string): void;
  /** This month's hotspot cells (分析研判) under the case points, sized by their reports. */
  showHotspots(cells: HotspotCell[]): void;
  dispose(): void;
}

/** Keeps the pulsing (costly) overdue layer bounded; the rest still show as plain points. */
const MAX_PULSING = 150;

interface PointDatum {
  name: string;
  value: [number, number];
  caseId: string;
  itemStyle: { color: string };
}

const PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;

/** The mean of a zone's corners: where its label goes. */
const labelPoint = (ring: number[][]): [number, number] => {
  const corners = ring.slice(0, -1);
  const mean = (i: number) => corners.reduce((sum, p) => sum + (p[i] ?? 0), 0) / Math.max(1, corners.length);
  return [mean(0), mean(1)];
};

export const createDistrictMap = (
  element: HTMLElement,
  mapName: string,
  district: DistrictConfig,
  names: DistrictNames,
  onCase: (id: string) => void,
): DistrictMap => {
  const chart = initChart(element);
  const zoneName = new Map(district.zones.map((z) => [z.id, z.name]));
  let counts = new Map<string, number>();

  const point = (c: CaseSummary): PointDatum => ({
    name: `${names.category(c.category) || t('caseTriage')} · ${tOf('status', c.status)}`,
    value: [c.location.lng, c.location.lat],
    caseId: c.id,
    itemStyle: { color: caseColour(c) },
  });

  chart.setOption({
    textStyle: { fontFamily: FONT_FAMILY },
    tooltip: {
      trigger: 'item',
      backgroundColor: 'rgba(6, 22, 46, 0.92)',
      borderColor: THEME.zoneBorder,
      textStyle: { color: THEME.text, fontFamily: FONT_FAMILY },
    },
    geo: {
      map: mapName,
      roam: true,
      layoutCenter: ['50%', '52%'],
      layoutSize: '96%',
      itemStyle: { areaColor: THEME.zoneFill, borderColor: THEME.zoneBorder, borderWidth: 1.5 },
      emphasis: {
        itemStyle: { areaColor: 'rgba(34, 211, 238, 0.35)' },
        label: { color: '#ffffff' },
      },
      // Zone names and counts are a series on top (below), so 2,000 points can't hide them.
      label: { show: false },
      tooltip: { show: false },
    },
    series: [],
  });

  chart.on('click', (params) => {
    const datum = params.data as Partial<PointDatum> | undefined;
    if (datum?.caseId) onCase(datum.caseId);
  });

  return {
    update(open, openByZone, selected) {
      counts = openByZone;
      // What the map shows, for people reading the DOM (screen readers, the browser tests).
      element.dataset.points = String(open.length);
      element.setAttribute('aria-label', `${t('mapTitle')}: ${open.length}`);
      const max = Math.max(1, ...openByZone.values());
      const overdue = open.filter((c) => c.overdue);
      chart.setOption({
        geo: {
          regions: district.zones.map((zone) => ({
            name: zone.id,
            itemStyle: {
              areaColor: `rgba(${18 + Math.round(((counts.get(zone.id) ?? 0) / max) * 40)}, ${64 + Math.round(((counts.get(zone.id) ?? 0) / max) * 50)}, ${120 + Math.round(((counts.get(zone.id) ?? 0) / max) * 60)}, 0.6)`,
            },
          })),
        },
        series: [
          // One series per priority: echarts' large mode draws thousands of points fast, one colour each.
          ...PRIORITIES.map((priority) => {
            const points = open.filter((c) => !c.overdue && c.priority === priority);
            return {
              id: `cases-${priority}`,
              type: 'scatter',
              coordinateSystem: 'geo',
              symbolSize: 9,
              large: points.length > 500,
              itemStyle: {
                color: THEME.priority[priority],
                borderColor: 'rgba(255,255,255,0.6)',
                borderWidth: 1,
              },
              tooltip: { formatter: (p: { name: string }) => p.name },
              data: points.map(point),
              zlevel: 1,
            };
          }),
          {
            id: 'overdue',
            type: 'effectScatter',
            coordinateSystem: 'geo',
            symbolSize: 11,
            rippleEffect: { scale: 3, brushType: 'stroke', period: 3 },
            tooltip: { formatter: (p: { name: string }) => `${p.name} · ${t('legendOverdue')}` },
            data: overdue.slice(0, MAX_PULSING).map(point),
            zlevel: 2,
          },
          {
            id: 'overdue-rest',
            type: 'scatter',
            coordinateSystem: 'geo',
            symbolSize: 10,
            data: overdue.slice(MAX_PULSING).map(point),
            zlevel: 1,
          },
          {
            id: 'selected',
            type: 'scatter',
            coordinateSystem: 'geo',
            symbol: 'pin',
            symbolSize: 34,
            symbolOffset: [0, '-40%'],
            itemStyle: { color: '#fde047', borderColor: '#0b1a33', borderWidth: 1 },
            data: selected ? [point(selected)].map((d) => ({ ...d, itemStyle: { color: '#fde047' } })) : [],
            zlevel: 3,
          },
          {
            id: 'zone-labels',
            type: 'scatter',
            coordinateSystem: 'geo',
            symbolSize: 0,
            silent: true,
            tooltip: { show: false },
            label: {
              show: true,
              position: 'inside',
              color: '#eaf6ff',
              fontSize: 14,
              fontFamily: FONT_FAMILY,
              lineHeight: 20,
              padding: [3, 8],
              borderRadius: 3,
              backgroundColor: 'rgba(4, 13, 29, 0.72)',
              borderColor: 'rgba(63, 169, 245, 0.6)',
              borderWidth: 1,
              formatter: (p: { name: string }) =>
                `${localName(zoneName.get(p.name), p.name)}\n${t('zoneOpen', { n: counts.get(p.name) ?? 0 })}`,
            },
            data: district.zones.map((zone) => ({
              name: zone.id,
              value: labelPoint(zone.boundary.coordinates[0] ?? []),
            })),
            zlevel: 4,
          },
        ],
      });
    },
    showCameras(all, nearby, chosen) {
      element.dataset.cameras = String(new Set([...all, ...nearby].map((c) => c.id)).size);
      // Its own series id: the case layers' updates leave it as it is.
      chart.setOption({ series: [cameraSeries(all, nearby, chosen, 2)] });
    },
    showHotspots(cells) {
      element.dataset.hotspots = String(cells.length);
      const most = Math.max(1, ...cells.map((c) => c.count));
      // Its own series id, like the cameras: the case layers' updates leave it as it is.
      chart.setOption({
        series: [
          {
            id: 'hotspots',
            type: 'scatter',
            coordinateSystem: 'geo',
            symbol: 'circle',
            symbolSize: (value: number[]) => 14 + Math.round(((value[2] ?? 0) / most) * 22),
            itemStyle: {
              color: 'rgba(255, 169, 64, 0.28)',
              borderColor: THEME.priority.high,
              borderWidth: 1,
            },
            tooltip: {
              formatter: (p: { value: number[] }) => t('hotspotTooltip', { n: p.value[2] ?? 0 }),
            },
            data: cells.map((c) => ({ name: c.id, value: [c.lng, c.lat, c.count] })),
            // Under the case points (zlevel 1), over the zones.
            zlevel: 0,
            z: 3,
          },
        ],
      });
    },
    dispose: () => chart.dispose(),
  };
};
