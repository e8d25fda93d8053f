/**
 * Photo evidence from the phone: hash the file, ask the API for a form (the Idempotency-Key comes
 * from the sha256, so a retry on a weak network names the same attachment), POST the file straight
 * to S3 with that form, then watch the check until the photo is verified or rejected.
 */
import { type Api, type AttachmentView, NetworkError, type UploadForm } from '../api';
import { h } from '../dom';
import { evidenceSignature, photoFacts, rejectionText } from '../evidence';
import { t } from '../i18n';

export type UploadStage = 'hashing' | 'requesting' | 'uploading' | 'retrying';

/** S3 answered the form with an error (403: the form expired; 400: the policy refused it). */
export class UploadRefused extends Error {
  override readonly name = 'UploadRefused';
  constructor(
    readonly status: number,
    detail: string,
  ) {
    super(`S3 ${status}${detail ? `: ${detail}` : ''}`);
  }
}

const ATTEMPTS = 5;
const CHECK_POLL_MS = 1_000;
/** The evidence check takes seconds; past this the page stops asking until the next visit. */
const CHECK_WATCH_MS = 120_000;
/** Statuses in which the field worker is working the task and may add proof. */
const UPLOAD_STATUSES = new Set(['accepted', 'handled']);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Lowercase hex sha256, or undefined where WebCrypto is missing (a page not served over HTTPS). */
export const sha256Hex = async (file: Blob): Promise<string | undefined> => {
  if (!globalThis.crypto?.subtle) return undefined;
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', await file.arrayBuffer()));
  return Array.from(digest, (byte) => byte.toString(16).padStart(2, '0')).join('');
};

/** Repeats what never got an answer (offline, reset), backing off; anything answered is final. */
const withRetries = async <T>(work: () => Promise<T>, onRetry: () => void): Promise<T> => {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (!(error instanceof NetworkError) || attempt >= ATTEMPTS) throw error;
      onRetry();
      await sleep(500 * 2 ** (attempt - 1));
    }
  }
};

/** The presigned POST: every field, then the file last (S3 ignores fields after the file). */
const postForm = async (form: UploadForm, file: File) => {
  const body = new FormData();
  for (const [name, value] of Object.entries(form.fields)) body.append(name, value);
  body.append('file', file);
  let response: Response;
  try {
    response = await fetch(form.url, { method: 'POST', body });
  } catch (error) {
    throw new NetworkError((error as Error).message);
  }
  if (!response.ok) throw new UploadRefused(response.status, (await response.text()).slice(0, 200));
};

/** Uploads one photo and answers its attachment (pending until the check has judged it). */
export const uploadPhoto = async (
  api: Api,
  caseId: string,
  file: File,
  onStage: (stage: UploadStage) => void,
): Promise<AttachmentView> => {
  onStage('hashing');
  const sha256 = await sha256Hex(file);
  const idempotencyKey = sha256 ? `photo-${sha256}` : `photo-${file.size}-${file.lastModified}`;
  const contentType = file.type || 'image/jpeg';
  const retry = () => onStage('retrying');
  for (let round = 1; ; round++) {
    onStage('requesting');
    const grant = await withRetries(
      () =>
        api.requestUpload(
          caseId,
          { kind: 'photo', contentType, size: file.size, ...(sha256 && { sha256 }) },
          idempotencyKey,
        ),
      retry,
    );
    const form = grant.upload;
    // A retry that finds the photo already uploaded gets no form: only the verdict is left.
    if (!form) return grant.attachment;
    onStage('uploading');
    try {
      await withRetries(() => postForm(form, file), retry);
      return grant.attachment;
    } catch (error) {
      // The form expired while the phone was offline: the same key gets a fresh one, once.
      if (error instanceof UploadRefused && error.status === 403 && round < 2) continue;
      throw error;
    }
  }
};

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
