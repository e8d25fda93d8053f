/**
 * The category picker: a district with the standard catalogue has 130+ categories, which a flat
 * <select> makes unusable. The options are grouped by 部件/事件 and subgroup (<optgroup>), and a
 * search box above filters them by name (either language), code, keyword or subgroup as one types.
 * The <select> keeps its name, so forms read it as before; the search box has none.
 */
import type { Category } from '../../shared/district/schema';
import { h } from './dom';
import { localName, t } from './i18n';

type PickerCategory = Pick<Category, 'code' | 'name' | 'group' | 'subgroup' | 'keywords'>;

export interface CategoryPicker {
  /** The search box and the select, to place in a form. */
  element: HTMLElement;
  select: HTMLSelectElement;
}

/** What a search matches against: names in both languages, the code, keywords and the subgroup. */
const haystackOf = (c: PickerCategory): string =>
  [c.code, c.name.zh, c.name.en, c.subgroup.zh, c.subgroup.en, ...c.keywords].join(' ').toLowerCase();

/** Groups in the catalogue's order: components first, then events, each subgroup once. */
const grouped = (categories: readonly PickerCategory[]) => {
  const groups = new Map<string, { label: string; categories: PickerCategory[] }>();
  for (const c of categories) {
    const key = `${c.group}/${c.subgroup.zh}`;
    const label = `${t(c.group === 'component' ? 'categoryGroupComponent' : 'categoryGroupEvent')} · ${localName(c.subgroup)}`;
    const group = groups.get(key) ?? { label, categories: [] };
    group.categories.push(c);
    groups.set(key, group);
  }
  return [...groups.values()];
};

export const categoryPicker = (
  categories: readonly PickerCategory[],
  options: { name: string; label: string; value?: string },
): CategoryPicker => {
  const haystacks = new Map(categories.map((c) => [c.code, haystackOf(c)]));
  const select = h(
    'select',
    { name: options.name, 'aria-label': options.label, 'data-testid': 'category-select' },
    grouped(categories).map((group) =>
      h(
        'optgroup',
        { label: group.label },
        group.categories.map((c) =>
          h('option', { value: c.code, selected: c.code === options.value }, localName(c.name)),
        ),
      ),
    ),
  );
  const search = h('input', {
    type: 'search',
    placeholder: t('categorySearch'),
    'aria-label': t('categorySearch'),
    'data-testid': 'category-search',
    autocomplete: 'off',
    oninput: () => {
      const terms = search.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
      let first: HTMLOptionElement | undefined;
      for (const group of select.querySelectorAll('optgroup')) {
        let visible = 0;
        for (const option of group.querySelectorAll('option')) {
          const haystack = haystacks.get(option.value) ?? '';
          const match = terms.every((term) => haystack.includes(term));
          option.hidden = !match;
          option.disabled = !match;
          if (match) {
            visible++;
            first ??= option;
          }
        }
        group.hidden = visible === 0;
      }
      // The first match is chosen, so Enter or the submit button takes what the search found.
      if (first && select.selectedOptions[0]?.hidden !== false) first.selected = true;
    },
  });
  return { element: h('span', { class: 'category-picker' }, search, select), select };
};
