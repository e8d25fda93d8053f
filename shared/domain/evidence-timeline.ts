import type { Actor, Case } from './case';
import { type Attachment, summarise, type Verdict } from './evidence';
import { advance } from './workflow';

/** The evidence function acts as the platform, on behalf of whoever uploaded. */
export const SYSTEM_EVIDENCE: Actor = {
  subject: 'system:evidence',
  role: 'system',
  name: 'xietong evidence check',
};

/** Whether the case's timeline already records the verdict on this attachment (a retried event). */
export const hasEvidenceEntry = (c: Case, attachmentId: string): boolean =>
  c.timeline.some(
    (entry) =>
      (entry.action === 'evidence-verified' || entry.action === 'evidence-rejected') &&
      entry.details?.attachmentId === attachmentId,
  );

/**
 * One timeline entry for the checked attachment (the status stays), and the case's evidence counts:
 * one version-checked write like every other step, so the hash chain and the audit stay whole.
 */
export const recordEvidence = (
  c: Case,
  attachment: Attachment,
  verdict: Verdict,
  ctx: { now: string; correlationId?: string },
): Case => {
  const { facts } = verdict;
  return advance(
    c,
    {
      action: verdict.status === 'verified' ? 'evidence-verified' : 'evidence-rejected',
      to: c.status,
      ...(verdict.status === 'rejected' && { reason: verdict.reason }),
      details: {
        attachmentId: attachment.id,
        kind: attachment.kind,
        uploadedBy: attachment.requestedBy.subject,
        bytes: facts.bytes,
        ...(verdict.status === 'rejected' && { rule: verdict.rule }),
        ...(facts.takenAt && { takenAt: facts.takenAt }),
        ...(facts.distanceMetres !== undefined && { distanceMetres: facts.distanceMetres }),
        ...(facts.takenAfterDispatch !== undefined && { takenAfterDispatch: facts.takenAfterDispatch }),
      },
    },
    { actor: SYSTEM_EVIDENCE, now: ctx.now, ...(ctx.correlationId && { correlationId: ctx.correlationId }) },
    { evidence: summarise(c.evidence, attachment, verdict) },
  );
};
