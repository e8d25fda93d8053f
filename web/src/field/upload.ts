/**
 * The field page's photo block for one case: the picker (camera or gallery), the upload's progress
 * (see ../photo-upload), then the check's verdict on every photo, polled until none is pending.
 */
import type { Api, AttachmentView } from '../api';
import { h } from '../dom';
import { evidenceSignature, photoFacts, rejectionText } from '../evidence';
import { t } from '../i18n';
import { uploadPhoto } from '../photo-upload';

const CHECK_POLL_MS = 1_000;
/** The evidence check takes seconds; past this the page stops asking until the next visit. */
const CHECK_WATCH_MS = 120_000;
/** Statuses in which the field worker is working the task and may add proof. */
const UPLOAD_STATUSES = new Set(['accepted', 'handled']);

export interface PhotoSection {
  readonly caseId: string;
  readonly element: HTMLElement;
  /** The case changed (status, evidence counts): may upload now? reload the list? */
  update(c: { status: string; evidence?: { verified: number; rejected: number } }): void;
  stop(): void;
}

/** The field page's photo block for one case: the picker, the upload's progress, every photo's verdict. */
export const createPhotoSection = (api: Api, caseId: string): PhotoSection => {
  let items: AttachmentView[] | undefined;
  let shownSignature = '';
  let watchUntil = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  let busy = false;
  let lastEvidence = '';

  const status = h('div', { class: 'notice', role: 'status', 'data-testid': 'photo-status' });
  const list = h('ul', { class: 'photo-list', 'data-testid': 'photo-list' });
  const input = h('input', {
    type: 'file',
    accept: 'image/*',
    capture: 'environment',
    class: 'photo-input',
    id: `photo-input-${caseId}`,
    'data-testid': 'photo-input',
  });
  const picker = h(
    'label',
    { class: 'btn primary photo-pick', for: `photo-input-${caseId}`, 'data-testid': 'photo-pick' },
    t('photoPick'),
  );
  const hint = h('p', { class: 'muted' }, t('photoWhenAccepted'));
  const element = h(
    'section',
    { class: 'photos', 'data-testid': 'field-photos' },
    h('h3', {}, t('casePhotos')),
    picker,
    input,
    hint,
    status,
    list,
  );

  const say = (text: string, kind: 'ok' | 'error' | '' = '') => {
    status.textContent = text;
    status.className = kind ? `notice ${kind}` : 'notice';
  };

  const renderItem = (a: AttachmentView) =>
    h(
      'li',
      { class: `photo ${a.status}`, 'data-attachment-id': a.id, 'data-status': a.status },
      a.status === 'verified' && a.thumbnailUrl
        ? h(
            'a',
            {
              href: a.downloadUrl ?? a.thumbnailUrl,
              target: '_blank',
              rel: 'noopener',
              title: t('photoOriginal'),
            },
            h('img', {
              src: a.thumbnailUrl,
              alt: t('casePhotos'),
              class: 'thumb',
              'data-testid': 'photo-thumb',
            }),
          )
        : h('div', { class: 'thumb placeholder' }, a.status === 'pending' ? '⏳' : '✕'),
      h(
        'div',
        { class: 'photo-text' },
        h(
          'strong',
          { class: `tag photo-${a.status}`, 'data-testid': 'photo-verdict' },
          a.status === 'verified'
            ? t('photoVerified')
            : a.status === 'rejected'
              ? t('photoRejected')
              : t('photoPending'),
        ),
        a.status === 'rejected'
          ? h('div', { class: 'reason', 'data-testid': 'photo-reason' }, rejectionText(a))
          : null,
        a.status === 'pending' ? null : h('div', { class: 'muted' }, photoFacts(a)),
      ),
    );

  const render = () => {
    if (!items) return;
    const signature = evidenceSignature(items);
    if (signature === shownSignature) return;
    shownSignature = signature;
    list.replaceChildren(
      ...(items.length === 0 ? [h('li', { class: 'muted' }, t('photoNone'))] : items.map(renderItem)),
    );
  };

  const load = async () => {
    if (stopped) return;
    try {
      items = (await api.attachments(caseId)).items;
      render();
    } catch (error) {
      console.warn('attachments', error);
    }
    if (stopped) return;
    clearTimeout(timer);
    // Keep asking while something waits for its verdict (the check runs on S3's event).
    if (items?.some((a) => a.status === 'pending') && Date.now() < watchUntil) {
      timer = setTimeout(() => void load(), CHECK_POLL_MS);
    } else if (items && !busy && status.className === 'notice ok') {
      say('');
    }
  };

  input.addEventListener('change', async () => {
    const file = input.files?.[0];
    input.value = '';
    if (!file || busy) return;
    busy = true;
    picker.classList.add('disabled');
    try {
      const attachment = await uploadPhoto(api, caseId, file, (stage) =>
        say(
          t(
            stage === 'hashing'
              ? 'photoHashing'
              : stage === 'requesting'
                ? 'photoRequesting'
                : stage === 'uploading'
                  ? 'photoUploading'
                  : 'photoRetrying',
          ),
        ),
      );
      say(attachment.status === 'pending' ? t('photoChecking') : '', 'ok');
      watchUntil = Date.now() + CHECK_WATCH_MS;
    } catch (error) {
      say(t('photoFailed', { detail: (error as Error).message }), 'error');
    } finally {
      busy = false;
      picker.classList.remove('disabled');
    }
    await load();
  });

  return {
    caseId,
    element,
    update(c) {
      const allowed = UPLOAD_STATUSES.has(c.status);
      picker.hidden = !allowed;
      input.disabled = !allowed;
      hint.hidden = allowed || c.status !== 'dispatched';
      const evidence = `${c.evidence?.verified ?? 0}/${c.evidence?.rejected ?? 0}`;
      if (evidence !== lastEvidence) {
        lastEvidence = evidence;
        void load();
      }
    },
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
};
