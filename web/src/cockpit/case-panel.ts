/**
 * The case panel: details, position on the district map, reporters (as masked by the API),
 * photos, the actions the user's role allows, and the timeline. It follows the live refresh
 * without disturbing a form the user is filling in.
 */
import type { DistrictConfig } from '../../../shared/district/schema';
import type { Camera } from '../../../shared/domain/camera';
import { type Api, ApiError, type CaseView } from '../api';
import { renderActions } from '../case-actions';
import { fill, h } from '../dom';
import { formatDateTime, formatDuration, t, tOf } from '../i18n';
import type { DistrictNames } from '../names';
import { renderTimeline } from '../timeline';
import type { SignedInUser } from '../user';
import { cameraSeries, createCameraSection } from './cameras';
import { createPhotoGallery } from './case-photos';
import { FONT_FAMILY, initChart, THEME } from './echarts';
import { renderSuggestions } from './triage-suggestions';

export interface CasePanel {
  open(id: string): Promise<void>;
  close(): void;
  /** Reloads the open case (live refresh). */
  refresh(): Promise<void>;
  current(): CaseView | undefined;
  rerender(): void;
}

interface PanelOptions {
  element: HTMLElement;
  api: Api;
  user: SignedInUser;
  district: DistrictConfig;
  names: DistrictNames;
  mapName: string;
  /** After the panel opened, changed (a command: `changed` true) or closed (undefined) a case. */
  onChanged: (c: CaseView | undefined, changed: boolean) => void;
  /** After the nearby cameras loaded or another one was chosen (the district map shows them). */
  onCameras?: (nearby: Camera[], chosen: string | undefined) => void;
}

/** Reports merged in by the dedup work (optional until that lands in the API). */
interface LinkedReportView {
  caseId: string;
  source: string;
  reportedAt: string;
  reporter?: { name?: string; phone?: string };
}

const badge = (text: string, kind: string) => h('span', { class: `badge ${kind}` }, text);

const row = (label: string, value: string | Node | undefined) =>
  value === undefined || value === '' ? null : [h('dt', {}, label), h('dd', {}, value)];

export const createCasePanel = (options: PanelOptions): CasePanel => {
  const { element, api, user, district, names } = options;
  let shown: CaseView | undefined;
  let renderedVersion = -1;
  const notice = h('div', { class: 'panel-notice', role: 'status', 'data-testid': 'panel-notice' });
  const mapElement = h('div', { class: 'panel-map' });
  let miniMap: ReturnType<typeof initChart> | undefined;
  const cameras = createCameraSection({
    api,
    onChange: () => {
      if (shown) drawMiniMap(shown);
      options.onCameras?.(cameras.nearby(), cameras.playing());
    },
  });

  const photos = createPhotoGallery(api);

  const notify = (text: string, isError = false) => {
    notice.textContent = text;
    notice.className = isError ? 'panel-notice error' : 'panel-notice ok';
  };

  const drawMiniMap = (c: CaseView) => {
    if (!mapElement.isConnected) return;
    miniMap ??= initChart(mapElement);
    miniMap.setOption({
      textStyle: { fontFamily: FONT_FAMILY },
      geo: {
        map: options.mapName,
        roam: false,
        layoutCenter: ['50%', '50%'],
        layoutSize: '95%',
        itemStyle: { areaColor: THEME.zoneFill, borderColor: THEME.zoneBorder },
        regions: c.zone ? [{ name: c.zone.id, itemStyle: { areaColor: 'rgba(34, 211, 238, 0.35)' } }] : [],
        label: { show: false },
        emphasis: { disabled: true },
        silent: true,
      },
      series: [
        {
          type: 'effectScatter',
          coordinateSystem: 'geo',
          symbolSize: 10,
          itemStyle: { color: c.overdue ? THEME.overdue : THEME.priority[c.priority] },
          data: [[c.location.lng, c.location.lat]],
        },
        cameraSeries([], cameras.nearby(), cameras.playing(), 0),
      ],
    });
  };

  const render = (c: CaseView) => {
    const formOpen = element.querySelector('.action-form') !== null;
    // A refresh that changed nothing must not close the form the user is typing in.
    if (formOpen && c.version === renderedVersion) return;
    renderedVersion = c.version;
    const linked = ((c as { linkedReports?: LinkedReportView[] }).linkedReports ?? []).filter(Boolean);
    const due = c.nextDueAt ? Date.parse(c.nextDueAt) - Date.now() : undefined;
    const dueText =
      c.nextDueAt === undefined
        ? undefined
        : `${formatDateTime(c.nextDueAt)}（${due !== undefined && due < 0 ? t('fieldOverdueBy', { d: formatDuration(-due) }) : t('fieldDueIn', { d: formatDuration(due ?? 0) })}）`;

    fill(
      element,
      h(
        'header',
        { class: 'panel-head' },
        h(
          'div',
          {},
          h('h2', {}, names.category(c.category) || t('caseTriage')),
          h(
            'div',
            { class: 'badges' },
            badge(tOf('status', c.status), `status status-${c.status}`),
            badge(tOf('priority', c.priority), `priority priority-${c.priority}`),
            c.overdue ? badge(t('caseOverdue'), 'overdue') : null,
            c.triage ? badge(t('caseTriage'), 'triage') : null,
          ),
          h('div', { class: 'case-id muted' }, c.id, ` · ${t('caseVersion')} ${c.version}`),
        ),
        h(
          'button',
          { class: 'btn ghost close', 'aria-label': t('panelClose'), onclick: () => panel.close() },
          '✕',
        ),
      ),
      notice,
      h('p', { class: 'description', 'data-testid': 'case-description' }, c.description),
      h(
        'section',
        { class: 'panel-grid' },
        h(
          'dl',
          { class: 'details' },
          row(t('caseSource'), tOf('source', c.source)),
          row(t('caseReportedAt'), formatDateTime(c.reportedAt)),
          row(t('caseZone'), c.zone ? names.zone(c.zone.id) : undefined),
          row(t('caseAreaChief'), c.areaChief ? `${c.areaChief.name}（${c.areaChief.title}）` : undefined),
          row(t('caseLead'), names.department(c.lead)),
          row(t('caseCooperating'), c.cooperating.map((d) => names.department(d)).join('、')),
          row(t('caseAssignee'), names.department(c.assignee)),
          row(t('caseDue'), dueText),
          row(t('caseAddress'), c.location.address),
          row(
            t('caseRepeatOf'),
            c.repeatOf
              ? t('caseRepeatOfText', { id: c.repeatOf.caseId, at: formatDateTime(c.repeatOf.at) })
              : undefined,
          ),
          row(
            t('caseRepeatedBy'),
            c.repeatedBy?.length
              ? c.repeatedBy.map((r) => `${r.caseId}（${formatDateTime(r.at)}）`).join('、')
              : undefined,
          ),
          row(
            t('caseReporter'),
            c.reporter?.name || c.reporter?.phone
              ? [c.reporter.name, c.reporter.phone].filter(Boolean).join(' ') +
                  (c.personalDataMasked ? `（${t('caseMasked')}）` : '')
              : undefined,
          ),
        ),
        h('div', { class: 'panel-map-box' }, h('h3', {}, t('casePosition')), mapElement),
      ),
      linked.length > 0
        ? h(
            'section',
            { class: 'linked' },
            linked.map((r) =>
              h(
                'div',
                { class: 'linked-report muted' },
                `${tOf('source', r.source)} · ${formatDateTime(r.reportedAt)} · ${[r.reporter?.name, r.reporter?.phone].filter(Boolean).join(' ')}`,
              ),
            ),
          )
        : null,
      h('div', { class: 'muted counters' }, t('caseCounters', { ...c.counters })),
      cameras.element,
      photos.element,
      renderSuggestions(c, {
        api,
        user,
        district,
        names,
        notify,
        onChanged: (next) => {
          shown = next;
          renderedVersion = -1;
          render(next);
          options.onChanged(next, true);
        },
      }),
      h(
        'section',
        { class: 'panel-actions', 'data-testid': 'case-actions' },
        h('h3', {}, t('caseActions')),
        renderActions(c, {
          api,
          user,
          district,
          notify,
          onChanged: (next) => {
            shown = next;
            renderedVersion = -1;
            render(next);
            options.onChanged(next, true);
          },
        }),
      ),
      h(
        'section',
        { class: 'panel-timeline' },
        h('h3', {}, t('caseTimeline')),
        renderTimeline(c.timeline, names),
      ),
    );
    drawMiniMap(c);
    cameras.show(c);
    photos.show(c);
  };

  const panel: CasePanel = {
    async open(id) {
      element.hidden = false;
      element.classList.add('open');
      if (shown?.id !== id) {
        notice.textContent = '';
        renderedVersion = -1;
        miniMap?.dispose();
        miniMap = undefined;
        element.replaceChildren(h('p', { class: 'muted' }, t('loading')));
      }
      try {
        shown = await api.get(id);
        render(shown);
        options.onChanged(shown, false);
      } catch (error) {
        element.replaceChildren(
          h('p', { class: 'error' }, t('failed', { detail: (error as Error).message })),
          h('button', { class: 'btn ghost', onclick: () => panel.close() }, t('panelClose')),
        );
      }
    },
    close() {
      cameras.stop();
      photos.reset();
      options.onCameras?.([], undefined);
      shown = undefined;
      renderedVersion = -1;
      element.classList.remove('open');
      element.hidden = true;
      element.replaceChildren();
      miniMap?.dispose();
      miniMap = undefined;
      options.onChanged(undefined, false);
    },
    async refresh() {
      if (!shown) return;
      try {
        const next = await api.get(shown.id);
        if (shown && next.id === shown.id && next.version !== shown.version) {
          shown = next;
          render(next);
        }
      } catch (error) {
        if (error instanceof ApiError && error.status === 404) panel.close();
      }
    },
    current: () => shown,
    rerender() {
      if (!shown) return;
      photos.reset();
      renderedVersion = -1;
      render(shown);
    },
  };
  return panel;
};
