import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import { actorFromEvent } from '../../shared/auth/actor';
import { caseView } from '../../shared/http/case-view';
import { correlationIdOf, httpFunction, json } from '../../shared/http/middleware';
import { headerParam, jsonBody } from '../../shared/http/request';
import { IdempotencyKey, ReportBody } from '../../shared/http/schemas';
import type { Clock } from '../../shared/ports';
import type { IdentityConfig } from '../../shared/runtime/config';
import { metrics } from '../../shared/runtime/observability';
import { type SubmitReportDeps, submitReport } from '../../shared/usecases/submit-report';

export interface IntakeDeps extends SubmitReportDeps {
  identity: IdentityConfig;
  clock: Clock;
}

/** POST /v1/cases: accept a report (202) and hand it to the router; a retry returns the same case. */
export const makeHandler = (deps: IntakeDeps) =>
  httpFunction(async (event: APIGatewayProxyEventV2WithJWTAuthorizer) => {
    const actor = actorFromEvent(event, deps.identity);
    const input = jsonBody(event, ReportBody);
    const idempotencyKey = headerParam(event, 'Idempotency-Key', IdempotencyKey);
    const result = await submitReport(deps, {
      input,
      actor,
      correlationId: correlationIdOf(event),
      ...(idempotencyKey !== undefined && { idempotencyKey }),
    });
    metrics.addMetric(result.replayed ? 'ReportsReplayed' : 'ReportsAccepted', 'Count', 1);
    return json(202, caseView(result.case, deps.clock.now(), actor), {
      location: `/v1/cases/${result.case.id}`,
      ...(result.replayed && { 'idempotency-replayed': 'true' }),
    });
  });
