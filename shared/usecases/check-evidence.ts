import { createHash } from 'node:crypto';
import type { DistrictIndex } from '../domain/district-index';
import { VersionConflictError } from '../domain/errors';
import {
  type Attachment,
  checkArrival,
  type EvidencePolicy,
  inspectEvidence,
  jpegLooksComplete,
  parseObjectKey,
  QUARANTINE_PREFIX,
  quarantineKeyOf,
  sniffContentType,
  thumbnailKeyOf,
  type Verdict,
} from '../domain/evidence';
import { hasEvidenceEntry, recordEvidence } from '../domain/evidence-timeline';
import type { AttachmentStore, CaseStore, Clock, EvidenceBucket, PhotoTools } from '../ports';

export interface CheckEvidenceDeps {
  store: CaseStore;
  attachments: AttachmentStore;
  bucket: EvidenceBucket;
  district: DistrictIndex;
  clock: Clock;
  photos: PhotoTools;
}

export interface ObjectArrival {
  key: string;
  /** When the bucket stored it (the S3 event's time). */
  arrivedAt: string;
}

export type CheckOutcome =
  | { outcome: 'checked'; attachment: Attachment }
  | { outcome: 'already-checked'; attachment: Attachment }
  | { outcome: 'quarantined-unknown'; key: string }
  | { outcome: 'ignored'; key: string };

const policyOf = (district: DistrictIndex): EvidencePolicy => district.config.evidence;

/** Bytes read to tell a video's type without downloading it. */
const HEAD_BYTES = 64;

/** Image types sharp decodes (a HEIC needs libheif's patented codecs, which prebuilt sharp lacks). */
const DECODABLE = new Set(['image/jpeg', 'image/png', 'image/webp']);

/** Reads what the checks need, then asks the domain for the verdict. */
const inspect = async (
  deps: CheckEvidenceDeps,
  attachment: Attachment,
  caseFacts: Parameters<typeof inspectEvidence>[1],
  arrival: ObjectArrival,
  bytes: number,
): Promise<{ verdict: Verdict; thumbnail?: Uint8Array }> => {
  const early = checkArrival(attachment, { bytes, arrivedAt: arrival.arrivedAt });
  if (early) return { verdict: early };
  const policy = policyOf(deps.district);
  const now = deps.clock.now();
  if (attachment.kind === 'video') {
    const head = await deps.bucket.readStart(arrival.key, HEAD_BYTES);
    return {
      verdict: inspectEvidence(
        attachment,
        caseFacts,
        { bytes, head, arrivedAt: arrival.arrivedAt },
        policy,
        now,
      ),
    };
  }
  const content = await deps.bucket.read(arrival.key);
  const detected = sniffContentType(content.subarray(0, HEAD_BYTES));
  const base = {
    bytes: content.length,
    head: content.subarray(0, HEAD_BYTES),
    arrivedAt: arrival.arrivedAt,
    sha256: createHash('sha256').update(content).digest('hex'),
    ...(detected === 'image/jpeg' && { complete: jpegLooksComplete(content) }),
  };
  const first = inspectEvidence(attachment, caseFacts, base, policy, now);
  // Type, truncation or checksum already failed: nothing more to read.
  if (first.status === 'rejected' || !detected || !DECODABLE.has(detected)) return { verdict: first };
  try {
    const photo = await deps.photos.read(content, deps.district.config.timezone);
    const verdict = inspectEvidence(attachment, caseFacts, { ...base, ...photo }, policy, now);
    if (verdict.status === 'rejected') return { verdict };
    return { verdict, thumbnail: await deps.photos.thumbnail(content) };
  } catch (error) {
    if (!deps.photos.isUndecodable(error)) throw error;
    return {
      verdict: {
        status: 'rejected',
        rule: 'undecodable_image',
        reason: `the ${detected} cannot be decoded: ${(error as Error).message.split('\n')[0]}`,
        facts: first.facts,
      },
    };
  }
};

const MAX_CASE_WRITE_ATTEMPTS = 5;

/** Appends the verdict to the case's timeline once, retrying when another write got there first. */
export const recordVerdictOnCase = async (
  deps: Pick<CheckEvidenceDeps, 'store' | 'clock'>,
  attachment: Attachment,
  verdict: Verdict,
  correlationId: string | undefined,
) => {
  for (let attempt = 1; ; attempt++) {
    const stored = await deps.store.get(attachment.caseId);
    if (!stored || hasEvidenceEntry(stored.case, attachment.id)) return;
    const next = recordEvidence(stored.case, attachment, verdict, {
      now: deps.clock.now(),
      ...(correlationId && { correlationId }),
    });
    try {
      await deps.store.save({ ...stored, case: next }, stored.case.version);
      return;
    } catch (error) {
      if (!(error instanceof VersionConflictError) || attempt >= MAX_CASE_WRITE_ATTEMPTS) throw error;
    }
  }
};

/**
 * The evidence check for one object that arrived in the bucket (S3 ObjectCreated, at least once):
 * inspect it, store the thumbnail, append the verdict to the case's timeline, mark the attachment,
 * and last move a rejected object to quarantine. Each step is safe to repeat, so a retried event
 * finishes what a crashed one started and a duplicate one changes nothing.
 */
export const checkEvidence = async (
  deps: CheckEvidenceDeps,
  arrival: ObjectArrival,
  correlationId?: string,
): Promise<CheckOutcome> => {
  if (arrival.key.startsWith(QUARANTINE_PREFIX)) return { outcome: 'ignored', key: arrival.key };
  const ids = parseObjectKey(arrival.key);
  const attachment = ids && (await deps.attachments.get(ids.caseId, ids.attachmentId));
  if (!ids || !attachment) {
    // Nobody asked for this object: it is no one's evidence.
    if (await deps.bucket.head(arrival.key)) {
      await deps.bucket.move(arrival.key, quarantineKeyOf(arrival.key));
    }
    return { outcome: 'quarantined-unknown', key: arrival.key };
  }
  if (attachment.status !== 'pending') return { outcome: 'already-checked', attachment };
  const object = await deps.bucket.head(arrival.key);
  // Gone already (moved by a run that crashed before marking it): nothing left to judge.
  if (!object) return { outcome: 'ignored', key: arrival.key };
  const stored = await deps.store.get(attachment.caseId);
  if (!stored) return { outcome: 'ignored', key: arrival.key };

  const { verdict, thumbnail } = await inspect(deps, attachment, stored.case, arrival, object.bytes);
  const thumbnailKey = thumbnailKeyOf(attachment.caseId, attachment.id);
  if (thumbnail) await deps.bucket.put(thumbnailKey, thumbnail, 'image/jpeg');
  await recordVerdictOnCase(deps, attachment, verdict, correlationId);

  const decided: Attachment = {
    ...attachment,
    status: verdict.status,
    checkedAt: deps.clock.now(),
    facts: verdict.facts,
    ...(thumbnail && { thumbnailKey }),
    ...(verdict.status === 'rejected' && {
      rule: verdict.rule,
      reason: verdict.reason,
      quarantineKey: quarantineKeyOf(arrival.key),
    }),
  };
  if (!(await deps.attachments.replace(decided, 'pending'))) {
    const current = await deps.attachments.get(attachment.caseId, attachment.id);
    return { outcome: 'already-checked', attachment: current ?? decided };
  }
  if (verdict.status === 'rejected') await deps.bucket.move(arrival.key, quarantineKeyOf(arrival.key));
  return { outcome: 'checked', attachment: decided };
};
