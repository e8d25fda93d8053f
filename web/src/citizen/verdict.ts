/**
 * The reporter's verdict on their closed case (回访): 满意 / 基本满意 / 不满意 and an optional
 * comment, sent once to `POST /v1/cases/{id}/satisfaction` for their report with the version of the
 * case judged; a report whose verdict stands shows it instead. A report merged into another
 * resident's case is judged on that case (the server follows the merge), so the verdict shown is the
 * one recorded for this report, never a neighbour's.
 */
import { type Api, ApiError, type CaseView, type Satisfaction, type SatisfactionRating } from '../api';
import { h } from '../dom';
import { t, tOf } from '../i18n';

const RATINGS: readonly SatisfactionRating[] = ['satisfied', 'basically_satisfied', 'dissatisfied'];
const COMMENT_MAX = 500;

/** The verdict standing for one report on the case that handled it: since its last closure. */
export const verdictFor = (judged: CaseView, reportId: string): Satisfaction | undefined => {
  const lastClosure = judged.timeline.map((entry) => entry.action).lastIndexOf('closed');
  const entry = judged.timeline
    .slice(lastClosure + 1)
    .filter((e) => e.action === 'satisfaction-recorded' && (e.details?.reportId ?? judged.id) === reportId)
    .at(-1);
  const rating = entry?.details?.rating as SatisfactionRating | undefined;
  if (!entry || !rating) return undefined;
  return {
    rating,
    ...(entry.note !== undefined && { comment: entry.note }),
    at: entry.at,
    channel: String(entry.details?.channel ?? 'citizen'),
  };
};

/**
 * @param reportId the resident's own report, the one the verdict speaks for
 * @param judged the case that handled it: the report's own case, or the one it was merged into
 */
export const verdictBlock = (
  reportId: string,
  judged: CaseView,
  api: Api,
  onChanged: () => void,
): HTMLElement => {
  const given = verdictFor(judged, reportId);
  if (given) {
    return h(
      'div',
      { class: 'verdict-given', 'data-testid': 'verdict-given', 'data-rating': given.rating },
      t('citizenVerdictGiven', { rating: tOf('rating', given.rating) }),
      given.comment ? h('p', { class: 'muted' }, given.comment) : null,
    );
  }
  let rating: SatisfactionRating | undefined;
  /** The version the verdict is given on; a conflict moves it to the case as it is now. */
  let version = judged.version;
  const message = h('p', { class: 'action-message', role: 'status', 'data-testid': 'verdict-message' });
  const buttons = RATINGS.map((value) =>
    h(
      'button',
      {
        class: `btn small chip rating-${value}`,
        type: 'button',
        'aria-pressed': 'false',
        'data-testid': `verdict-${value}`,
        onclick: () => {
          rating = value;
          for (const b of buttons) {
            const on = b.dataset.testid === `verdict-${value}`;
            b.classList.toggle('on', on);
            b.setAttribute('aria-pressed', String(on));
          }
          submit.disabled = false;
        },
      },
      tOf('rating', value),
    ),
  );
  const comment = h('textarea', {
    rows: 2,
    maxlength: COMMENT_MAX,
    placeholder: t('citizenComment'),
    'aria-label': t('citizenComment'),
    'data-testid': 'verdict-comment',
  });
  const submit = h(
    'button',
    { class: 'btn primary', type: 'submit', disabled: true, 'data-testid': 'verdict-submit' },
    t('citizenVerdictSubmit'),
  );
  const form = h(
    'form',
    { class: 'verdict-form', 'data-testid': 'verdict-form' },
    h('strong', {}, t('citizenVerdictTitle')),
    h('div', { class: 'verdict-ratings' }, buttons),
    comment,
    submit,
    message,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (!rating) return;
    submit.disabled = true;
    const text = comment.value.trim();
    api
      .satisfaction(reportId, { rating, ...(text && { comment: text }), expectedVersion: version })
      .then(() => {
        message.textContent = t('citizenVerdictDone');
        message.className = 'action-message ok';
        // Sent: the form is no longer being filled in, so the list may redraw it as the verdict given.
        for (const b of buttons) {
          b.classList.remove('on');
          b.setAttribute('aria-pressed', 'false');
        }
        comment.blur();
        onChanged();
      })
      .catch(async (error: unknown) => {
        submit.disabled = false;
        message.className = 'action-message error';
        message.textContent =
          error instanceof ApiError && error.status === 409
            ? t('conflict')
            : t('failed', { detail: (error as Error).message });
        // The case moved on (a note, a reopening): the next tap is on the case as it is now.
        if (error instanceof ApiError && error.status === 409) {
          version = (await api.get(judged.id).catch(() => judged)).version;
        }
      });
  });
  return form;
};
