/**
 * What waits on the phone, shown where the user works: each report, photo and command not yet
 * sent, whether it waits for the network or needs the user (a conflict, a refusal), and the
 * buttons to resolve it. Hidden while nothing waits.
 */
import { h } from '../dom';
import { formatDateTime, t, tOf } from '../i18n';
import type { Outbox, OutboxEntry } from './outbox';

export interface OutboxPanel {
  element: HTMLElement;
  show(entries: OutboxEntry[]): void;
}

const kindText = (entry: OutboxEntry) =>
  entry.item.kind === 'report'
    ? t('outboxReport')
    : entry.item.kind === 'photo'
      ? t('outboxPhoto')
      : tOf('command', entry.item.command);

const stateText = (entry: OutboxEntry, online: boolean) =>
  entry.state === 'conflict'
    ? t('outboxConflict')
    : entry.state === 'failed'
      ? t('outboxFailed')
      : online
        ? t('outboxSending')
        : t('outboxWaiting');

export const outboxPanel = (outbox: Outbox, openCase?: (id: string) => void): OutboxPanel => {
  const element = h('section', { class: 'outbox', 'data-testid': 'outbox', hidden: true });

  const row = (entry: OutboxEntry) => {
    const seq = entry.seq ?? 0;
    const caseId = entry.item.kind === 'command' ? entry.item.caseId : undefined;
    return h(
      'li',
      { class: `outbox-entry ${entry.state}`, 'data-state': entry.state, 'data-kind': entry.item.kind },
      h(
        'div',
        { class: 'outbox-line' },
        h('strong', {}, kindText(entry)),
        h('span', { class: `tag outbox-${entry.state}` }, stateText(entry, navigator.onLine)),
      ),
      h('div', { class: 'muted outbox-label' }, `${entry.label} · ${formatDateTime(entry.createdAt)}`),
      entry.problem ? h('div', { class: 'reason', 'data-testid': 'outbox-problem' }, entry.problem) : null,
      entry.state === 'waiting'
        ? null
        : h(
            'div',
            { class: 'outbox-buttons' },
            h(
              'button',
              {
                class: 'btn small primary',
                type: 'button',
                'data-testid': 'outbox-retry',
                onclick: () => void outbox.retry(seq),
              },
              entry.state === 'conflict' ? t('outboxApplyAgain') : t('outboxRetry'),
            ),
            caseId && openCase
              ? h(
                  'button',
                  { class: 'btn small ghost', type: 'button', onclick: () => openCase(caseId) },
                  t('outboxOpenCase'),
                )
              : null,
            h(
              'button',
              {
                class: 'btn small ghost',
                type: 'button',
                'data-testid': 'outbox-discard',
                onclick: () => void outbox.discard(seq),
              },
              t('outboxDiscard'),
            ),
          ),
    );
  };

  return {
    element,
    show(entries) {
      element.hidden = entries.length === 0;
      element.dataset.waiting = String(entries.filter((e) => e.state === 'waiting').length);
      element.dataset.count = String(entries.length);
      element.replaceChildren(
        h(
          'h3',
          {},
          t('outboxTitle'),
          h('span', { class: 'count', 'data-testid': 'outbox-count' }, String(entries.length)),
        ),
        h('p', { class: 'muted' }, navigator.onLine ? t('outboxOnlineHint') : t('outboxOfflineHint')),
        h('ul', { class: 'outbox-list' }, entries.map(row)),
      );
    },
  };
};
