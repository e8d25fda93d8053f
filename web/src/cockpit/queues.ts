/** The lists an operator works from: triage, awaiting dispatch, overdue, possible duplicates. */
import type { CaseSummary } from '../../../shared/http/case-view';
import { h } from '../dom';
import { formatDateTime, formatDuration, formatNumber, type MessageKey, t, tOf } from '../i18n';
import type { DistrictNames } from '../names';
import { bestSuggestionText } from './triage-suggestions';

/** Enough rows for a big screen; the count in the heading says how many there are. */
const MAX_ROWS = 30;

const item = (c: CaseSummary, names: DistrictNames, onCase: (id: string) => void, selectedId?: string) => {
  const overdueBy = c.overdue && c.nextDueAt ? Date.now() - Date.parse(c.nextDueAt) : undefined;
  return h(
    'li',
    {},
    h(
      'button',
      {
        class: `queue-item${c.id === selectedId ? ' selected' : ''}`,
        'data-case-id': c.id,
        onclick: () => onCase(c.id),
      },
      h('span', { class: `dot priority-${c.priority}${c.overdue ? ' overdue' : ''}` }),
      h(
        'span',
        { class: 'queue-main' },
        h('span', { class: 'queue-title' }, names.category(c.category) || c.description.slice(0, 24)),
        h(
          'span',
          { class: 'queue-sub muted' },
          [names.zone(c.zone?.id), names.department(c.assignee ?? c.lead), formatDateTime(c.reportedAt)]
            .filter(Boolean)
            .join(' · '),
        ),
        bestSuggestionText(c, names) !== undefined
          ? h(
              'span',
              { class: 'queue-suggestion', 'data-testid': 'queue-suggestion' },
              bestSuggestionText(c, names),
            )
          : null,
      ),
      overdueBy !== undefined
        ? h('span', { class: 'tag overdue' }, t('fieldOverdueBy', { d: formatDuration(overdueBy) }))
        : h('span', { class: 'tag' }, tOf('status', c.status)),
    ),
  );
};

export const renderQueue = (
  host: HTMLElement,
  title: MessageKey,
  cases: CaseSummary[] | undefined,
  names: DistrictNames,
  onCase: (id: string) => void,
  selectedId?: string,
  emptyText: MessageKey = 'queueEmpty',
): void => {
  host.replaceChildren(
    h(
      'h3',
      { class: 'panel-title' },
      t(title),
      h('span', { class: 'count' }, cases === undefined ? t('placeholder') : formatNumber(cases.length)),
    ),
    cases && cases.length > 0
      ? h(
          'ul',
          { class: 'queue' },
          cases.slice(0, MAX_ROWS).map((c) => item(c, names, onCase, selectedId)),
        )
      : h('p', { class: 'muted empty' }, t(emptyText)),
  );
};
