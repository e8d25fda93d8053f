/**
 * The cockpit (数字驾驶舱): headline figures, the district map, departments, queues and the case
 * panel, refreshed every few seconds from the list API with the signed-in user's token; the period
 * figures and the evaluation panel (分析研判) from the evaluation API, at most every 30 s.
 */
import { AUTHORIZATION_MATRIX } from '../../../shared/domain/authorization';
import type { Camera } from '../../../shared/domain/camera';
import { type CaseView, createApi, type DistrictConfig } from '../api';
import { authProvider, type SignedInUser } from '../auth';
import { createBoard } from '../board';
import { byId, h } from '../dom';
import { type EvaluationView, evaluationViewOf, monthToDate, periodFiguresOf } from '../evaluation';
import { createEvaluationFeed, type EvaluationState } from '../evaluation-feed';
import {
  districtHour,
  formatClock,
  formatNumber,
  formatPercent,
  lang,
  localName,
  type MessageKey,
  setLang,
  setTimeZone,
  startOfDistrictDay,
  t,
  tOf,
} from '../i18n';
import { startPolling } from '../live';
import { type DistrictNames, districtNames, languageSwitch } from '../names';
import { loadRuntimeConfig } from '../runtime-config';
import { showFatal, signIn, signOutIfExpired } from '../signin';
import { type CockpitFigures, computeFigures, type Snapshot } from '../stats';
import { type CasePanel, createCasePanel } from './case-panel';
import { createCharts } from './charts';
import { createDistrictMap, type DistrictMap } from './district-map';
import { registerDistrictMap } from './echarts';
import { createEvaluationPanel, type EvaluationPanel } from './evaluation-panel';
import { renderQueue } from './queues';
import '../styles/base.css';
import '../styles/cockpit.css';

const COCKPIT_ROLES = ['command_centre', 'area_chief', 'department_staff'] as const;
interface Kpi {
  key: MessageKey;
  value: string;
  tone?: 'alert' | 'good' | 'muted';
  hint?: MessageKey;
  testId: string;
}

const kpisOf = (figures: CockpitFigures | undefined): Kpi[] => {
  const n = (value: number | undefined, atLeast = false) =>
    value === undefined ? t('placeholder') : `${formatNumber(value)}${atLeast ? '+' : ''}`;
  const headline = figures?.headline;
  return [
    { key: 'kpiToday', value: n(headline?.reportedToday), testId: 'kpi-today' },
    { key: 'kpiOpen', value: n(headline?.open, headline?.atLeast.open), testId: 'kpi-open' },
    {
      key: 'kpiOverdue',
      value: n(headline?.overdue),
      tone: headline && headline.overdue > 0 ? 'alert' : undefined,
      testId: 'kpi-overdue',
    },
    { key: 'kpiDispatched', value: n(headline?.withDepartments), testId: 'kpi-dispatched' },
    {
      key: 'kpiClosedToday',
      value: n(headline?.closedToday),
      tone: headline?.closedToday === undefined ? 'muted' : 'good',
      testId: 'kpi-closed',
    },
    {
      key: 'kpiOnTime',
      value: headline?.onTimeRatio === undefined ? t('placeholder') : formatPercent(headline.onTimeRatio),
      hint: 'kpiOnTimeHint',
      testId: 'kpi-ontime',
    },
    {
      key: 'kpiMerged',
      value: n(headline?.mergedToday),
      tone: headline?.mergedToday === undefined ? 'muted' : undefined,
      testId: 'kpi-merged',
    },
    {
      key: 'kpiJoint',
      value: n(headline?.jointVisits),
      tone: headline?.jointVisits === undefined ? 'muted' : undefined,
      testId: 'kpi-joint',
    },
  ];
};

const renderKpis = (host: HTMLElement, figures: CockpitFigures | undefined) => {
  host.replaceChildren(
    ...kpisOf(figures).map((kpi) =>
      h(
        'div',
        {
          class: `kpi${kpi.tone ? ` ${kpi.tone}` : ''}`,
          'data-testid': kpi.testId,
          title: kpi.hint ? t(kpi.hint) : undefined,
        },
        h('div', { class: 'kpi-value' }, kpi.value),
        h('div', { class: 'kpi-label' }, t(kpi.key)),
      ),
    ),
  );
};

const renderDepartments = (host: HTMLElement, figures: CockpitFigures | undefined) => {
  const rows = figures?.departments ?? [];
  host.replaceChildren(
    h(
      'table',
      { class: 'dept-table', 'data-testid': 'dept-table' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', {}, t('deptName')),
          h('th', {}, t('deptOpen')),
          h('th', {}, t('deptOverdue')),
          h('th', { title: t('deptTodayHint') }, t('deptReturned')),
          h('th', { title: t('deptTodayHint') }, t('deptOnTime')),
        ),
      ),
      h(
        'tbody',
        {},
        rows.map((r) =>
          h(
            'tr',
            {},
            h('td', {}, localName(r.name)),
            h('td', { class: 'num' }, formatNumber(r.open)),
            h('td', { class: `num${r.overdue > 0 ? ' alert' : ''}` }, formatNumber(r.overdue)),
            h(
              'td',
              { class: `num${(r.returned ?? 0) > 0 ? ' warn' : ''}` },
              r.returned === undefined ? t('placeholder') : formatNumber(r.returned),
            ),
            h(
              'td',
              { class: 'num' },
              r.onTimeRatio === undefined ? t('placeholder') : formatPercent(r.onTimeRatio),
            ),
          ),
        ),
      ),
    ),
  );
};

const panelBox = (title: MessageKey | undefined, content: HTMLElement, extraClass = '') =>
  h(
    'section',
    { class: `box ${extraClass}` },
    title ? h('h3', { class: 'panel-title' }, t(title)) : null,
    content,
  );

interface Shell {
  clock: HTMLElement;
  status: HTMLElement;
  kpis: HTMLElement;
  map: HTMLElement;
  legend: HTMLElement;
  departments: HTMLElement;
  deptChart: HTMLElement;
  statusChart: HTMLElement;
  hourChart: HTMLElement;
  triage: HTMLElement;
  dispatch: HTMLElement;
  overdue: HTMLElement;
  duplicates: HTMLElement;
  panel: HTMLElement;
  evaluation: EvaluationPanel;
}

const buildShell = (
  root: HTMLElement,
  user: SignedInUser,
  names: DistrictNames,
  evaluation: EvaluationPanel,
  onLanguage: () => void,
  onSignOut: () => void,
): Shell => {
  const el = (cls: string, testId?: string) => h('div', { class: cls, 'data-testid': testId });
  const shell: Shell = {
    clock: el('clock'),
    status: el('live-status', 'live-status'),
    kpis: el('kpis', 'kpis'),
    map: el('map', 'district-map'),
    legend: el('legend'),
    departments: el('dept'),
    deptChart: el('chart'),
    statusChart: el('chart'),
    hourChart: el('chart'),
    triage: el('queue-box', 'queue-triage'),
    dispatch: el('queue-box', 'queue-dispatch'),
    overdue: el('queue-box', 'queue-overdue'),
    duplicates: el('queue-box', 'queue-duplicates'),
    panel: h('aside', { class: 'case-panel', 'data-testid': 'case-panel', hidden: true }),
    evaluation,
  };
  const who = [tOf('role', user.role), names.zone(user.zone), user.name].filter(Boolean).join(' · ');
  shell.legend.replaceChildren(
    ...(
      [
        ['urgent', 'legendUrgent'],
        ['high', 'legendHigh'],
        ['normal', 'legendNormal'],
        ['low', 'legendLow'],
        ['overdue', 'legendOverdue'],
      ] as const
    ).map(([kind, key]) =>
      h('span', { class: 'legend-item' }, h('span', { class: `dot priority-${kind}` }), t(key)),
    ),
    h('span', { class: 'legend-item' }, h('span', { class: 'hotspot-mark' }), t('legendHotspot')),
  );
  root.replaceChildren(
    h(
      'div',
      { class: 'cockpit' },
      h(
        'header',
        { class: 'top' },
        h('div', { class: 'top-left' }, shell.clock, shell.status),
        h('h1', { class: 'title' }, `${names.district()} · ${t('appTitle')}`),
        h(
          'div',
          { class: 'top-right' },
          h('span', { class: 'who', 'data-testid': 'who' }, who),
          languageSwitch(onLanguage),
          h('button', { class: 'btn ghost', onclick: onSignOut }, t('signOut')),
        ),
      ),
      shell.kpis,
      h(
        'div',
        { class: 'grid' },
        h(
          'div',
          { class: 'col left' },
          panelBox('deptTitle', shell.departments, 'dept-box'),
          panelBox('deptChartTitle', shell.deptChart, 'chart-box'),
          panelBox('statusChartTitle', shell.statusChart, 'chart-box'),
        ),
        h(
          'div',
          { class: 'col centre' },
          h(
            'section',
            { class: 'box map-box' },
            h('h3', { class: 'panel-title' }, t('mapTitle'), shell.legend),
            shell.map,
          ),
          panelBox('hourlyChartTitle', shell.hourChart, 'chart-box hours'),
        ),
        h('div', { class: 'col right' }, shell.triage, shell.dispatch, shell.overdue, shell.duplicates),
        shell.panel,
      ),
    ),
    // Below the live screen: the month's evaluation, for reading rather than watching.
    evaluation.element,
  );
  return shell;
};

const main = async () => {
  const root = byId('app');
  setLang(lang());
  const config = await loadRuntimeConfig();
  const auth = authProvider(config);
  const user = await signIn(root, auth, COCKPIT_ROLES, undefined, t('appTitle'));
  const api = createApi(config.apiBaseUrl, () => auth.current()?.token);

  let district: DistrictConfig;
  try {
    district = await api.district();
  } catch (error) {
    signOutIfExpired(auth, error);
    throw error;
  }
  setTimeZone(district.timezone);
  const names = districtNames(district);
  const mapName = registerDistrictMap(district);

  const board = createBoard(api, { dayStart: startOfDistrictDay });
  const evaluationFeed = createEvaluationFeed(api, {
    period: (now) => {
      const month = monthToDate(now, district.timezone);
      return { today: month.to, monthFrom: month.from };
    },
  });
  // The API scopes the figures by role and refuses roles without the grant (403, which the feed
  // also takes as "hide"); a role the matrix already refuses isn't asked at all.
  const mayReadEvaluation = AUTHORIZATION_MATRIX[user.role]?.evaluation !== undefined;
  let metricsState: EvaluationState = mayReadEvaluation ? evaluationFeed.state : { kind: 'forbidden' };
  /** The evaluation panel's content, worked out again only when the figures were read again. */
  let evaluationView: { of: EvaluationState; view: EvaluationView } | undefined;
  let snapshot: Snapshot | undefined;
  let figures: CockpitFigures | undefined;
  let lastUpdate: number | undefined;
  let failing = false;
  let shell: Shell;
  let panel: CasePanel;
  let map: DistrictMap | undefined;
  let hotspotsShown: EvaluationView | undefined;
  let charts: ReturnType<typeof createCharts> | undefined;
  let poller: ReturnType<typeof startPolling> | undefined;

  const openCase = (id: string) => void panel.open(id);

  /**
   * What the screen shows depends on, in short: the cases (their newest change and how many are
   * open and overdue, since overdue flips without a change), the figures read, the open case, and
   * the minute (the queues say how long a case has been overdue, to the minute).
   */
  const metricsReads = new WeakMap<EvaluationState, number>();
  let reads = 0;
  let lastLook = '';
  const lookOf = (next: Snapshot, state: EvaluationState, selected: CaseView | undefined): string => {
    if (!metricsReads.has(state)) metricsReads.set(state, ++reads);
    let newest = '';
    let overdue = 0;
    for (const c of next.open) {
      if (c.updatedAt > newest) newest = c.updatedAt;
      if (c.overdue) overdue++;
    }
    for (const list of [next.reportedToday, next.recentlyClosed])
      for (const c of list) if (c.updatedAt > newest) newest = c.updatedAt;
    return [
      next.dayStart,
      newest,
      next.open.length,
      next.reportedToday.length,
      next.recentlyClosed.length,
      overdue,
      metricsReads.get(state),
      selected ? `${selected.id}@${selected.version}` : '',
      Math.floor(Date.now() / 60_000),
    ].join('|');
  };

  // The camera layer: the registry in the user's scope (if any), plus the open case's nearby ones.
  let cameraRegistry: Camera[] = [];
  let nearbyCameras: Camera[] = [];
  let chosenCamera: string | undefined;
  const showCameras = () => map?.showCameras(cameraRegistry, nearbyCameras, chosenCamera);
  if (AUTHORIZATION_MATRIX[user.role]?.cameras) {
    api
      .cameras()
      .then((found) => {
        cameraRegistry = found.items;
        showCameras();
      })
      .catch((error: unknown) => console.warn('cameras failed', error));
  }

  const renderAll = () => {
    renderKpis(shell.kpis, figures);
    renderDepartments(shell.departments, figures);
    const selected = panel.current();
    const selectedId = selected?.id;
    renderQueue(shell.triage, 'queueTriage', figures?.triage, names, openCase, selectedId);
    renderQueue(shell.dispatch, 'queueDispatch', figures?.awaitingDispatch, names, openCase, selectedId);
    renderQueue(shell.overdue, 'queueOverdue', figures?.overdue, names, openCase, selectedId);
    renderQueue(
      shell.duplicates,
      'queueDuplicates',
      figures?.possibleDuplicates,
      names,
      openCase,
      selectedId,
      figures?.possibleDuplicates ? 'queueEmpty' : 'queueDuplicatesPending',
    );
    if (figures && snapshot && map && charts) {
      map.update(snapshot.open, figures.openByZone, selected);
      charts.update(figures.departments, figures.openByStatus, figures.reportsByHour);
    }
    renderEvaluation();
  };

  const renderEvaluation = () => {
    if (metricsState.kind !== 'ready') {
      // Pending: nothing to show yet; forbidden: the API doesn't give this role the figures.
      shell.evaluation.show(undefined);
      return;
    }
    if (evaluationView?.of !== metricsState) {
      evaluationView = {
        of: metricsState,
        view: evaluationViewOf(district, metricsState.month, metricsState.hotspots),
      };
    }
    const { view } = evaluationView;
    shell.evaluation.show(view, metricsState.readAt);
    if (map && hotspotsShown !== view) {
      map.showHotspots(view.cells);
      hotspotsShown = view;
    }
  };

  const renderStatus = () => {
    shell.clock.textContent = formatClock(new Date());
    if (failing) {
      shell.status.textContent = t('offline');
      shell.status.className = 'live-status offline';
    } else if (lastUpdate !== undefined) {
      shell.status.textContent = `● ${t('live')} · ${t('updatedAgo', { s: Math.round((Date.now() - lastUpdate) / 1000) })}`;
      shell.status.className = 'live-status ok';
    } else shell.status.textContent = t('loading');
  };

  const mount = () => {
    map?.dispose();
    charts?.dispose();
    hotspotsShown = undefined;
    shell = buildShell(
      root,
      user,
      names,
      createEvaluationPanel(api, names),
      () => {
        const current = panel.current();
        mount();
        if (current) void panel.open(current.id);
      },
      () => {
        poller?.stop();
        void auth.leave();
      },
    );
    panel = createCasePanel({
      element: shell.panel,
      api,
      user,
      district,
      names,
      mapName,
      onChanged: (_c: CaseView | undefined, changed: boolean) => {
        if (changed) {
          // The user's own change: read the figures again now, so what they did is counted on screen.
          evaluationFeed.invalidate();
          poller?.now();
        } else renderAll();
      },
      onCameras: (nearby, chosen) => {
        nearbyCameras = nearby;
        chosenCamera = chosen;
        showCameras();
      },
    });
    const { basemap } = district;
    if (basemap) {
      // Leaflet and the tile layer load only for a district with a base map (first-load budget).
      void import('./tile-map').then(({ createTileMap }) => {
        map = createTileMap(shell.map, district, basemap, names, openCase);
        showCameras();
        renderAll();
      });
    } else {
      map = createDistrictMap(shell.map, mapName, district, names, openCase);
      if (!shell.map.querySelector('.map-note'))
        shell.map.append(h('div', { class: 'map-note', 'data-testid': 'no-basemap' }, t('basemapMissing')));
    }
    showCameras();
    charts = createCharts({
      departments: shell.deptChart,
      statuses: shell.statusChart,
      hours: shell.hourChart,
    });
    renderAll();
    renderStatus();
  };

  mount();
  setInterval(renderStatus, 1_000);

  /** Shows a picture of the board, unless it is the one on screen (most looks find nothing new). */
  const show = (next: Snapshot) => {
    const look = lookOf(next, metricsState, panel.current());
    if (look === lastLook && figures) return;
    snapshot = next;
    figures = computeFigures(
      district,
      snapshot,
      districtHour,
      metricsState.kind === 'ready' ? periodFiguresOf(metricsState.today) : undefined,
    );
    renderAll();
    lastLook = look;
  };

  /**
   * The evaluation figures are read beside the board, not before it: the map and the queues don't
   * wait for three aggregate queries (the first screen least of all); the figures join when read.
   */
  let metricsReading = false;
  const readMetrics = () => {
    if (metricsReading) return;
    metricsReading = true;
    void evaluationFeed
      .refresh()
      .then((next) => {
        if (next === metricsState) return;
        metricsState = next;
        if (snapshot) show(snapshot);
      })
      .catch((error: unknown) => {
        if (signOutIfExpired(auth, error)) return;
        // Any other failure keeps the figures last read, and the live screen carries on.
        console.warn('metrics failed', error);
      })
      .finally(() => {
        metricsReading = false;
      });
  };

  poller = startPolling(
    async () => {
      const started = performance.now();
      if (mayReadEvaluation) readMetrics();
      const next = await board.refresh();
      await panel.refresh();
      show(next);
      document.body.dataset.updatedAt = next.at;
      // For the benchmark and anyone debugging a slow screen: what the last refresh read and cost.
      document.body.dataset.refresh = `${board.last.kind}:${board.last.read}:${Math.round(performance.now() - started)}`;
    },
    config.refreshMs,
    (error) => {
      if (signOutIfExpired(auth, error)) return;
      failing = error !== undefined;
      if (!failing) lastUpdate = Date.now();
      if (error) console.warn('refresh failed', error);
      renderStatus();
    },
  );
};

main().catch(showFatal);
