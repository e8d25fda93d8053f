import { createHash } from 'node:crypto';
import { ulid } from 'ulid';
import { authorize } from '../domain/authorization';
import { canonicalJson } from '../domain/canonical-json';
import type { Actor, Case, CaseStatus } from '../domain/case';
import type { DistrictIndex } from '../domain/district-index';
import {
  CaseNotFoundError,
  IdempotencyKeyReusedError,
  IllegalTransitionError,
  InvalidInputError,
} from '../domain/errors';
import {
  type Attachment,
  type AttachmentKind,
  type AttachmentOrigin,
  KIND_RULES,
  objectKeyOf,
} from '../domain/evidence';
import type { AttachmentStore, CaseStore, Clock, EvidenceBucket, UploadForm } from '../ports';

export interface AttachmentDeps {
  store: CaseStore;
  attachments: AttachmentStore;
  bucket: EvidenceBucket;
  district: DistrictIndex;
  clock: Clock;
  newId?: () => string;
}

export interface UploadRequest {
  kind: AttachmentKind;
  contentType: string;
  size: number;
  sha256?: string;
  takenAt?: string;
}

export interface UploadGrant {
  attachment: Attachment;
  /** Absent when the attachment was already uploaded and checked (a late retry). */
  upload?: UploadForm;
  replayed: boolean;
}

/** Evidence is for cases still being worked on (or just finished); not for closed, merged or cancelled ones. */
const NO_EVIDENCE: readonly CaseStatus[] = ['closed', 'cancelled', 'merged'];

/** Download links live this long: enough to look, too short to pass around. */
export const DOWNLOAD_URL_SECONDS = 300;

const sha256 = (text: string) => createHash('sha256').update(text).digest();
const derivedId = (...parts: string[]) =>
  `A${sha256(parts.join('\u0000')).subarray(0, 16).toString('base64url')}`;

const loadVisible = async (deps: AttachmentDeps, caseId: string, visibleTo: (c: Case) => boolean) => {
  const stored = await deps.store.get(caseId);
  if (!stored || !visibleTo(stored.case)) throw new CaseNotFoundError(caseId);
  return stored.case;
};

/**
 * A form to upload one piece of evidence straight to the bucket. Idempotent: the same
 * Idempotency-Key (per uploader) or the same sha256 on a case names the same attachment, and a
 * retry gets a fresh form for it while it is still waiting for its upload.
 */
export const requestUpload = async (
  deps: AttachmentDeps,
  request: {
    caseId: string;
    actor: Actor;
    input: UploadRequest;
    idempotencyKey?: string;
    visibleTo: (c: Case) => boolean;
  },
): Promise<UploadGrant> => {
  const { actor, input, idempotencyKey } = request;
  const c = await loadVisible(deps, request.caseId, request.visibleTo);
  authorize(actor, 'upload', c);
  if (NO_EVIDENCE.includes(c.status)) throw new IllegalTransitionError('upload evidence to', c.status);
  const rules = KIND_RULES[input.kind];
  if (!rules.contentTypes.includes(input.contentType)) {
    throw new InvalidInputError(
      'contentType',
      'unsupported_content_type',
      `a ${input.kind} must be one of ${rules.contentTypes.join(', ')}, not ${input.contentType}`,
    );
  }
  if (input.size > rules.maxBytes) {
    throw new InvalidInputError(
      'size',
      'too_large',
      `a ${input.kind} may be at most ${rules.maxBytes / 1024 / 1024} MB`,
    );
  }
  const now = deps.clock.now();
  const id = idempotencyKey
    ? derivedId(c.id, 'idempotency', actor.subject, idempotencyKey)
    : input.sha256
      ? derivedId(c.id, 'sha256', input.sha256)
      : (deps.newId ?? (() => `A${ulid()}`))();
  const minutes = deps.district.config.evidence.uploadFormMinutes;
  const uploadExpiresAt = new Date(Date.parse(now) + minutes * 60_000).toISOString();
  const attachment: Attachment = {
    id,
    caseId: c.id,
    origin: 'field',
    kind: input.kind,
    contentType: input.contentType,
    size: input.size,
    ...(input.sha256 && { sha256: input.sha256 }),
    ...(input.takenAt && { claimedTakenAt: input.takenAt }),
    status: 'pending',
    objectKey: objectKeyOf(c.id, id),
    requestedBy: {
      subject: actor.subject,
      role: actor.role,
      ...(actor.department && { department: actor.department }),
    },
    requestedAt: now,
    uploadExpiresAt,
    requestHash: sha256(canonicalJson(input)).toString('hex'),
    ...(idempotencyKey && { idempotencyKey }),
  };
  const form = () =>
    deps.bucket.uploadForm({
      key: attachment.objectKey,
      contentType: attachment.contentType,
      maxBytes: rules.maxBytes,
      expiresInSeconds: minutes * 60,
    });

  const outcome = await deps.attachments.create(attachment);
  if (outcome.created) return { attachment, upload: await form(), replayed: false };

  const existing = outcome.existing;
  if (idempotencyKey && existing.requestHash !== attachment.requestHash)
    throw new IdempotencyKeyReusedError();
  if (existing.status !== 'pending') return { attachment: existing, replayed: true };
  // Still waiting for its upload (a retry on a weak network): a fresh form, the expiry moved with it.
  const renewed = { ...existing, uploadExpiresAt };
  const attachmentNow = (await deps.attachments.replace(renewed, 'pending'))
    ? renewed
    : ((await deps.attachments.get(c.id, id)) ?? existing);
  if (attachmentNow.status !== 'pending') return { attachment: attachmentNow, replayed: true };
  return { attachment: attachmentNow, upload: await form(), replayed: true };
};

/** An attachment as readers see it: links only to checked evidence, and only for a few minutes. */
export interface AttachmentView {
  id: string;
  origin: AttachmentOrigin;
  /** Camera snapshots: which camera, when it alerted, and the report the alert became. */
  camera?: { cameraId: string; alertAt: string; reportId: string };
  kind: AttachmentKind;
  contentType: string;
  size: number;
  status: Attachment['status'];
  requestedBy: Attachment['requestedBy'];
  requestedAt: string;
  checkedAt?: string;
  rule?: string;
  reason?: string;
  facts?: Attachment['facts'];
  /** Only for verified attachments. */
  downloadUrl?: string;
  thumbnailUrl?: string;
  urlsExpireAt?: string;
}

export const attachmentView = async (
  attachment: Attachment,
  bucket: EvidenceBucket,
  now: string,
): Promise<AttachmentView> => {
  const verified = attachment.status === 'verified';
  return {
    id: attachment.id,
    origin: attachment.origin ?? 'field',
    ...(attachment.camera && {
      camera: {
        cameraId: attachment.camera.cameraId,
        alertAt: attachment.camera.alertAt,
        reportId: attachment.camera.reportId,
      },
    }),
    kind: attachment.kind,
    contentType: attachment.contentType,
    size: attachment.size,
    status: attachment.status,
    requestedBy: attachment.requestedBy,
    requestedAt: attachment.requestedAt,
    ...(attachment.checkedAt && { checkedAt: attachment.checkedAt }),
    ...(attachment.rule && { rule: attachment.rule }),
    ...(attachment.reason && { reason: attachment.reason }),
    ...(attachment.facts && { facts: attachment.facts }),
    // Nothing unverified is ever handed out as evidence: no link to a pending or rejected object.
    ...(verified && {
      downloadUrl: await bucket.downloadUrl(attachment.objectKey, DOWNLOAD_URL_SECONDS),
      ...(attachment.thumbnailKey && {
        thumbnailUrl: await bucket.downloadUrl(attachment.thumbnailKey, DOWNLOAD_URL_SECONDS),
      }),
      urlsExpireAt: new Date(Date.parse(now) + DOWNLOAD_URL_SECONDS * 1000).toISOString(),
    }),
  };
};

/** The case's attachments with short-lived links to the verified ones. */
export const listAttachments = async (
  deps: AttachmentDeps,
  request: { caseId: string; actor: Actor; visibleTo: (c: Case) => boolean },
): Promise<AttachmentView[]> => {
  const c = await loadVisible(deps, request.caseId, request.visibleTo);
  authorize(request.actor, 'download', c);
  const now = deps.clock.now();
  return Promise.all((await deps.attachments.list(c.id)).map((a) => attachmentView(a, deps.bucket, now)));
};
