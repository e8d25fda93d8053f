/**
 * The triage classifier's suggestions on the case panel: each category with its score and the
 * department that would lead, and — for a report waiting in triage, to a user who may dispatch —
 * one click to confirm the best one or pick another, which dispatches the case with that category
 * (the API records the confirmation or correction as a labelled example).
 */

import type { DistrictConfig } from '../../../shared/district/schema';
import type { CategorySuggestion } from '../../../shared/domain/case';
import { type Api, ApiError, type CaseView } from '../api';
import { categoryPicker } from '../category-picker';
import { h } from '../dom';
import { formatPercent, t } from '../i18n';
import type { DistrictNames } from '../names';
import { availableCommands } from '../permissions';
import type { SignedInUser } from '../user';

export interface SuggestionsOptions {
  api: Api;
  user: SignedInUser;
  district: DistrictConfig;
  names: DistrictNames;
  notify: (text: string, isError?: boolean) => void;
  onChanged: (next: CaseView) => void;
}

/** Whether the one-click actions apply: in triage, not yet dispatched, and the user may dispatch. */
const canChoose = (c: CaseView, user: SignedInUser) =>
  c.triage && c.status === 'registered' && !c.hold && availableCommands(user, c).includes('dispatch');

/** The best suggestion as a short line for the triage queue ("建议：污水外溢 62%"). */
export const bestSuggestionText = (
  c: Pick<CaseView, 'triage' | 'suggestions'>,
  names: DistrictNames,
): string | undefined => {
  const best = c.suggestions?.[0];
  return c.triage && best
    ? t('triageBest', { category: names.category(best.category), score: formatPercent(best.score) })
    : undefined;
};

export const renderSuggestions = (c: CaseView, options: SuggestionsOptions): HTMLElement | null => {
  const { api, user, district, names } = options;
  if (c.suggestions === undefined) return null;
  const choosing = canChoose(c, user);
  const buttons: HTMLButtonElement[] = [];

  const choose = (category: string) => {
    for (const b of buttons) b.disabled = true;
    api
      .command(c.id, 'dispatch', { category }, c.version)
      .then((next) => {
        options.notify(t('triageDone', { category: names.category(category) }));
        options.onChanged(next);
      })
      .catch(async (error: unknown) => {
        for (const b of buttons) b.disabled = false;
        if (error instanceof ApiError && error.status === 409) {
          options.notify(t('conflict'), true);
          options.onChanged(await api.get(c.id));
          return;
        }
        options.notify(
          error instanceof ApiError && error.status === 403
            ? t('forbidden')
            : t('failed', { detail: (error as Error).message }),
          true,
        );
      });
  };

  const button = (text: string, category: string, primary: boolean) => {
    const b = h(
      'button',
      {
        class: `btn ${primary ? 'primary' : 'ghost'}`,
        type: 'button',
        'data-testid': `triage-choose-${category}`,
        onclick: () => choose(category),
      },
      text,
    );
    buttons.push(b);
    return b;
  };

  const row = (s: CategorySuggestion, i: number) =>
    h(
      'li',
      { class: 'suggestion', 'data-category': s.category },
      h(
        'div',
        { class: 'suggestion-head' },
        h('strong', {}, names.category(s.category)),
        h('span', { class: 'muted' }, t('triageScore', { score: formatPercent(s.score) })),
      ),
      h(
        'div',
        { class: 'suggestion-bar', 'aria-hidden': 'true' },
        h('span', { style: `width:${Math.round(s.score * 100)}%` }),
      ),
      h('div', { class: 'muted' }, t('triageLeadBy', { department: names.department(s.lead) })),
      choosing ? button(i === 0 ? t('triageConfirm') : t('triagePick'), s.category, i === 0) : null,
    );

  const other = () => {
    const picker = categoryPicker(
      district.categories.filter((k) => !c.suggestions?.some((s) => s.category === k.code)),
      { name: 'category', label: t('triageOther') },
    );
    const select = picker.select;
    const submit = h(
      'button',
      {
        class: 'btn ghost',
        type: 'button',
        'data-testid': 'triage-choose-other',
        onclick: () => choose(select.value),
      },
      t('triageOtherSubmit'),
    );
    buttons.push(submit);
    return h(
      'div',
      { class: 'suggestion-other' },
      h('label', { class: 'field' }, h('span', {}, t('triageOther')), picker.element),
      submit,
    );
  };

  return h(
    'section',
    { class: 'panel-suggestions', 'data-testid': 'triage-suggestions' },
    h(
      'h3',
      {},
      t('triageSuggestions'),
      !c.triage && c.category !== undefined && c.suggestions[0]?.category === c.category
        ? h('span', { class: 'badge auto' }, t('triageAutoCategorized'))
        : null,
    ),
    c.suggestions.length > 0
      ? h('ol', { class: 'suggestions' }, c.suggestions.map(row))
      : h('p', { class: 'muted' }, t('triageNoSuggestion')),
    choosing ? other() : null,
  );
};
