import { createHash } from 'node:crypto';
import { ulid } from 'ulid';
import { authorize } from '../domain/authorization';
import { canonicalJson } from '../domain/canonical-json';
import type { Actor, Case, ExternalRef } from '../domain/case';
import type { DistrictIndex } from '../domain/district-index';
import { IdempotencyKeyReusedError } from '../domain/errors';
import { newReportedCase, type ReportInput } from '../domain/report';
import { routingAreaOf } from '../domain/routing-area';
import type { CaseStore, Clock, IntakeFingerprint, ReportQueue } from '../ports';

export interface SubmitReportDeps {
  store: CaseStore;
  queue: ReportQueue;
  district: DistrictIndex;
  clock: Clock;
  /** Id for a report with neither an Idempotency-Key nor an external ref (default: a ULID). */
  newId?: () => string;
}

export interface SubmitReportRequest {
  input: ReportInput;
  actor: Actor;
  idempotencyKey?: string;
  correlationId: string;
  /**
   * What a retry must repeat to be the same request (default: the input). Camera alerts pass the
   * alert as sent: their input also holds what the platform found out (the snapshot it fetched),
   * which a retry need not reproduce.
   */
  fingerprint?: unknown;
}

export interface SubmitReportResult {
  case: Case;
  /** True when the request repeated one already accepted (same key or same external ticket). */
  replayed: boolean;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest();

/** Case ids derived from a retry-stable key, so a retry hits the same item (a conditional write, not a lookup). */
const derivedId = (...parts: string[]) =>
  `C${sha256(parts.join('\u0000')).subarray(0, 16).toString('base64url')}`;

/** The case an external ticket became (or will become): its id derives from the ticket alone. */
export const externalCaseId = (districtId: string, ref: ExternalRef): string =>
  derivedId(districtId, 'external', ref.system, ref.id);

/**
 * Intake: validate against the district, write the case once (conditional put on a deterministic
 * id), then hand it to the router. A retry of an accepted report re-sends it to the queue if it is
 * still unrouted, so a crash between the two writes is healed by the client's own retry (and by the sweep).
 */
/**
 * The case id a report will have: from its external ticket, else from the caller's key, else new.
 * Known before the report is written, so a caller can stage things under it (a camera snapshot).
 */
export const reportIdFor = (
  deps: Pick<SubmitReportDeps, 'district' | 'newId'>,
  request: Pick<SubmitReportRequest, 'input' | 'actor' | 'idempotencyKey'>,
): string => {
  const { input, actor, idempotencyKey } = request;
  const districtId = deps.district.config.id;
  return input.externalRef
    ? externalCaseId(districtId, input.externalRef)
    : idempotencyKey
      ? derivedId(districtId, 'idempotency', actor.subject, idempotencyKey)
      : (deps.newId ?? (() => `C${ulid()}`))();
};

export const submitReport = async (
  deps: SubmitReportDeps,
  request: SubmitReportRequest,
): Promise<SubmitReportResult> => {
  const { input, actor, idempotencyKey } = request;
  authorize(actor, 'report');
  const id = reportIdFor(deps, request);
  const fingerprint: IntakeFingerprint = {
    requestHash: sha256(canonicalJson(request.fingerprint ?? input)).toString('hex'),
    ...(idempotencyKey !== undefined && { idempotencyKey }),
  };
  const reported = newReportedCase(input, {
    id,
    district: deps.district,
    actor,
    now: deps.clock.now(),
    correlationId: request.correlationId,
  });

  const outcome = await deps.store.create(reported, fingerprint);
  if (outcome.created) {
    await deps.queue.enqueue({
      caseId: reported.id,
      correlationId: request.correlationId,
      area: routingAreaOf(reported.location),
    });
    return { case: reported, replayed: false };
  }
  const existing = outcome.existing;
  // The same external ticket is the same event whatever the body says now; a reused key with
  // another body is a client bug.
  if (!input.externalRef && existing.intake?.requestHash !== fingerprint.requestHash) {
    throw new IdempotencyKeyReusedError();
  }
  if (existing.case.status === 'reported') {
    await deps.queue.enqueue({
      caseId: existing.case.id,
      correlationId: request.correlationId,
      area: routingAreaOf(existing.case.location),
    });
  }
  return { case: existing.case, replayed: true };
};
