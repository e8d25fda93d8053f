import type { Actor, Case, EvidenceSummary, GeoPoint } from './case';
import { distanceMetres } from './geo';

/**
 * Evidence from the field (photos, videos, documents) and the checks that make it proof: the real
 * type by its first bytes, the size, and for photos when and where they were taken. Pure: the
 * evidence function reads the object and its EXIF, this module decides.
 */

export const ATTACHMENT_KINDS = ['photo', 'video', 'document'] as const;
export type AttachmentKind = (typeof ATTACHMENT_KINDS)[number];

const MB = 1024 * 1024;

/** What each kind may be: the content types accepted and the largest object. */
export const KIND_RULES: Record<AttachmentKind, { maxBytes: number; contentTypes: readonly string[] }> = {
  photo: { maxBytes: 15 * MB, contentTypes: ['image/jpeg', 'image/png', 'image/webp', 'image/heic'] },
  video: { maxBytes: 200 * MB, contentTypes: ['video/mp4', 'video/quicktime'] },
  // Inspection reports, notices served, receipts: PDFs or scans.
  document: { maxBytes: 20 * MB, contentTypes: ['application/pdf', 'image/jpeg', 'image/png'] },
};

export type AttachmentStatus = 'pending' | 'verified' | 'rejected';

/**
 * Where a piece of evidence comes from, which decides what makes it proof: `field` — a person's
 * device through an upload form (EXIF time and GPS, taken after dispatch counts as the result on
 * site); `camera` — a registered camera's snapshot from its alert (no EXIF GPS, taken before
 * anyone was sent: the camera's registered place and the alert's time stand in for EXIF).
 */
export const ATTACHMENT_ORIGINS = ['field', 'camera'] as const;
export type AttachmentOrigin = (typeof ATTACHMENT_ORIGINS)[number];

/** What a camera snapshot is judged by instead of EXIF. */
export interface CameraStill {
  cameraId: string;
  /** Where the camera stands, from the registry (WGS-84). */
  location: GeoPoint;
  /** When the video analytics saw it (the alert's `occurredAt`). */
  alertAt: string;
  /** The report the alert became, and when the platform received it. */
  reportId: string;
  reportedAt: string;
}

/** What the checks found out about an uploaded object. */
export interface EvidenceFacts {
  /** The type its first bytes say, whatever the name or the form claimed. */
  detectedType?: string;
  bytes: number;
  /** When the photo was taken (EXIF), else undefined. */
  takenAt?: string;
  /** Where the photo was taken (EXIF GPS, WGS-84). */
  gps?: GeoPoint;
  /** Metres from the case's location. */
  distanceMetres?: number;
  /** Taken (EXIF time, else uploaded) after the case was dispatched. Never set for camera stills. */
  takenAfterDispatch?: boolean;
  /** The camera a still came from (its registered place is `gps`, its alert time `takenAt`). */
  cameraId?: string;
  width?: number;
  height?: number;
}

export interface Attachment {
  id: string;
  caseId: string;
  /** Absent on attachments from before origins existed: those are all `field`. */
  origin?: AttachmentOrigin;
  /** Set exactly when `origin` is `camera`. */
  camera?: CameraStill;
  kind: AttachmentKind;
  contentType: string;
  /** Declared by the client when it asked for the form. */
  size: number;
  sha256?: string;
  /** The time the client claims (informative: the EXIF time is what counts). */
  claimedTakenAt?: string;
  status: AttachmentStatus;
  /** Where the device uploads the original. */
  objectKey: string;
  requestedBy: Pick<Actor, 'subject' | 'role' | 'department'>;
  requestedAt: string;
  /** The current upload form stops working at this instant; an object arriving later is refused. */
  uploadExpiresAt: string;
  /** sha256 of the request, to tell a retry from a reused Idempotency-Key. */
  requestHash: string;
  idempotencyKey?: string;
  checkedAt?: string;
  /** Why it was rejected: a rule name and words for people. */
  rule?: RejectionRule;
  reason?: string;
  facts?: EvidenceFacts;
  thumbnailKey?: string;
  /** Where a rejected object was moved (never shown as evidence). */
  quarantineKey?: string;
}

/** The district's rules for evidence (`evidence` in the district file). */
export interface EvidencePolicy {
  /** A photo whose GPS is further than this from the case location is rejected. */
  maxDistanceMetres: number;
  /** A photo's EXIF time may be this far ahead of the server clock (phone clocks drift). */
  futureToleranceMinutes: number;
  /** `resolve` needs at least one verified photo taken after dispatch. */
  requireAfterPhotoToResolve: boolean;
  /** Minutes an upload form stays valid. */
  uploadFormMinutes: number;
  /**
   * A camera still's alert may be at most this long before its report reached the platform: an
   * analytics system replaying an old backlog is not evidence of what is happening now.
   */
  snapshotMaxAgeMinutes: number;
}

export const DEFAULT_EVIDENCE_POLICY: EvidencePolicy = {
  maxDistanceMetres: 1000,
  futureToleranceMinutes: 10,
  requireAfterPhotoToResolve: false,
  uploadFormMinutes: 10,
  snapshotMaxAgeMinutes: 30,
};

export const REJECTION_RULES = [
  'zero_bytes',
  'too_large',
  'form_expired',
  'content_type_mismatch',
  'truncated_image',
  'undecodable_image',
  'sha256_mismatch',
  'taken_in_future',
  'too_far_from_case',
  'taken_long_before_report',
  'snapshot_unavailable',
  'unknown_attachment',
] as const;
export type RejectionRule = (typeof REJECTION_RULES)[number];

/** Rejections that mean the object is not what it claims to be: moved to quarantine. */
export const QUARANTINE_PREFIX = 'quarantine/';
export const UPLOAD_PREFIX = 'cases/';
export const THUMBNAIL_PREFIX = 'thumbnails/';

/**
 * Camera snapshots wait here, one per report, until the router knows the report's case: the case
 * id is not known when the alert arrives (the report may become its own case or merge into one).
 */
export const SNAPSHOT_PREFIX = 'snapshots/';
export const snapshotKeyOf = (reportId: string) => `${SNAPSHOT_PREFIX}${reportId}`;

/** `snapshots/<report>` → the report id; anything else is no snapshot of ours. */
export const parseSnapshotKey = (key: string): string | undefined =>
  /^snapshots\/([A-Za-z0-9_-]{1,64})$/.exec(key)?.[1];

export const objectKeyOf = (caseId: string, attachmentId: string) =>
  `${UPLOAD_PREFIX}${caseId}/${attachmentId}`;
export const thumbnailKeyOf = (caseId: string, attachmentId: string) =>
  `${THUMBNAIL_PREFIX}${caseId}/${attachmentId}.jpg`;
export const quarantineKeyOf = (objectKey: string) => `${QUARANTINE_PREFIX}${objectKey}`;

/** `cases/<case>/<attachment>` → its ids; anything else is no upload of ours. */
export const parseObjectKey = (key: string): { caseId: string; attachmentId: string } | undefined => {
  const match = /^cases\/([A-Za-z0-9_-]{1,64})\/([A-Za-z0-9_-]{1,64})$/.exec(key);
  return match ? { caseId: match[1]!, attachmentId: match[2]! } : undefined;
};

const startsWith = (bytes: Uint8Array, signature: readonly number[], offset = 0) =>
  bytes.length >= offset + signature.length && signature.every((b, i) => bytes[offset + i] === b);
const ascii = (text: string) => [...text].map((c) => c.charCodeAt(0));

/**
 * The content type the first bytes say (magic numbers), or undefined for anything we don't accept.
 * A script renamed `.jpg` starts with `#!` or `<`: no match.
 */
export const sniffContentType = (head: Uint8Array): string | undefined => {
  if (startsWith(head, [0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (startsWith(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (startsWith(head, ascii('RIFF')) && startsWith(head, ascii('WEBP'), 8)) return 'image/webp';
  if (startsWith(head, ascii('%PDF-'))) return 'application/pdf';
  if (startsWith(head, ascii('ftyp'), 4)) {
    const brand = String.fromCharCode(...head.subarray(8, 12));
    if (['heic', 'heix', 'mif1', 'msf1'].includes(brand)) return 'image/heic';
    if (brand === 'qt  ') return 'video/quicktime';
    return 'video/mp4';
  }
  return undefined;
};

/** A JPEG ends with the EOI marker (FF D9); some cameras append a trailer after it, so look near the end. */
export const jpegLooksComplete = (bytes: Uint8Array): boolean => {
  const tail = bytes.subarray(Math.max(2, bytes.length - 64 * 1024));
  for (let i = tail.length - 2; i >= 0; i--) if (tail[i] === 0xff && tail[i + 1] === 0xd9) return true;
  return false;
};

export type Verdict =
  | { status: 'verified'; facts: EvidenceFacts }
  | { status: 'rejected'; rule: RejectionRule; reason: string; facts: EvidenceFacts };

const reject = (rule: RejectionRule, reason: string, facts: EvidenceFacts): Verdict => ({
  status: 'rejected',
  rule,
  reason,
  facts,
});

/** Checks on the object's size and arrival, before any byte is read. */
export const checkArrival = (
  attachment: Attachment,
  object: { bytes: number; arrivedAt: string },
): Verdict | undefined => {
  const facts = { bytes: object.bytes };
  const { maxBytes } = KIND_RULES[attachment.kind];
  if (object.bytes === 0) return reject('zero_bytes', 'the uploaded file is empty', facts);
  if (object.bytes > maxBytes) {
    return reject(
      'too_large',
      `${attachment.kind} files may be at most ${maxBytes / MB} MB; this one is ${(object.bytes / MB).toFixed(1)} MB`,
      facts,
    );
  }
  if (Date.parse(object.arrivedAt) > Date.parse(attachment.uploadExpiresAt)) {
    return reject(
      'form_expired',
      `uploaded at ${object.arrivedAt}, after its form expired at ${attachment.uploadExpiresAt}`,
      facts,
    );
  }
  return undefined;
};

export interface ObjectFindings {
  bytes: number;
  /** The first bytes (at least 16). */
  head: Uint8Array;
  /** Whether the image's end is there (JPEG only; undefined when not checked). */
  complete?: boolean;
  sha256?: string;
  takenAt?: string;
  gps?: GeoPoint;
  width?: number;
  height?: number;
  arrivedAt: string;
}

/**
 * The verdict on an uploaded object for this attachment of this case. Type and integrity first
 * (those are quarantined), then where and when a photo was taken.
 */
export const inspectEvidence = (
  attachment: Attachment,
  c: Pick<Case, 'location' | 'dispatchedAt'>,
  found: ObjectFindings,
  policy: EvidencePolicy,
  now: string,
): Verdict => {
  const detectedType = sniffContentType(found.head);
  const facts: EvidenceFacts = { bytes: found.bytes, ...(detectedType && { detectedType }) };
  const early = checkArrival(attachment, { bytes: found.bytes, arrivedAt: found.arrivedAt });
  if (early) return { ...early, facts };
  if (detectedType !== attachment.contentType) {
    return reject(
      'content_type_mismatch',
      `declared ${attachment.contentType} but the content is ${detectedType ?? 'not an accepted type'}`,
      facts,
    );
  }
  if (detectedType === 'image/jpeg' && found.complete === false) {
    return reject(
      'truncated_image',
      'the JPEG ends before its end-of-image marker (upload cut short?)',
      facts,
    );
  }
  if (attachment.sha256 && found.sha256 && attachment.sha256 !== found.sha256) {
    return reject(
      'sha256_mismatch',
      'the content does not match the sha256 given when the form was asked for',
      facts,
    );
  }
  if (found.width !== undefined) facts.width = found.width;
  if (found.height !== undefined) facts.height = found.height;
  if (attachment.kind !== 'photo') return { status: 'verified', facts };
  if (attachment.origin === 'camera') {
    if (!attachment.camera) throw new Error(`camera attachment ${attachment.id} carries no camera facts`);
    return judgeCameraStill(attachment.camera, c, facts, policy);
  }
  return judgeFieldPhoto(c, found, facts, policy, now);
};

/** A phone's photo: its EXIF place against the case's, its EXIF time against now and dispatch. */
const judgeFieldPhoto = (
  c: Pick<Case, 'location' | 'dispatchedAt'>,
  found: ObjectFindings,
  facts: EvidenceFacts,
  policy: EvidencePolicy,
  now: string,
): Verdict => {
  if (found.takenAt) facts.takenAt = found.takenAt;
  const when = found.takenAt ?? found.arrivedAt;
  if (c.dispatchedAt) facts.takenAfterDispatch = Date.parse(when) >= Date.parse(c.dispatchedAt);
  if (found.gps) {
    facts.gps = found.gps;
    facts.distanceMetres = Math.round(distanceMetres(found.gps, c.location));
  }
  if (found.takenAt && Date.parse(found.takenAt) > Date.parse(now) + policy.futureToleranceMinutes * 60_000) {
    return reject(
      'taken_in_future',
      `the photo says it was taken at ${found.takenAt}, after now (${now})`,
      facts,
    );
  }
  return withinReach(facts, policy) ?? { status: 'verified', facts };
};

/**
 * A camera's still: stills carry no EXIF GPS and cameras stamp their own clocks, so the registered
 * camera's place stands for where and the alert's time for when. It was taken before anyone was
 * sent, so it never counts as a photo after dispatch. Its time is judged against when the report
 * reached the platform (fixed, so a check retried later decides the same): not after it (beyond
 * the clock tolerance), not long before it.
 */
const judgeCameraStill = (
  still: CameraStill,
  c: Pick<Case, 'location'>,
  facts: EvidenceFacts,
  policy: EvidencePolicy,
): Verdict => {
  facts.cameraId = still.cameraId;
  facts.takenAt = still.alertAt;
  facts.gps = { lat: still.location.lat, lng: still.location.lng };
  facts.distanceMetres = Math.round(distanceMetres(still.location, c.location));
  const alertAt = Date.parse(still.alertAt);
  const reportedAt = Date.parse(still.reportedAt);
  if (alertAt > reportedAt + policy.futureToleranceMinutes * 60_000) {
    return reject(
      'taken_in_future',
      `the alert says ${still.alertAt}, after the platform received it (${still.reportedAt})`,
      facts,
    );
  }
  if (alertAt < reportedAt - policy.snapshotMaxAgeMinutes * 60_000) {
    return reject(
      'taken_long_before_report',
      `the alert says ${still.alertAt}, more than ${policy.snapshotMaxAgeMinutes} minutes before it was received (${still.reportedAt})`,
      facts,
    );
  }
  return withinReach(facts, policy) ?? { status: 'verified', facts };
};

/** The district's distance rule, the same for a phone's GPS and a camera's registered place. */
const withinReach = (facts: EvidenceFacts, policy: EvidencePolicy): Verdict | undefined =>
  facts.distanceMetres !== undefined && facts.distanceMetres > policy.maxDistanceMetres
    ? reject(
        'too_far_from_case',
        `taken ${(facts.distanceMetres / 1000).toFixed(1)} km from the case (the district allows ${policy.maxDistanceMetres} m)`,
        facts,
      )
    : undefined;

export const summarise = (
  previous: EvidenceSummary | undefined,
  attachment: Pick<Attachment, 'kind'>,
  verdict: Verdict,
): EvidenceSummary => {
  const base = previous ?? { verified: 0, rejected: 0, afterPhotos: 0 };
  if (verdict.status === 'rejected') return { ...base, rejected: base.rejected + 1 };
  return {
    ...base,
    verified: base.verified + 1,
    afterPhotos: base.afterPhotos + (attachment.kind === 'photo' && verdict.facts.takenAfterDispatch ? 1 : 0),
  };
};
