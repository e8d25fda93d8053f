/**
 * The case panel's 现场照片: verified photos only (nothing unverified is shown as evidence), each a
 * thumbnail linking to the original, with what its EXIF says. Reloaded when the case is another or
 * its verified count moved; the links the API signs last 5 minutes, so a reopen fetches fresh ones.
 */
import type { Api, AttachmentView, CaseView } from '../api';
import { h } from '../dom';
import { evidenceSignature, photoFacts } from '../evidence';
import { t } from '../i18n';

export interface PhotoGallery {
  readonly element: HTMLElement;
  show(c: CaseView): void;
  /** Forget the case: the next `show` loads again (fresh links). */
  reset(): void;
}

export const createPhotoGallery = (api: Api): PhotoGallery => {
  const list = h('div', { class: 'photo-grid' });
  const title = h('h3', {}, t('casePhotos'));
  const element = h('section', { class: 'photos', 'data-testid': 'case-photos' }, title, list);
  let loadedFor = '';
  let shownSignature = '';
  let request = 0;

  const render = (photos: AttachmentView[]) => {
    const signature = evidenceSignature(photos);
    if (signature === shownSignature && list.childElementCount > 0) return;
    shownSignature = signature;
    list.replaceChildren(
      ...(photos.length === 0
        ? [h('p', { class: 'muted' }, t('casePhotosNone'))]
        : photos.map((a) =>
            h(
              'figure',
              { class: 'evidence-photo', 'data-attachment-id': a.id },
              h(
                'a',
                { href: a.downloadUrl, target: '_blank', rel: 'noopener', title: t('photoOriginal') },
                h('img', { src: a.thumbnailUrl, alt: t('casePhotos'), 'data-testid': 'case-photo-thumb' }),
              ),
              h('figcaption', { class: 'muted' }, photoFacts(a)),
            ),
          )),
    );
  };

  return {
    element,
    show(c) {
      title.textContent = t('casePhotos');
      const key = `${c.id}:${c.evidence?.verified ?? 0}`;
      if (key === loadedFor) return;
      loadedFor = key;
      const mine = ++request;
      api
        .attachments(c.id)
        .then(({ items }) => {
          if (mine !== request) return;
          render(items.filter((a) => a.status === 'verified' && a.kind === 'photo' && a.thumbnailUrl));
        })
        .catch((error: unknown) => {
          if (mine !== request) return;
          loadedFor = '';
          list.replaceChildren(h('p', { class: 'muted' }, t('failed', { detail: (error as Error).message })));
        });
    },
    reset() {
      loadedFor = '';
      shownSignature = '';
      request++;
      list.replaceChildren();
    },
  };
};
