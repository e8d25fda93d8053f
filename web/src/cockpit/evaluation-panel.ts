/**
 * 分析研判 on the cockpit: this month's figures from the evaluation API — volumes, the standard
 * rates, the coordination record — in total and by department, the hotspots, and the exports
 * (case list as CSV/Excel, the monthly workbook). Only what the API returns for the user's role is
 * shown; a role it refuses gets no panel at all.
 */
import type { Api, ExportJob, ExportJobRequest } from '../api';
import { h } from '../dom';
import { saveDownload } from '../download';
import type { EvaluationView, FigureCell } from '../evaluation';
import { followExport } from '../export-job';
import { formatDateTime, formatNumber, formatPercent, localName, type MessageKey, t } from '../i18n';
import type { DistrictNames } from '../names';

/** A figure's value as text: rates as percentages, averages with their decimal, "—" for no value. */
export const formatFigure = (cell: Pick<FigureCell, 'kind' | 'value'>): string => {
  if (cell.value === null) return t('placeholder');
  return cell.kind === 'rate' ? formatPercent(cell.value) : formatNumber(cell.value);
};

/** The definition and the fraction behind a value, for the tooltip. */
const explain = (cell: FigureCell): string =>
  [
    localName(cell.rule),
    cell.denominator === undefined
      ? undefined
      : `${formatNumber(cell.numerator)} / ${formatNumber(cell.denominator)}`,
  ]
    .filter(Boolean)
    .join('\n');

export interface EvaluationPanel {
  element: HTMLElement;
  /** Shows the month's figures (when they changed); `undefined` hides the panel. */
  show(view: EvaluationView | undefined, readAt?: string): void;
}

/**
 * Every export is a job (POST /v1/exports): the button starts it, the status line follows its
 * progress, and the file is offered (and saved) when it is ready, however many rows it has.
 */
const EXPORTS: { key: MessageKey; testId: string; request: (month: string) => ExportJobRequest }[] = [
  { key: 'evalExportCsv', testId: 'export-csv', request: () => ({ kind: 'cases', format: 'csv' }) },
  { key: 'evalExportXlsx', testId: 'export-xlsx', request: () => ({ kind: 'cases', format: 'xlsx' }) },
  {
    key: 'evalExportMonthly',
    testId: 'export-evaluation',
    request: (month) => ({ kind: 'evaluation', month }),
  },
];

export const createEvaluationPanel = (
  api: Pick<Api, 'startExport' | 'exportJob'>,
  names: DistrictNames,
): EvaluationPanel => {
  const period = h('span', { class: 'eval-period muted', 'data-testid': 'eval-period' });
  const updated = h('span', { class: 'eval-updated muted' });
  const status = h('span', { class: 'eval-export-status', 'data-testid': 'eval-export-status' });
  const body = h('div', { class: 'eval-body', 'data-testid': 'eval-body' });
  let month = '';
  let shown: EvaluationView | undefined;

  const progressOf = (job: ExportJob) =>
    h('progress', {
      class: 'eval-export-progress',
      'data-testid': 'eval-export-progress',
      max: '1',
      value: String(job.progress),
    });

  const showProgress = (job: ExportJob) => {
    status.className = 'eval-export-status muted';
    status.dataset.status = job.status;
    const text =
      job.status === 'queued'
        ? t('evalExportQueued')
        : job.phase === 'writing'
          ? t('evalExportWriting', { rows: formatNumber(job.rows) })
          : t('evalExportReading', { rows: formatNumber(job.rows) });
    status.replaceChildren(progressOf(job), h('span', {}, text));
  };

  /** The file on offer: saved at once, and a link to save it again (with a fresh signed URL). */
  const offer = (job: ExportJob) => {
    status.className = 'eval-export-status ok';
    status.dataset.status = 'done';
    const again: HTMLAnchorElement = h(
      'a',
      {
        href: job.download?.url ?? '#',
        class: 'eval-export-link',
        'data-testid': 'eval-export-link',
        onclick: (event: Event) => {
          event.preventDefault();
          void api.exportJob(job.id).then((fresh) => {
            if (fresh.download) saveDownload({ kind: 'link', url: fresh.download.url, rows: fresh.rows });
          });
        },
      },
      t('evalExportSaveAgain'),
    );
    const rows = job.kind === 'cases' ? t('evalExportRows', { rows: formatNumber(job.rows) }) : '';
    status.replaceChildren(h('span', {}, t('evalExported', { name: job.filename }), rows), again);
    if (job.download) saveDownload({ kind: 'link', url: job.download.url, rows: job.rows });
  };

  const exportFile = async (button: HTMLButtonElement, request: ExportJobRequest) => {
    button.disabled = true;
    status.className = 'eval-export-status muted';
    status.dataset.status = 'starting';
    status.textContent = t('evalExporting');
    try {
      offer(await followExport(api, request, { onProgress: showProgress }));
    } catch (error) {
      status.className = 'eval-export-status error';
      status.dataset.status = 'failed';
      status.textContent = t('evalExportFailed', { detail: (error as Error).message });
    } finally {
      button.disabled = false;
    }
  };

  const exportButtons = EXPORTS.map((e) => {
    const button: HTMLButtonElement = h(
      'button',
      {
        class: 'btn ghost',
        'data-testid': e.testId,
        onclick: () => void exportFile(button, e.request(month)),
      },
      t(e.key),
    );
    return button;
  });

  const element = h(
    'section',
    { class: 'box evaluation', 'data-testid': 'evaluation', hidden: true },
    h(
      'h3',
      { class: 'panel-title' },
      t('evalTitle'),
      period,
      updated,
      h('span', { class: 'eval-exports' }, status, ...exportButtons),
    ),
    body,
  );

  const figureCard = (cell: FigureCell) =>
    h(
      'div',
      {
        class: 'eval-figure',
        'data-testid': `eval-figure-${cell.id}`,
        'data-value': cell.value === null ? '' : String(cell.value),
        title: explain(cell),
      },
      h('div', { class: 'eval-value' }, formatFigure(cell)),
      h('div', { class: 'eval-label' }, localName(cell.name)),
    );

  const departmentTable = (view: EvaluationView) => {
    const columns = view.departments[0]?.figures ?? [];
    return h(
      'table',
      { class: 'dept-table eval-table', 'data-testid': 'eval-departments' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', {}, t('evalDepartment')),
          columns.map((c) => h('th', { title: localName(c.rule) }, localName(c.name))),
        ),
      ),
      h(
        'tbody',
        {},
        view.departments.map((d) =>
          h(
            'tr',
            { 'data-department': d.id },
            h('td', {}, d.name ? localName(d.name) : d.id === '-' ? t('evalNoDepartment') : d.id),
            d.figures.map((c) =>
              h('td', { class: 'num', 'data-figure': c.id, title: explain(c) }, formatFigure(c)),
            ),
          ),
        ),
      ),
    );
  };

  const hotspotLists = (view: EvaluationView) =>
    h(
      'div',
      { class: 'eval-hotspots' },
      h('h4', {}, t('evalHotspots')),
      view.cells.length > 0
        ? h(
            'ol',
            { class: 'eval-list', 'data-testid': 'eval-cells' },
            view.cells.slice(0, 10).map((c) =>
              h(
                'li',
                { 'data-cell': c.id },
                h(
                  'span',
                  {},
                  t('evalCellItem', {
                    zone: c.zone ? names.zone(c.zone) : t('evalOutsideZones'),
                    cell: c.id,
                  }),
                ),
                h('span', { class: 'eval-count' }, t('evalReports', { n: formatNumber(c.count) })),
              ),
            ),
          )
        : h('p', { class: 'muted' }, t('evalNone')),
      h('h4', {}, t('evalRepeatPremises')),
      view.repeatPremises.length > 0
        ? h(
            'ol',
            { class: 'eval-list', 'data-testid': 'eval-premises' },
            view.repeatPremises
              .slice(0, 10)
              .map((p) =>
                h(
                  'li',
                  { 'data-premises': p.id },
                  h('span', { class: 'mono' }, p.id),
                  h('span', { class: 'eval-count' }, t('evalCases', { n: formatNumber(p.count) })),
                ),
              ),
          )
        : h('p', { class: 'muted' }, t('evalNone')),
    );

  return {
    element,
    show(view, readAt) {
      element.hidden = view === undefined;
      if (readAt) updated.textContent = t('evalUpdated', { time: formatDateTime(readAt) });
      if (view === shown) return;
      shown = view;
      if (!view) {
        body.replaceChildren();
        return;
      }
      month = view.to.slice(0, 7);
      period.textContent = t('evalPeriod', { from: view.from, to: view.to });
      body.replaceChildren(
        h(
          'div',
          { class: 'eval-groups' },
          view.groups.map((g) =>
            h(
              'div',
              { class: 'eval-group', 'data-group': g.group },
              h('h4', {}, t(`evalGroup.${g.group}` as MessageKey)),
              h('div', { class: 'eval-figures' }, g.figures.map(figureCard)),
            ),
          ),
        ),
        hotspotLists(view),
        h('div', { class: 'eval-departments' }, h('h4', {}, t('evalByDepartment')), departmentTable(view)),
      );
    },
  };
};
