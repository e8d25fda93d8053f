import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import { actorFromEvent } from '../../shared/auth/actor';
import { isAllowed } from '../../shared/domain/authorization';
import type { Actor, Case } from '../../shared/domain/case';
import { httpFunction, json } from '../../shared/http/middleware';
import { headerParam, jsonBody, pathParam } from '../../shared/http/request';
import { AttachmentRequestBody, CaseId, IdempotencyKey } from '../../shared/http/schemas';
import {
  type CitizenReportLimits,
  DEFAULT_CITIZEN_REPORT_LIMITS,
  type IdentityConfig,
} from '../../shared/runtime/config';
import { metrics } from '../../shared/runtime/observability';
import {
  type AttachmentDeps,
  attachmentView,
  listAttachments,
  requestUpload,
} from '../../shared/usecases/attachments';
import { consumeRateLimit, type RateLimitDeps } from '../../shared/usecases/rate-limit';

export interface AttachmentsDeps extends AttachmentDeps, RateLimitDeps {
  identity: IdentityConfig;
  /** Residents' report limits (intake's, XT_CITIZEN_REPORTS_PER_MINUTE); their upload forms follow them. */
  citizenLimits?: CitizenReportLimits;
}

/** The photos one resident's report may carry: the citizens' page offers three. */
export const PHOTOS_PER_CITIZEN_REPORT = 3;

/**
 * A resident (the `reporter` role, the one exposed to the public) asks for at most as many upload
 * forms a minute as the photos of the reports they may send in it; staff are not counted. A retry
 * counts too, which the margin of three photos a report absorbs.
 */
const throttleCitizenUploads = async (deps: AttachmentsDeps, actor: Actor): Promise<void> => {
  const limits = deps.citizenLimits ?? DEFAULT_CITIZEN_REPORT_LIMITS;
  if (actor.role !== 'reporter' || limits === 'off') return;
  try {
    await consumeRateLimit(
      deps,
      `citizen-uploads#${actor.subject}`,
      limits.account * PHOTOS_PER_CITIZEN_REPORT,
      { name: 'this account', field: 'authorization' },
    );
  } catch (error) {
    metrics.addMetric('CitizenUploadsRateLimited', 'Count', 1);
    throw error;
  }
};

type Event = APIGatewayProxyEventV2WithJWTAuthorizer;

/** A case outside the actor's read scope is as absent as a missing one (404), like everywhere else. */
const readableBy = (actor: Actor) => (c: Case) => isAllowed(actor, 'read', c);

/**
 * POST /v1/cases/{id}/attachments: an upload form (S3 presigned POST) for one piece of evidence;
 * 201 when new, 200 for a retry (same Idempotency-Key or sha256). GET lists the case's evidence.
 */
export const makeHandler = (deps: AttachmentsDeps) =>
  httpFunction(async (event: Event) => {
    const actor = actorFromEvent(event, deps.identity);
    const caseId = pathParam(event, 'id', CaseId);
    if (event.routeKey === 'GET /v1/cases/{id}/attachments') {
      const items = await listAttachments(deps, { caseId, actor, visibleTo: readableBy(actor) });
      return json(200, { items });
    }
    await throttleCitizenUploads(deps, actor);
    const input = jsonBody(event, AttachmentRequestBody);
    const idempotencyKey = headerParam(event, 'Idempotency-Key', IdempotencyKey);
    const grant = await requestUpload(deps, {
      caseId,
      actor,
      visibleTo: readableBy(actor),
      input: {
        kind: input.kind,
        contentType: input.contentType,
        size: input.size,
        ...(input.sha256 && { sha256: input.sha256 }),
        ...(input.takenAt && { takenAt: input.takenAt }),
      },
      ...(idempotencyKey !== undefined && { idempotencyKey }),
    });
    metrics.addMetric(grant.replayed ? 'UploadFormsReplayed' : 'UploadFormsIssued', 'Count', 1);
    return json(
      grant.replayed ? 200 : 201,
      {
        attachment: await attachmentView(grant.attachment, deps.bucket, deps.clock.now()),
        ...(grant.upload && { upload: grant.upload }),
      },
      {
        location: `/v1/cases/${caseId}/attachments`,
        ...(grant.replayed && { 'idempotency-replayed': 'true' }),
      },
    );
  });
