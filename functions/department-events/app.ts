import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { correlationIdOf, httpFunction, json } from '../../shared/http/middleware';
import { fromZodError, RequestError } from '../../shared/http/problem';
import { pathParam, signedRequestOf } from '../../shared/http/request';
import { DepartmentEventBody, SystemName } from '../../shared/http/schemas';
import type { IntegrationRefusals, RateLimiter } from '../../shared/ports';
import { integrationRefusalMetrics } from '../../shared/runtime/integration-refusals';
import { metrics } from '../../shared/runtime/observability';
import { admitIntegrationCaller } from '../../shared/usecases/admit-integration-caller';
import { applyDepartmentEvent } from '../../shared/usecases/department-events';
import type { RunCommandDeps } from '../../shared/usecases/run-command';
import type { VerifyDeps } from '../../shared/usecases/signed-requests';
import type { SubmitReportDeps } from '../../shared/usecases/submit-report';

export type DepartmentEventsDeps = VerifyDeps &
  SubmitReportDeps &
  RunCommandDeps & {
    rateLimiter: RateLimiter;
    /** Where refused events are counted (default: CloudWatch metrics). */
    refusals?: IntegrationRefusals;
  };

const parseEvent = (body: string) => {
  let document: unknown;
  try {
    document = JSON.parse(body);
  } catch (error) {
    throw new RequestError(400, 'Malformed JSON', [
      { field: 'body', rule: 'json', message: `the body is not valid JSON (${(error as Error).message})` },
    ]);
  }
  const parsed = DepartmentEventBody().safeParse(document);
  if (!parsed.success) throw fromZodError(parsed.error);
  return parsed.data;
};

/**
 * POST /v1/integrations/{system}/events: public at the gateway (no key travels; the HMAC
 * signature is the credential), verified here before the body is even parsed. A new report is 202
 * (200 when the event was seen), a progress note or result 200 with the case's new status.
 */
export const makeHandler = (deps: DepartmentEventsDeps) =>
  httpFunction(async (event: APIGatewayProxyEventV2) => {
    const system = pathParam(event, 'system', SystemName);
    const signed = signedRequestOf(event);
    const { key } = await admitIntegrationCaller(
      { ...deps, refusals: deps.refusals ?? integrationRefusalMetrics },
      { credential: { kind: 'signature', request: signed, department: system }, action: 'events' },
    );
    const departmentEvent = parseEvent(signed.body);
    const result = await applyDepartmentEvent(deps, {
      key,
      system,
      event: departmentEvent,
      correlationId: correlationIdOf(event),
    });
    metrics.addMetric(result.replayed ? 'DepartmentEventsReplayed' : 'DepartmentEventsApplied', 'Count', 1);
    const c = result.case;
    const status = departmentEvent.type === 'report' && !result.replayed ? 202 : 200;
    return json(
      status,
      {
        eventId: departmentEvent.eventId,
        type: departmentEvent.type,
        caseId: c.id,
        status: c.status,
        version: c.version,
      },
      { location: `/v1/cases/${c.id}`, ...(result.replayed && { 'idempotency-replayed': 'true' }) },
    );
  });
