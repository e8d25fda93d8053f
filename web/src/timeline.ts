/** A case's timeline as a list: when, what, who (role, name, department), and why. */
import type { TimelineEntry } from '../../shared/domain/case';
import { h } from './dom';
import { formatDateTime, formatNumber, formatPercent, labelled, type MessageKey, t, tOf } from './i18n';
import type { DistrictNames } from './names';

const TRIAGE_KEYS = Object.fromEntries(
  ['auto-categorized', 'suggested', 'no-confident-suggestion', 'confirmed', 'corrected', 'categorised'].map(
    (v) => [`categorisation.${v}`, true],
  ),
);

const detailText = (entry: TimelineEntry, names: DistrictNames): string[] => {
  const details = entry.details ?? {};
  const parts: string[] = [];
  const department = typeof details.department === 'string' ? details.department : undefined;
  const previous = typeof details.previousDepartment === 'string' ? details.previousDepartment : undefined;
  if (entry.action === 'registered') {
    if (typeof details.zone === 'string') parts.push(labelled(t('caseZone'), names.zone(details.zone)));
    if (typeof details.lead === 'string') parts.push(labelled(t('caseLead'), names.department(details.lead)));
    if (details.triage === true) parts.push(t('caseTriage'));
  } else if (department) {
    parts.push(
      previous
        ? `${names.department(previous)} → ${names.department(department)}`
        : names.department(department),
    );
  }
  if (typeof details.category === 'string') parts.push(names.category(details.category));
  // 回访: the rating and how it came (the comment is the entry's note).
  if (entry.action === 'satisfaction-recorded') {
    if (typeof details.rating === 'string') parts.push(t(`rating.${details.rating}` as MessageKey));
    if (typeof details.channel === 'string') parts.push(t(`verdictChannel.${details.channel}` as MessageKey));
  }
  if (entry.action.startsWith('evidence-') && typeof details.distanceMetres === 'number') {
    parts.push(t('photoDistance', { m: formatNumber(Math.round(details.distanceMetres)) }));
  }
  // The triage classifier's part: auto-categorized with its score, or a person's confirmation or correction.
  const categorisation = `categorisation.${String(details.categorisation)}` as MessageKey;
  if (typeof details.categorisation === 'string' && categorisation in TRIAGE_KEYS) {
    parts.push(
      t(categorisation, {
        category: typeof details.category === 'string' ? names.category(details.category) : '',
        suggested: typeof details.suggested === 'string' ? names.category(details.suggested) : '',
        score: typeof details.score === 'number' ? formatPercent(details.score) : '—',
      }),
    );
  }
  return parts;
};

export const renderTimeline = (timeline: readonly TimelineEntry[], names: DistrictNames): HTMLElement =>
  h(
    'ol',
    { class: 'timeline', 'data-testid': 'timeline' },
    [...timeline].reverse().map((entry) => {
      const who = [
        tOf('role', entry.actor.role),
        entry.actor.role === 'system'
          ? t(entry.actor.subject === 'system:evidence' ? 'systemEvidence' : 'systemActor')
          : entry.actor.name,
        // Demo and real users are often named after their department: say it once.
        entry.actor.department && !entry.actor.name?.includes(names.department(entry.actor.department))
          ? names.department(entry.actor.department)
          : undefined,
      ]
        .filter(Boolean)
        .join(' · ');
      // The evidence check's reason is for operators (English): the page says its rule in words.
      const rule = entry.action === 'evidence-rejected' ? entry.details?.rule : undefined;
      const ruleText = typeof rule === 'string' ? tOf('evidenceRule', rule) : undefined;
      const why = (ruleText !== rule ? ruleText : undefined) ?? entry.reason ?? entry.note;
      return h(
        'li',
        { class: `step step-${entry.action}`, 'data-action': entry.action },
        h(
          'div',
          { class: 'step-head' },
          h('strong', {}, tOf('action', entry.action)),
          h('time', { datetime: entry.at }, formatDateTime(entry.at)),
        ),
        h('div', { class: 'step-who muted' }, who),
        detailText(entry, names).map((text) => h('div', { class: 'step-detail' }, text)),
        why ? h('div', { class: 'step-why' }, why) : null,
      );
    }),
  );
