/**
 * The district's own names (zones, departments, categories) in the current language, and the
 * language switch every page header carries.
 */
import type { DistrictConfig } from '../../shared/district/schema';
import { h } from './dom';
import { LANGS, lang, localName, setLang, t } from './i18n';

export interface DistrictNames {
  district(): string;
  zone(id: string | null | undefined): string;
  department(id: string | null | undefined): string;
  category(code: string | null | undefined): string;
}

export const districtNames = (config: DistrictConfig): DistrictNames => {
  const zones = new Map(config.zones.map((z) => [z.id, z.name]));
  const departments = new Map(config.departments.map((d) => [d.id, d.name]));
  const categories = new Map(config.categories.map((c) => [c.code, c.name]));
  const look = (table: Map<string, { zh: string; en: string }>) => (id: string | null | undefined) =>
    id ? localName(table.get(id), id) : '';
  return {
    district: () => localName(config.name),
    zone: look(zones),
    department: look(departments),
    category: look(categories),
  };
};

/** 中文 ⇄ English; `rerender` redraws the page in the new language. */
export const languageSwitch = (rerender: () => void): HTMLButtonElement =>
  h(
    'button',
    {
      class: 'btn ghost lang-switch',
      'data-testid': 'lang-switch',
      onclick: () => {
        const next = LANGS.find((l) => l !== lang()) ?? 'zh-CN';
        setLang(next);
        rerender();
      },
    },
    t('language'),
  );
