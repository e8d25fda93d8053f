/**
 * What the cockpit shows from the evaluation API (分析研判), mapped from its replies (pure, so
 * unit-tested): today's period figures for the headline and the department table, and this month's
 * standard rates, coordination figures and hotspots for the evaluation panel. The figures themselves
 * are defined once, server-side (shared/domain/evaluation.ts); here they are only looked up and named.
 */

import type { DistrictConfig } from '../../shared/district/schema';
import {
  districtDay,
  FIGURES,
  type FigureDefinition,
  type FigureGroup,
  type FigureValue,
  NONE,
} from '../../shared/domain/evaluation-figures';
import { pointInPolygon } from '../../shared/domain/geo';
import { geohashBounds } from '../../shared/domain/geohash';
import type { EvaluationReply, HotspotsReply } from './api';

/** A figure's value by id: undefined when the reply lacks it, null when there was nothing to divide. */
export const figureValue = (figures: readonly FigureValue[], id: string): number | null | undefined =>
  figures.find((f) => f.id === id)?.value;

/** A rate or average that has no value (null) is left undefined: the screen shows "—", not 0. */
const defined = (value: number | null | undefined): number | undefined => value ?? undefined;

/** Today's figures of the period kind: what happened today, as the aggregates count it. */
export interface PeriodFigures {
  /** 上报数: every report received today (merged and cancelled included). */
  reported: number;
  /** 结案数 */
  closed: number;
  /** 按期结案率 of the cases whose handling deadline falls today; undefined when none does. */
  onTimeClosureRate?: number;
  /** 合并重复上报数 */
  merged: number;
  /** 联合检查次数 */
  jointVisits: number;
  /** Per department (its id): today's returns (退回次数) and on-time closure rate. */
  byDepartment: Map<string, { returns: number; onTimeClosureRate?: number }>;
}

/** Today's figures from `GET /v1/metrics?from=<today>&to=<today>&groupBy=department`. */
export const periodFiguresOf = (today: EvaluationReply): PeriodFigures => {
  const total = today.total.figures;
  const rate = defined(figureValue(total, 'onTimeClosureRate'));
  return {
    reported: figureValue(total, 'reported') ?? 0,
    closed: figureValue(total, 'closed') ?? 0,
    ...(rate !== undefined && { onTimeClosureRate: rate }),
    merged: figureValue(total, 'duplicatesMerged') ?? 0,
    jointVisits: figureValue(total, 'jointVisits') ?? 0,
    byDepartment: new Map(
      (today.groupBy === 'department' ? today.groups : []).map((g) => {
        const rate = defined(figureValue(g.figures, 'onTimeClosureRate'));
        return [
          g.key,
          {
            returns: figureValue(g.figures, 'returns') ?? 0,
            ...(rate !== undefined && { onTimeClosureRate: rate }),
          },
        ];
      }),
    ),
  };
};

/** This month so far, in district days: the first of the month to today. */
export const monthToDate = (now: Date, timeZone: string): { from: string; to: string } => {
  const today = districtDay(now.toISOString(), timeZone);
  return { from: `${today.slice(0, 7)}-01`, to: today };
};

/** One figure as the panel shows it: the definition's name, kind and rule, and the period's value. */
export interface FigureCell {
  id: string;
  name: FigureDefinition['name'];
  kind: FigureDefinition['kind'];
  rule: FigureDefinition['rule'];
  value: number | null;
  numerator: number;
  denominator?: number;
}

export interface DepartmentFigures {
  /** A department id, or `-` (NONE) for cases no department is responsible for yet. */
  id: string;
  /** The district's name for it; undefined for `-` and ids the district no longer has. */
  name?: { zh: string; en: string };
  figures: FigureCell[];
}

export interface HotspotCell {
  /** The geohash-7 cell (about 150 m × 150 m). */
  id: string;
  count: number;
  /** The cell's centre. */
  lat: number;
  lng: number;
  /** The grid zone the centre lies in, if any. */
  zone?: string;
}

export interface EvaluationView {
  from: string;
  to: string;
  /** Figure groups in the order of the monthly workbook: volume, standard, coordination, satisfaction. */
  groups: { group: FigureGroup; figures: FigureCell[] }[];
  departments: DepartmentFigures[];
  cells: HotspotCell[];
  repeatPremises: { id: string; count: number }[];
}

/** The groups the panel shows, in the workbook's order. */
export const PANEL_GROUPS: readonly FigureGroup[] = ['volume', 'standard', 'coordination', 'satisfaction'];
/**
 * The figures of the per-department table: the rates, the coordination record and the reporters'
 * verdicts (满意率, 回访率), not volumes.
 */
export const DEPARTMENT_GROUPS: readonly FigureGroup[] = ['standard', 'coordination', 'satisfaction'];

const cellsOf = (values: readonly FigureValue[], groups: readonly FigureGroup[]): FigureCell[] => {
  const byId = new Map(values.map((v) => [v.id, v]));
  return FIGURES.filter((f) => groups.includes(f.group)).map((f) => {
    const v = byId.get(f.id);
    return {
      id: f.id,
      name: f.name,
      kind: f.kind,
      rule: f.rule,
      // A figure the reply lacks (an older API) has no value; a count it lacks is still unknown.
      value: v?.value ?? null,
      numerator: v?.numerator ?? 0,
      ...(v?.denominator !== undefined && { denominator: v.denominator }),
    };
  });
};

const centreOf = (cell: string): { lat: number; lng: number } => {
  const b = geohashBounds(cell);
  return { lat: (b.latMin + b.latMax) / 2, lng: (b.lngMin + b.lngMax) / 2 };
};

/**
 * The evaluation panel's content from this month's figures by department (`groupBy=department`)
 * and hotspots. Departments come in the district file's order, then any the district no longer
 * lists, then the cases without one; only those the reply has (the caller's scope) appear.
 */
export const evaluationViewOf = (
  district: Pick<DistrictConfig, 'departments' | 'zones'>,
  month: EvaluationReply,
  hotspots: HotspotsReply,
): EvaluationView => {
  const order = new Map(district.departments.map((d, i) => [d.id, i]));
  const rank = (id: string) => (id === NONE ? Number.MAX_SAFE_INTEGER : (order.get(id) ?? order.size));
  const departments = [...month.groups]
    .sort((a, b) => rank(a.key) - rank(b.key) || a.key.localeCompare(b.key))
    .map((g) => {
      const name = district.departments.find((d) => d.id === g.key)?.name;
      return { id: g.key, ...(name && { name }), figures: cellsOf(g.figures, DEPARTMENT_GROUPS) };
    });
  const cells = hotspots.cells.flatMap((h) => {
    try {
      const centre = centreOf(h.id);
      const zone = district.zones.find((z) => pointInPolygon(centre, z.boundary))?.id;
      return [{ id: h.id, count: h.count, ...centre, ...(zone && { zone }) }];
    } catch {
      // Not a geohash (an API newer than this page): nothing to place on the map.
      return [];
    }
  });
  return {
    from: month.from,
    to: month.to,
    groups: PANEL_GROUPS.map((group) => ({ group, figures: cellsOf(month.total.figures, [group]) })),
    departments,
    cells,
    repeatPremises: hotspots.repeatPremises,
  };
};
