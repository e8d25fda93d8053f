import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../infra/local/paths';
import { loadDistrict } from '../../shared/district/load';
import { addCounters, FIGURES, figuresOf, NONE } from '../../shared/domain/evaluation';
import { geohash } from '../../shared/domain/geohash';
import {
  ApiError,
  type EvaluationReply,
  type FiguresQuery,
  filenameOf,
  type HotspotsReply,
} from '../../web/src/api';
import { evaluationViewOf, monthToDate, periodFiguresOf } from '../../web/src/evaluation';
import {
  createEvaluationFeed,
  EVALUATION_LAG_MS,
  type EvaluationReader,
} from '../../web/src/evaluation-feed';

/**
 * The cockpit's evaluation panel (分析研判), pure parts: the metrics replies mapped to what the panel
 * and the headline show, and how often the figures are read. Replies are built with the server's own
 * formulas (`figuresOf`) from counters, as `GET /v1/metrics` builds them.
 */

const district = loadDistrict(join(REPO_ROOT, 'districts/sandun.json'));
const MR = 'market-regulation';
const TP = 'traffic-police';

const reply = (
  period: { from: string; to: string },
  byDepartment: Record<string, Record<string, number>>,
): EvaluationReply => {
  const total: Record<string, number> = {};
  for (const counters of Object.values(byDepartment)) addCounters(total, counters);
  return {
    ...period,
    groupBy: 'department',
    total: { figures: figuresOf(total), counters: total },
    groups: Object.entries(byDepartment)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([key, counters]) => ({ key, figures: figuresOf(counters), counters })),
  };
};

const ringCentre = (ring: number[][]) => {
  const corners = ring.slice(0, -1);
  const mean = (i: number) => corners.reduce((sum, p) => sum + (p[i] ?? 0), 0) / corners.length;
  return { lat: mean(1), lng: mean(0) };
};

describe('period figures from the metrics reply', () => {
  it('reads reported, closed, on-time closure, merges, joint visits and returns per department', () => {
    const period = periodFiguresOf(
      reply(
        { from: '2026-11-30', to: '2026-11-30' },
        {
          [MR]: { reported: 3, closed: 1, dueToClose: 3, closedOnTime: 1, returns: 2, merged: 2 },
          [TP]: { reported: 1, jointVisitCases: 2, jointVisits: 1 },
        },
      ),
    );
    expect(period).toEqual({
      reported: 4,
      closed: 1,
      onTimeClosureRate: 0.3333,
      merged: 2,
      jointVisits: 1,
      byDepartment: new Map([
        [MR, { returns: 2, onTimeClosureRate: 0.3333 }],
        [TP, { returns: 0 }],
      ]),
    });
  });

  it('has no rate and no departments for an empty, ungrouped day', () => {
    const empty = reply({ from: '2026-11-30', to: '2026-11-30' }, {});
    const period = periodFiguresOf({ ...empty, groupBy: undefined });
    expect(period).toEqual({ reported: 0, closed: 0, merged: 0, jointVisits: 0, byDepartment: new Map() });
  });

  it("works out the district's month so far, in district days", () => {
    // 2026-11-30T17:00Z is already 1 December in Hangzhou.
    expect(monthToDate(new Date('2026-11-30T17:00:00.000Z'), 'Asia/Shanghai')).toEqual({
      from: '2026-12-01',
      to: '2026-12-01',
    });
    expect(monthToDate(new Date('2026-11-30T15:00:00.000Z'), 'Asia/Shanghai')).toEqual({
      from: '2026-11-01',
      to: '2026-11-30',
    });
  });
});

describe('the evaluation panel', () => {
  const month = reply(
    { from: '2026-11-01', to: '2026-11-30' },
    {
      [TP]: {
        reported: 2,
        dispatched: 2,
        dispatchedOnTime: 1,
        handled: 1,
        handledOnTime: 0,
        handlingMinutes: 310,
      },
      [MR]: {
        reported: 5,
        cancelled: 1,
        closed: 1,
        dispatched: 2,
        dispatchedOnTime: 2,
        handled: 1,
        handledOnTime: 1,
        handlingMinutes: 118,
        dueToClose: 2,
        closedOnTime: 1,
        verifications: 2,
        reworks: 1,
        returns: 1,
        reassigns: 1,
        rightAccepted: 1,
        rightAcceptMinutes: 8,
        acceptedAfterRedirect: 0,
        merged: 1,
        jointVisitCases: 3,
        jointVisits: 1,
        verdicts: 4,
        satisfiedVerdicts: 3,
        closedWithVerdict: 1,
      },
      [NONE]: { reported: 1 },
      'retired-department': { returns: 1 },
    },
  );
  const zhenhua = district.zones.find((z) => z.id === 'zhenhua')!;
  const inZhenhua = geohash(ringCentre(zhenhua.boundary.coordinates[0] ?? []), 7);
  const hotspots: HotspotsReply = {
    cells: [
      { id: inZhenhua, count: 4 },
      { id: 'wtmkq00', count: 1 },
    ],
    repeatPremises: [{ id: 'P-addr-abc', count: 3 }],
  };
  const view = evaluationViewOf(district, month, hotspots);
  const value = (group: string, id: string) =>
    view.groups.find((g) => g.group === group)?.figures.find((f) => f.id === id)?.value;

  it('shows every figure of the workbook groups, named as the README names them, in the definitions’ order', () => {
    expect(view.groups.map((g) => g.group)).toEqual(['volume', 'standard', 'coordination', 'satisfaction']);
    const shown = view.groups.flatMap((g) => g.figures);
    expect(shown.map((f) => f.id)).toEqual(FIGURES.map((f) => f.id));
    expect(view.groups[1]?.figures.map((f) => f.name.zh)).toEqual([
      '按时派遣率',
      '按时处置率',
      '按期结案率',
      '返工率',
      '平均处置时长（分钟）',
    ]);
    expect(view.groups[2]?.figures.map((f) => f.name.zh)).toEqual([
      '退回次数',
      '改派次数',
      '正确部门签收平均时长（分钟）',
      '经退回或改派后签收占比',
      '合并重复上报数',
      '结案后重复投诉数',
      '联合检查覆盖案件数',
      '联合检查次数',
      '减少上门次数',
    ]);
    expect(view.groups[3]?.figures.map((f) => f.name.zh)).toEqual(['满意率', '回访率']);
    expect({ from: view.from, to: view.to }).toEqual({ from: '2026-11-01', to: '2026-11-30' });
  });

  it('carries the month’s values: rates, averages and counts as the API computed them', () => {
    expect(value('volume', 'reported')).toBe(8);
    expect(value('standard', 'onTimeDispatchRate')).toBe(0.75);
    expect(value('standard', 'onTimeHandlingRate')).toBe(0.5);
    expect(value('standard', 'onTimeClosureRate')).toBe(0.5);
    expect(value('standard', 'reworkRate')).toBe(0.5);
    expect(value('standard', 'averageHandlingMinutes')).toBe(214);
    expect(value('coordination', 'returns')).toBe(2);
    expect(value('coordination', 'reassigns')).toBe(1);
    expect(value('coordination', 'averageMinutesToRightAcceptance')).toBe(8);
    expect(value('coordination', 'duplicatesMerged')).toBe(1);
    expect(value('coordination', 'jointVisits')).toBe(1);
    expect(value('coordination', 'visitsSaved')).toBe(2);
    // 满意率 (满意+基本满意 over verdicts) and 回访率 (closed cases with a verdict over closed).
    expect(value('satisfaction', 'satisfactionRate')).toBe(0.75);
    expect(value('satisfaction', 'callbackRate')).toBe(1);
    const closure = view.groups[1]?.figures.find((f) => f.id === 'onTimeClosureRate');
    expect(closure).toMatchObject({ kind: 'rate', numerator: 1, denominator: 2 });
  });

  it('lists departments in the district’s order, then unknown ids, then cases with no department', () => {
    expect(view.departments.map((d) => d.id)).toEqual([TP, MR, 'retired-department', NONE]);
    expect(view.departments[0]?.name?.zh).toBe(district.departments.find((d) => d.id === TP)?.name.zh);
    expect(view.departments[2]?.name).toBeUndefined();
    // The table has the rates and the coordination record, not the volumes.
    const tp = view.departments[0]!;
    expect(tp.figures.map((f) => f.id)).toEqual(FIGURES.filter((f) => f.group !== 'volume').map((f) => f.id));
    expect(tp.figures.find((f) => f.id === 'onTimeHandlingRate')?.value).toBe(0);
    // Nothing due: no rate, not 0 %.
    expect(tp.figures.find((f) => f.id === 'onTimeClosureRate')?.value).toBeNull();
  });

  it('places hotspot cells at their centres, in the zone they fall in', () => {
    expect(view.cells).toHaveLength(2);
    const [first, far] = view.cells;
    expect(first).toMatchObject({ id: inZhenhua, count: 4, zone: 'zhenhua' });
    expect(geohash({ lat: first!.lat, lng: first!.lng }, 7)).toBe(inZhenhua);
    expect(far?.zone).toBeUndefined();
    expect(view.repeatPremises).toEqual([{ id: 'P-addr-abc', count: 3 }]);
  });
});

describe('reading the figures: the board’s cadence, at most every 30 s', () => {
  const serve = () => {
    const calls: string[] = [];
    let refuse: number | undefined;
    const reader: EvaluationReader = {
      async metrics(query: FiguresQuery) {
        calls.push(`metrics ${query.from}..${query.to} ${query.groupBy ?? ''}`);
        if (refuse) throw new ApiError(refuse, { status: refuse });
        return reply(query, { [MR]: { reported: calls.length } });
      },
      async hotspots(query) {
        calls.push(`hotspots ${query.from}..${query.to}`);
        if (refuse) throw new ApiError(refuse, { status: refuse });
        return { cells: [], repeatPremises: [] };
      },
    };
    return { reader, calls, refuseWith: (status: number | undefined) => (refuse = status) };
  };
  const start = Date.parse('2026-11-30T02:00:00.000Z');

  it('reads today and the month by department and the hotspots, then not again within 30 s', async () => {
    const server = serve();
    let now = start;
    const feed = createEvaluationFeed(server.reader, {
      period: (at) => ({ today: monthToDate(at, 'Asia/Shanghai').to, monthFrom: '2026-11-01' }),
      now: () => new Date(now),
    });
    expect(feed.state.kind).toBe('pending');
    const first = await feed.refresh();
    expect(server.calls).toEqual([
      'metrics 2026-11-30..2026-11-30 department',
      'metrics 2026-11-01..2026-11-30 department',
      'hotspots 2026-11-01..2026-11-30',
    ]);
    expect(first).toMatchObject({ kind: 'ready', day: '2026-11-30', readAt: '2026-11-30T02:00:00.000Z' });

    // The board polls every 2 s: the figures are not asked for again until 30 s have passed.
    for (let s = 2; s < 30; s += 2) {
      now = start + s * 1000;
      expect(await feed.refresh()).toBe(first);
    }
    expect(server.calls).toHaveLength(3);
    now = start + 30_000;
    expect(await feed.refresh()).not.toBe(first);
    expect(server.calls).toHaveLength(6);
  });

  it('reads at once after the user’s own change and when the district’s day turns', async () => {
    const server = serve();
    let now = start;
    const feed = createEvaluationFeed(server.reader, {
      period: (at) => ({ today: monthToDate(at, 'Asia/Shanghai').to, monthFrom: '2026-11-01' }),
      now: () => new Date(now),
    });
    await feed.refresh();
    now += 2_000;
    feed.invalidate();
    await feed.refresh();
    expect(server.calls).toHaveLength(6);
    now += 2_000;
    await feed.refresh();
    expect(server.calls).toHaveLength(6);

    // 16:00Z is midnight in Hangzhou: the next poll reads the new day, whatever the interval.
    now = Date.parse('2026-11-30T15:59:50.000Z');
    await feed.refresh();
    now = Date.parse('2026-11-30T16:00:01.000Z');
    const state = await feed.refresh();
    expect(state).toMatchObject({ kind: 'ready', day: '2026-12-01' });
    expect(server.calls.at(-3)).toBe('metrics 2026-12-01..2026-12-01 department');
  });

  it('reads the user’s change again once the figures have taken it (the aggregator’s lag)', async () => {
    const server = serve();
    let now = start;
    const feed = createEvaluationFeed(server.reader, {
      period: () => ({ today: '2026-11-30', monthFrom: '2026-11-01' }),
      now: () => new Date(now),
    });
    await feed.refresh();
    now += 2_000;
    feed.invalidate();
    await feed.refresh();
    expect(server.calls).toHaveLength(6);
    // Polls within the lag read nothing; the first poll after it reads the figures with the change.
    for (now += 2_000; now < start + 2_000 + EVALUATION_LAG_MS; now += 2_000) await feed.refresh();
    expect(server.calls).toHaveLength(6);
    await feed.refresh();
    expect(server.calls).toHaveLength(9);
    // Then the board's cadence again: nothing until 30 s after that read.
    const readAt = now;
    for (now += 2_000; now < readAt + 30_000; now += 2_000) await feed.refresh();
    expect(server.calls).toHaveLength(9);
  });

  it('goes quiet for a role the API refuses, and keeps the last figures through other failures', async () => {
    const server = serve();
    let now = start;
    const feed = createEvaluationFeed(server.reader, {
      period: () => ({ today: '2026-11-30', monthFrom: '2026-11-01' }),
      now: () => new Date(now),
    });
    const first = await feed.refresh();
    server.refuseWith(503);
    now += 30_000;
    await expect(feed.refresh()).rejects.toThrow(ApiError);
    expect(feed.state).toBe(first);
    // A failing API is asked again after the interval, not at every poll.
    const asked = server.calls.length;
    now += 2_000;
    expect(await feed.refresh()).toBe(first);
    expect(server.calls).toHaveLength(asked);

    server.refuseWith(403);
    now += 30_000;
    expect(await feed.refresh()).toEqual({ kind: 'forbidden' });
    const refused = server.calls.length;
    now += 60_000;
    feed.invalidate();
    expect(await feed.refresh()).toEqual({ kind: 'forbidden' });
    expect(server.calls).toHaveLength(refused);
  });
});

describe('export file names', () => {
  it('prefers the UTF-8 name of Content-Disposition, then the plain one, then the fallback', () => {
    expect(
      filenameOf(
        `attachment; filename="evaluation-sandun-2026-11.xlsx"; filename*=UTF-8''${encodeURIComponent('考评-2026-11.xlsx')}`,
        'x',
      ),
    ).toBe('考评-2026-11.xlsx');
    expect(filenameOf('attachment; filename="cases-2026-11-30.csv"', 'x')).toBe('cases-2026-11-30.csv');
    expect(filenameOf("attachment; filename*=UTF-8''%E0%A4%A", 'cases.csv')).toBe('cases.csv');
    expect(filenameOf(null, 'cases.xlsx')).toBe('cases.xlsx');
  });
});
