/**
 * 巡查上报: what a patrol officer finds on a round becomes a report (source `patrol`) with the
 * place (the phone's position, the pin moved when GPS is poor), a category from the catalogue
 * (suggested from the description as it is typed) and site photos. It goes into the outbox like
 * everything made on the phone: sent at once with signal, later without, its photos after it, each
 * checked against the report's place and time by the evidence check.
 */
import type { DistrictConfig } from '../../../shared/district/schema';
import type { CategorySuggestion } from '../../../shared/domain/case';
import { categoryPicker } from '../category-picker';
import { h } from '../dom';
import { formatPercent, t } from '../i18n';
import type { DistrictNames } from '../names';
import type { Outbox } from '../outbox/outbox';
import { newReportKey, photoPicker, placePicker } from '../report/report-parts';
import { suggester } from '../report/triage-hints';

export interface PatrolForm {
  element: HTMLElement;
  dispose(): void;
}

const DESCRIPTION_MAX = 2000;

export const patrolReportForm = (options: {
  district: DistrictConfig;
  names: DistrictNames;
  outbox: Outbox;
  /** Called once the report (and its photos) are in the outbox. */
  onQueued: (message: string) => void;
}): PatrolForm => {
  const { district, names, outbox } = options;
  const place = placePicker(district, { locateLabel: t('patrolLocate'), hint: t('patrolPinHint') });
  const photos = photoPicker({ label: t('patrolAddPhoto'), multiple: true, max: 6 });
  const picker = categoryPicker(district.categories, { name: 'category', label: t('patrolCategory') });
  picker.select.required = true;
  picker.select.prepend(
    h('option', { value: '', selected: true, disabled: true }, t('patrolCategoryChoose')),
  );
  picker.select.value = '';

  const suggestions = h('div', { class: 'patrol-suggestions', 'data-testid': 'patrol-suggestions' });
  const showSuggestions = (list: CategorySuggestion[]) =>
    suggestions.replaceChildren(
      ...(list.length === 0
        ? []
        : [
            h('span', { class: 'muted' }, t('patrolSuggestions')),
            ...list.map((s) =>
              h(
                'button',
                {
                  class: `btn small chip${picker.select.value === s.category ? ' on' : ''}`,
                  type: 'button',
                  'data-category': s.category,
                  onclick: () => {
                    picker.select.value = s.category;
                    showSuggestions(list);
                  },
                },
                `${names.category(s.category)} ${formatPercent(s.score)}`,
              ),
            ),
          ]),
    );

  const description = h('textarea', {
    name: 'description',
    rows: 3,
    required: true,
    maxlength: DESCRIPTION_MAX,
    placeholder: t('patrolDescriptionPlaceholder'),
    'data-testid': 'patrol-description',
  });
  let typed = 0;
  description.addEventListener('input', () => {
    const text = description.value;
    const mine = ++typed;
    void suggester(district).then((suggest) => {
      if (mine === typed) showSuggestions(suggest(text));
    });
  });
  const address = h('input', {
    type: 'text',
    name: 'address',
    maxlength: 200,
    'data-testid': 'patrol-address',
  });
  const message = h('p', { class: 'action-message', role: 'status', 'data-testid': 'patrol-message' });
  const submit = h(
    'button',
    { class: 'btn primary', type: 'submit', 'data-testid': 'patrol-submit' },
    t('patrolSubmit'),
  );

  const form = h(
    'form',
    { class: 'patrol-form', 'data-testid': 'patrol-form' },
    h('h2', { class: 'section-title' }, t('patrolTitle')),
    h('label', { class: 'field' }, h('span', {}, t('patrolDescription'), ' *'), description),
    suggestions,
    h('label', { class: 'field' }, h('span', {}, t('patrolCategory'), ' *'), picker.element),
    h('div', { class: 'field' }, h('span', {}, t('patrolPlace'), ' *'), place.element),
    h('label', { class: 'field' }, h('span', {}, t('patrolAddress')), address),
    h('div', { class: 'field' }, h('span', {}, t('patrolPhotos')), photos.element),
    message,
    h('div', { class: 'form-buttons' }, submit, h('a', { class: 'btn ghost', href: '#' }, t('cancel'))),
  );

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const at = place.pin();
    const text = description.value.trim();
    const category = picker.select.value;
    if (!at || !text || !category) {
      message.textContent = t('patrolMissing');
      message.className = 'action-message error';
      return;
    }
    submit.disabled = true;
    const key = newReportKey('patrol');
    const label = `${names.category(category)} · ${text.slice(0, 24)}`;
    const queue = () =>
      outbox.add(
        {
          label,
          item: {
            kind: 'report',
            key,
            body: {
              source: 'patrol',
              category,
              description: text,
              location: {
                lat: at.lat,
                lng: at.lng,
                crs: 'wgs84',
                ...(address.value.trim() && { address: address.value.trim() }),
              },
              occurredAt: new Date().toISOString(),
            },
          },
        },
        ...photos.files().map((file) => ({
          label: file.name,
          item: {
            kind: 'photo' as const,
            reportKey: key,
            blob: file,
            name: file.name,
            lastModified: file.lastModified,
          },
        })),
      );
    queue()
      .then(() => options.onQueued(navigator.onLine ? t('outboxSending') : t('patrolQueued')))
      .catch((error: unknown) => {
        submit.disabled = false;
        message.textContent = t('failed', { detail: (error as Error).message });
        message.className = 'action-message error';
      });
  });

  place.locate();
  return { element: form, dispose: () => place.dispose() };
};
