/**
 * Evidence as both pages show it: a verified photo is a thumbnail linking to the original with
 * what its EXIF says (when, how far from the case); a rejected one says why, in the user's
 * language. Links exist only on verified attachments (the API gives none for the rest).
 */
import type { AttachmentView } from './api';
import { formatDateTime, formatNumber, t, tOf } from './i18n';

/** 拍摄于 11-30 14:05 · 距案发点 40 米 · 派遣后拍摄 (a camera's snapshot says which camera first). */
export const photoFacts = (a: AttachmentView): string =>
  [
    a.origin === 'camera' && a.camera ? t('photoFromCamera', { camera: a.camera.cameraId }) : null,
    a.facts?.takenAt ? t('photoTakenAt', { time: formatDateTime(a.facts.takenAt) }) : t('photoNoTime'),
    a.facts?.distanceMetres !== undefined
      ? t('photoDistance', { m: formatNumber(Math.round(a.facts.distanceMetres)) })
      : t('photoNoGps'),
    a.facts?.takenAfterDispatch ? t('photoAfterDispatch') : null,
  ]
    .filter(Boolean)
    .join(' · ');

/** The rule in words (the API's `reason` is for operators and in English). */
export const rejectionText = (a: AttachmentView): string => {
  const text = a.rule ? tOf('evidenceRule', a.rule) : '';
  return text && text !== a.rule ? text : (a.reason ?? a.rule ?? '');
};

/** What changes the picture: new attachments or a verdict, not the links' fresh signatures. */
export const evidenceSignature = (items: AttachmentView[]): string =>
  items.map((a) => `${a.id}:${a.status}`).join(',');
