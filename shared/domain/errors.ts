/**
 * Named domain errors. Only the HTTP edge (`shared/http/problem.ts`) turns them into status codes.
 * Each carries the field and rule it is about, so a client can tell what to fix.
 */
export abstract class DomainError extends Error {
  abstract readonly rule: string;
  constructor(
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class CaseNotFoundError extends DomainError {
  readonly rule = 'case_not_found';
  constructor(readonly caseId: string) {
    super(`no case ${caseId}`, 'id');
  }
}

export class VersionConflictError extends DomainError {
  readonly rule = 'version_conflict';
  constructor(
    readonly caseId: string,
    readonly expected: number,
    readonly actual?: number,
  ) {
    super(
      actual === undefined
        ? `case ${caseId} changed while this command ran; reload it and try again`
        : `case ${caseId} is at version ${actual}, not ${expected}`,
      'expectedVersion',
    );
  }
}

export class IllegalTransitionError extends DomainError {
  readonly rule = 'illegal_transition';
  constructor(
    readonly command: string,
    readonly status: string,
  ) {
    super(`cannot ${command} a case that is ${status}`, 'status');
  }
}

/** A 12345 callback for a ticket the platform never filed here. */
export class TicketNotFoundError extends DomainError {
  readonly rule = 'ticket_not_found';
  constructor(readonly ticketNo: string) {
    super(`no case for 12345 ticket ${ticketNo}`, 'ticketNo');
  }
}

/** A verdict (回访) on a case that is not closed: the reporter judges the result, so it must be in. */
export class CaseNotClosedError extends DomainError {
  readonly rule = 'case_not_closed';
  constructor(
    readonly caseId: string,
    readonly status: string,
  ) {
    super(`case ${caseId} is ${status}: a verdict is given once the case is closed`, 'status');
  }
}

export class ForbiddenActionError extends DomainError {
  readonly rule = 'forbidden';
  constructor(
    readonly action: string,
    why: string,
  ) {
    super(`not allowed to ${action}: ${why}`, 'authorization');
  }
}

export class UnauthenticatedError extends DomainError {
  readonly rule = 'unauthenticated';
  constructor(why: string) {
    super(why, 'authorization');
  }
}

/** A business rule about the input that the schema alone can't check (unknown category, outside the district…). */
export class InvalidInputError extends DomainError {
  constructor(
    field: string,
    readonly rule: string,
    message: string,
  ) {
    super(message, field);
  }
}

export class IdempotencyKeyReusedError extends DomainError {
  readonly rule = 'idempotency_key_reused';
  constructor() {
    super('this Idempotency-Key was already used with a different request body', 'Idempotency-Key');
  }
}

export class IntegrationKeyNotFoundError extends DomainError {
  readonly rule = 'integration_key_not_found';
  constructor(readonly keyId: string) {
    super(`no integration key ${keyId}`, 'id');
  }
}

/** An integration key reports for one source only (the hotline key cannot pose as a camera). */
export class SourceNotAllowedError extends DomainError {
  readonly rule = 'source_bound_to_key';
  constructor(
    readonly allowed: string,
    readonly given: string,
  ) {
    super(`this integration key reports as source "${allowed}", not "${given}"`, 'source');
  }
}

/** A client went over its per-minute budget; it may try again when the window turns. */
export class RateLimitExceededError extends DomainError {
  readonly rule = 'rate_limited';
  constructor(
    readonly limitPerMinute: number,
    readonly retryAfterSeconds: number,
    /** Whose budget it is, and the request part that names them. */
    who: { name: string; field: string } = { name: 'this integration key', field: 'x-api-key' },
  ) {
    super(
      `${who.name} may make ${limitPerMinute} requests a minute; retry in ${retryAfterSeconds} s`,
      who.field,
    );
  }
}

export class JointVisitNotFoundError extends DomainError {
  readonly rule = 'joint_visit_not_found';
  constructor(readonly visitId: string) {
    super(`no joint visit ${visitId}`, 'id');
  }
}

/** A joint visit command its current status doesn't allow (accepting a visit still proposed…). */
export class IllegalVisitTransitionError extends DomainError {
  readonly rule = 'illegal_transition';
  constructor(
    readonly command: string,
    readonly status: string,
  ) {
    super(`cannot ${command} a joint visit that is ${status}`, 'status');
  }
}

/**
 * A signed request refused: `signature_refused` for a wrong, unknown or revoked key, a tampered
 * body or a malformed signature (the caller learns nothing about which); `stale_timestamp` and
 * `replayed_signature` say what the sender must fix (its clock, a fresh signature).
 */
export class SignatureRejectedError extends DomainError {
  constructor(
    readonly rule: 'signature_refused' | 'stale_timestamp' | 'replayed_signature',
    message: string,
  ) {
    super(message, 'x-xietong-signature');
  }
}

export class SubscriptionNotFoundError extends DomainError {
  readonly rule = 'subscription_not_found';
  constructor(readonly subscriptionId: string) {
    super(`no subscription ${subscriptionId}`, 'id');
  }
}

export class CameraNotFoundError extends DomainError {
  readonly rule = 'camera_not_found';
  constructor(readonly cameraId: string) {
    super(`no camera ${cameraId}`, 'id');
  }
}

/** Registering a camera under an id the registry already has (PUT replaces one). */
export class CameraExistsError extends DomainError {
  readonly rule = 'camera_exists';
  constructor(readonly cameraId: string) {
    super(`camera ${cameraId} is already registered; PUT /v1/cameras/${cameraId} replaces it`, 'id');
  }
}

/** An export job that doesn't exist or isn't the caller's: both answer alike, so ids leak nothing. */
export class ExportJobNotFoundError extends DomainError {
  readonly rule = 'export_job_not_found';
  constructor(readonly jobId: string) {
    super(`no export job ${jobId}`, 'id');
  }
}

/**
 * A case export bigger than one request may read or answer: `max_rows` (more rows than a reply, or
 * than any export, holds) or `read_time` (reading would outlast the API's 29 s). The message says
 * how to get it anyway (an export job, narrower filters).
 */
export class ExportTooLargeError extends DomainError {
  constructor(
    readonly rule: 'max_rows' | 'read_time',
    message: string,
  ) {
    super(message, 'query');
  }
}
