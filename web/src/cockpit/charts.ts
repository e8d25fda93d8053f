/** The cockpit's small charts: departments (open vs overdue), open cases by status, reports by hour. */
import type { CaseStatus } from '../../../shared/domain/case';
import { localName, t, tOf } from '../i18n';
import type { DepartmentRow } from '../stats';
import { echarts, FONT_FAMILY, initChart, THEME } from './echarts';

const axis = {
  axisLine: { lineStyle: { color: THEME.line } },
  axisLabel: { color: THEME.muted, fontFamily: FONT_FAMILY },
  splitLine: { lineStyle: { color: 'rgba(64, 158, 255, 0.08)' } },
};

const base = {
  textStyle: { fontFamily: FONT_FAMILY, color: THEME.text },
  tooltip: {
    backgroundColor: 'rgba(6, 22, 46, 0.92)',
    borderColor: THEME.zoneBorder,
    textStyle: { color: THEME.text, fontFamily: FONT_FAMILY },
  },
  animationDuration: 300,
};

export interface Charts {
  update(departments: DepartmentRow[], byStatus: Map<CaseStatus, number>, byHour: number[]): void;
  dispose(): void;
}

const STATUS_COLOURS: Partial<Record<CaseStatus, string>> = {
  reported: '#94a3b8',
  registered: '#f59e0b',
  dispatched: '#38bdf8',
  accepted: '#22d3ee',
  handled: '#a78bfa',
  verified: '#34d399',
};

export const createCharts = (elements: {
  departments: HTMLElement;
  statuses: HTMLElement;
  hours: HTMLElement;
}): Charts => {
  const departments = initChart(elements.departments);
  const statuses = initChart(elements.statuses);
  const hours = initChart(elements.hours);
  return {
    update(rows, byStatus, byHour) {
      const shown = rows.filter((r) => r.open > 0 || r.overdue > 0).slice(0, 8);
      const list = shown.length > 0 ? shown : rows.slice(0, 6);
      departments.setOption({
        ...base,
        tooltip: { ...base.tooltip, trigger: 'axis' },
        legend: {
          top: 0,
          right: 0,
          textStyle: { color: THEME.muted, fontFamily: FONT_FAMILY },
          data: [t('deptOpen'), t('deptOverdue')],
        },
        grid: { left: 8, right: 16, top: 28, bottom: 4, containLabel: true },
        xAxis: { type: 'value', minInterval: 1, ...axis },
        yAxis: {
          type: 'category',
          inverse: true,
          data: list.map((r) => localName(r.name)),
          ...axis,
          axisLabel: { ...axis.axisLabel, width: 110, overflow: 'truncate' },
        },
        series: [
          {
            name: t('deptOpen'),
            type: 'bar',
            barWidth: 8,
            data: list.map((r) => r.open),
            itemStyle: {
              borderRadius: 4,
              color: new echarts.graphic.LinearGradient(0, 0, 1, 0, [
                { offset: 0, color: '#0ea5e9' },
                { offset: 1, color: '#22d3ee' },
              ]),
            },
          },
          {
            name: t('deptOverdue'),
            type: 'bar',
            barWidth: 8,
            data: list.map((r) => r.overdue),
            itemStyle: { borderRadius: 4, color: THEME.overdue },
          },
        ],
      });
      statuses.setOption({
        ...base,
        tooltip: { ...base.tooltip, trigger: 'item' },
        series: [
          {
            type: 'pie',
            radius: ['48%', '72%'],
            center: ['50%', '54%'],
            itemStyle: { borderColor: '#06162e', borderWidth: 2 },
            label: { color: THEME.text, fontFamily: FONT_FAMILY, formatter: '{b}\n{c}' },
            data: [...byStatus.entries()].map(([status, count]) => ({
              name: tOf('status', status),
              value: count,
              itemStyle: { color: STATUS_COLOURS[status] ?? THEME.accent },
            })),
          },
        ],
      });
      hours.setOption({
        ...base,
        tooltip: { ...base.tooltip, trigger: 'axis' },
        grid: { left: 8, right: 8, top: 12, bottom: 4, containLabel: true },
        xAxis: { type: 'category', data: byHour.map((_, hour) => String(hour)), ...axis },
        yAxis: { type: 'value', minInterval: 1, ...axis },
        series: [
          {
            type: 'bar',
            data: byHour,
            barWidth: '60%',
            itemStyle: {
              borderRadius: [3, 3, 0, 0],
              color: new echarts.graphic.LinearGradient(0, 0, 0, 1, [
                { offset: 0, color: '#22d3ee' },
                { offset: 1, color: 'rgba(34, 211, 238, 0.15)' },
              ]),
            },
          },
        ],
      });
    },
    dispose() {
      departments.dispose();
      statuses.dispose();
      hours.dispose();
    },
  };
};
