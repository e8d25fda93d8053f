/**
 * ECharts with only the parts the cockpit draws (tree-shaken): the district map (geo + scatter),
 * bars and a donut. The district's zones are registered as a GeoJSON map: no tiles, works offline.
 */
import { BarChart, EffectScatterChart, PieChart, ScatterChart } from 'echarts/charts';
import { GeoComponent, GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import type { DistrictConfig } from '../../../shared/district/schema';
import type { CaseSummary } from '../../../shared/http/case-view';

echarts.use([
  BarChart,
  EffectScatterChart,
  PieChart,
  ScatterChart,
  GeoComponent,
  GridComponent,
  LegendComponent,
  TooltipComponent,
  CanvasRenderer,
]);

export { echarts };

/** Canvas text needs the CJK font named, or Chromium may pick Japanese glyph shapes. */
export const FONT_FAMILY =
  '"Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "PingFang SC", sans-serif';

export const THEME = {
  text: '#cfe8ff',
  muted: '#7c9cc0',
  line: 'rgba(64, 158, 255, 0.25)',
  zoneFill: 'rgba(18, 64, 120, 0.55)',
  zoneBorder: '#3fa9f5',
  accent: '#22d3ee',
  priority: { urgent: '#ff4d4f', high: '#ffa940', normal: '#36cfc9', low: '#69b1ff' },
  overdue: '#ff2e93',
} as const;

/** A case's point on either map: magenta when overdue, else its priority's colour. */
export const caseColour = (c: Pick<CaseSummary, 'overdue' | 'priority'>): string =>
  c.overdue ? THEME.overdue : THEME.priority[c.priority];

export const registerDistrictMap = (district: DistrictConfig): string => {
  const name = `district-${district.id}`;
  echarts.registerMap(name, {
    type: 'FeatureCollection',
    features: district.zones.map((zone) => ({
      type: 'Feature',
      id: zone.id,
      properties: { name: zone.id },
      geometry: zone.boundary,
    })),
    // echarts' GeoJSON type is looser than ours; the shape is standard GeoJSON.
  } as unknown as Parameters<typeof echarts.registerMap>[1]);
  return name;
};

/** A chart that follows its element's size (the grid settles after the first data arrives). */
export const initChart = (element: HTMLElement): ReturnType<typeof echarts.init> => {
  const chart = echarts.init(element, undefined, { renderer: 'canvas' });
  // A detached or hidden element measures 0 × 0, and echarts' geo can't lay out in that.
  const observer = new ResizeObserver(() => {
    if (!chart.isDisposed() && element.clientWidth > 0 && element.clientHeight > 0) chart.resize();
  });
  observer.observe(element);
  const dispose = chart.dispose.bind(chart);
  chart.dispose = () => {
    observer.disconnect();
    dispose();
  };
  return chart;
};
