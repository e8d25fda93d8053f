import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import { actorFromEvent } from '../../shared/auth/actor';
import { integrationFromEvent } from '../../shared/auth/integration';
import type { Actor } from '../../shared/domain/case';
import type { ReportInput } from '../../shared/domain/report';
import { caseView } from '../../shared/http/case-view';
import { correlationIdOf, httpFunction, json } from '../../shared/http/middleware';
import { header, headerParam, jsonBody } from '../../shared/http/request';
import { HotlineTicketBody, IdempotencyKey, ReportBody } from '../../shared/http/schemas';
import type { Clock, IntegrationRefusals, RateLimiter } from '../../shared/ports';
import {
  type CitizenReportLimits,
  DEFAULT_CITIZEN_REPORT_LIMITS,
  type IdentityConfig,
} from '../../shared/runtime/config';
import { integrationRefusalMetrics } from '../../shared/runtime/integration-refusals';
import { metrics } from '../../shared/runtime/observability';
import { admitIntegrationCaller, requireSource } from '../../shared/usecases/admit-integration-caller';
import { submitHotlineTicket } from '../../shared/usecases/hotline-ticket';
import { consumeRateLimit } from '../../shared/usecases/rate-limit';
import { reportIdFor, type SubmitReportDeps, submitReport } from '../../shared/usecases/submit-report';

export interface IntakeDeps extends SubmitReportDeps {
  identity: IdentityConfig;
  clock: Clock;
  /** Counts machine reports per integration key and minute, citizens' per account and address. */
  rateLimiter: RateLimiter;
  /** Citizens' reports a minute (default DEFAULT_CITIZEN_REPORT_LIMITS). */
  citizenLimits?: CitizenReportLimits;
  /** Where refused machine callers are counted (default: CloudWatch metrics). */
  refusals?: IntegrationRefusals;
}

type Deps = IntakeDeps & { refusals: IntegrationRefusals };

/** Machine clients report here, behind the key authorizer; people report on POST /v1/cases. */
export const INTEGRATION_REPORT_ROUTE = 'POST /v1/integrations/reports';
/** The 12345 hotline platform posts its tickets here, with a key bound to the `hotline` source. */
export const HOTLINE_TICKET_ROUTE = 'POST /v1/integrations/hotline/tickets';

/**
 * A 12345 ticket: 202 with the new case, 200 with the same case when the ticket was seen before;
 * both say who leads and by when (see submitHotlineTicket).
 */
const hotlineTicket = async (deps: Deps, event: APIGatewayProxyEventV2WithJWTAuthorizer) => {
  const { principal: integration } = await admitIntegrationCaller(deps, {
    credential: { kind: 'authorizer', principal: integrationFromEvent(event) },
    action: 'report',
    source: 'hotline',
  });
  const ticket = jsonBody(event, HotlineTicketBody);
  const result = await submitHotlineTicket(deps, {
    ticket,
    actor: integration.actor,
    correlationId: correlationIdOf(event),
  });
  metrics.addMetric(result.replayed ? 'HotlineTicketsReplayed' : 'HotlineTicketsAccepted', 'Count', 1);
  const c = result.case;
  return json(
    result.replayed ? 200 : 202,
    {
      ticketNo: ticket.ticketNo,
      caseId: c.id,
      status: c.status,
      ...(c.category !== undefined && { category: c.category }),
      lead: result.lead ?? null,
      deadline: result.handleBy ? { handleBy: result.handleBy, estimated: result.deadlineEstimated } : null,
      mapping: result.mapping,
    },
    {
      location: `/v1/cases/${c.id}`,
      ...(result.replayed && { 'idempotency-replayed': 'true' }),
    },
  );
};

/**
 * The caller's address. Behind CloudFront, API Gateway's `sourceIp` is the edge's address and the
 * viewer's is the last but one entry of X-Forwarded-For (CloudFront appends it, API Gateway appends
 * the edge). A caller going around CloudFront can forge that header: the per-account limit holds
 * regardless.
 */
export const clientAddressOf = (event: APIGatewayProxyEventV2WithJWTAuthorizer): string => {
  const source = event.requestContext.http.sourceIp;
  if (!/cloudfront/i.test(header(event, 'via') ?? '')) return source;
  const forwarded = (header(event, 'x-forwarded-for') ?? '')
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean);
  return forwarded.length >= 2 ? (forwarded[forwarded.length - 2] ?? source) : source;
};

/**
 * Citizens' reports (the `reporter` role, the one exposed to the public) are counted per account,
 * and per address so that many throwaway accounts behind one machine are throttled too. A retry of
 * a report already accepted (same Idempotency-Key or ticket) is not counted: the phone's outbox
 * repeats a report whose answer was lost, and must get its case, not a 429.
 */
const throttleCitizen = async (
  deps: IntakeDeps,
  event: APIGatewayProxyEventV2WithJWTAuthorizer,
  request: { actor: Actor; input: ReportInput; idempotencyKey?: string },
): Promise<void> => {
  const limits = deps.citizenLimits ?? DEFAULT_CITIZEN_REPORT_LIMITS;
  if (request.actor.role !== 'reporter' || limits === 'off') return;
  if (request.idempotencyKey !== undefined || request.input.externalRef) {
    if (await deps.store.get(reportIdFor(deps, request))) return;
  }
  try {
    await consumeRateLimit(deps, `citizen#${request.actor.subject}`, limits.account, {
      name: 'this account',
      field: 'authorization',
    });
    await consumeRateLimit(deps, `address#${clientAddressOf(event)}`, limits.address, {
      name: 'this address',
      field: 'x-forwarded-for',
    });
  } catch (error) {
    metrics.addMetric('CitizenReportsRateLimited', 'Count', 1);
    throw error;
  }
};

/**
 * POST /v1/cases and POST /v1/integrations/reports: accept a report (202) and hand it to the
 * router; a retry returns the same case. An integration key reports only as its own source.
 */
export const makeHandler = (intakeDeps: IntakeDeps) => {
  const deps: Deps = { ...intakeDeps, refusals: intakeDeps.refusals ?? integrationRefusalMetrics };
  return httpFunction(async (event: APIGatewayProxyEventV2WithJWTAuthorizer) => {
    if (event.routeKey === HOTLINE_TICKET_ROUTE) return hotlineTicket(deps, event);
    const integration =
      event.routeKey === INTEGRATION_REPORT_ROUTE
        ? (
            await admitIntegrationCaller(deps, {
              credential: { kind: 'authorizer', principal: integrationFromEvent(event) },
              action: 'report',
            })
          ).principal
        : undefined;
    const actor: Actor = integration?.actor ?? actorFromEvent(event, deps.identity);
    const input = jsonBody(event, ReportBody);
    // The key's source is checked once the body names the report's.
    if (integration) requireSource(integration, input.source);
    const idempotencyKey = headerParam(event, 'Idempotency-Key', IdempotencyKey);
    await throttleCitizen(deps, event, {
      actor,
      input,
      ...(idempotencyKey !== undefined && { idempotencyKey }),
    });
    const result = await submitReport(deps, {
      input,
      actor,
      correlationId: correlationIdOf(event),
      ...(idempotencyKey !== undefined && { idempotencyKey }),
    });
    metrics.addMetric(result.replayed ? 'ReportsReplayed' : 'ReportsAccepted', 'Count', 1);
    if (integration) metrics.addMetric('IntegrationReports', 'Count', 1);
    return json(202, caseView(result.case, deps.clock.now(), actor), {
      location: `/v1/cases/${result.case.id}`,
      ...(result.replayed && { 'idempotency-replayed': 'true' }),
    });
  });
};
