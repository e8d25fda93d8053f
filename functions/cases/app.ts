import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import { actorFromEvent } from '../../shared/auth/actor';
import { integrationFromEvent } from '../../shared/auth/integration';
import { auditCase } from '../../shared/domain/audit';
import { type Action, authorize, isAllowed } from '../../shared/domain/authorization';
import type { Actor, Case } from '../../shared/domain/case';
import { CaseNotFoundError } from '../../shared/domain/errors';
import { HOTLINE_RATINGS } from '../../shared/domain/satisfaction';
import type { CommandInput } from '../../shared/domain/workflow';
import { caseSummaryOf, caseView } from '../../shared/http/case-view';
import { correlationIdOf, httpFunction, json } from '../../shared/http/middleware';
import { RequestError } from '../../shared/http/problem';
import { jsonBody, pathParam, queryParams } from '../../shared/http/request';
import {
  CaseId,
  COMMAND_BODIES,
  type CommandName,
  caseFiltersOf,
  DUPLICATE_BODIES,
  HotlineCallbackBody,
  ListQuery,
  SatisfactionBody,
} from '../../shared/http/schemas';
import type { CaseStore, Clock, IntegrationRefusals, RateLimiter, StoredCase } from '../../shared/ports';
import type { IdentityConfig } from '../../shared/runtime/config';
import { integrationRefusalMetrics } from '../../shared/runtime/integration-refusals';
import { metrics } from '../../shared/runtime/observability';
import { admitIntegrationCaller } from '../../shared/usecases/admit-integration-caller';
import { runDuplicateCommand } from '../../shared/usecases/merge-cases';
import { scopedListQuery } from '../../shared/usecases/read-scope';
import { deliverHotlineCallback, recordVerdict } from '../../shared/usecases/record-verdict';
import { type RunCommandDeps, runCaseCommand } from '../../shared/usecases/run-command';

export interface CasesDeps extends RunCommandDeps {
  store: CaseStore;
  clock: Clock;
  identity: IdentityConfig;
  /** Counts the 12345 platform's callbacks per integration key and minute. */
  rateLimiter: RateLimiter;
  /** Where refused machine callers are counted (default: CloudWatch metrics). */
  refusals?: IntegrationRefusals;
}

/** The 12345 platform delivers its callback results here, with the key that files its tickets. */
export const HOTLINE_CALLBACK_ROUTE = 'POST /v1/integrations/hotline/callbacks';

type Event = APIGatewayProxyEventV2WithJWTAuthorizer;

/**
 * Loads a case the actor may read. A case outside their read scope answers exactly like a case
 * that doesn't exist: a 404 leaks nothing about other departments' or citizens' cases.
 */
const readableBy = (actor: Actor) => (c: Case) => isAllowed(actor, 'read', c);

const loadReadable = async (deps: CasesDeps, actor: Actor, id: string): Promise<StoredCase> => {
  const stored = await deps.store.get(id);
  if (!stored || !readableBy(actor)(stored.case)) throw new CaseNotFoundError(id);
  return stored;
};

const getCase = async (deps: CasesDeps, event: Event, actor: Actor) => {
  const stored = await loadReadable(deps, actor, pathParam(event, 'id', CaseId));
  metrics.addMetric('CaseReads', 'Count', 1);
  return json(200, caseView(stored.case, deps.clock.now(), actor));
};

const auditOf = async (deps: CasesDeps, event: Event, actor: Actor) => {
  const stored = await loadReadable(deps, actor, pathParam(event, 'id', CaseId));
  authorize(actor, 'audit', stored.case);
  return json(200, auditCase(stored.case));
};

const listCases = async (deps: CasesDeps, event: Event, actor: Actor) => {
  const now = deps.clock.now();
  const query = queryParams(event, ListQuery);
  const scoped = scopedListQuery(actor, caseFiltersOf(query), now);
  metrics.addMetric('CaseLists', 'Count', 1);
  // A board's summaries read a fraction of each case from the table (no timeline).
  const page =
    query.view === 'summary'
      ? await deps.store.listSummaries(scoped).then((p) => ({
          ...p,
          items: p.items.map((c) => caseSummaryOf(c, now, actor)),
        }))
      : await deps.store
          .list(scoped)
          .then((p) => ({ ...p, items: p.items.map((c) => caseView(c, now, actor)) }));
  return json(200, { items: page.items, ...(page.cursor && { cursor: page.cursor }) });
};

const commandOf = (routeKey: string): CommandName => {
  const command = routeKey.split('/').pop() as CommandName;
  if (!(command in COMMAND_BODIES)) {
    throw new RequestError(404, 'Unknown command', [
      { field: 'command', rule: 'known_command', message: routeKey },
    ]);
  }
  return command;
};

const runCommand = async (deps: CasesDeps, event: Event, actor: Actor) => {
  const caseId = pathParam(event, 'id', CaseId);
  const command = commandOf(event.routeKey);
  const { expectedVersion, ...body } = jsonBody(event, COMMAND_BODIES[command]());
  const next = await runCaseCommand(deps, {
    caseId,
    // Commands on a case the actor can't even read are 404s, like reads; the workflow checks the rest.
    visibleTo: readableBy(actor),
    input: { command, ...body } as CommandInput,
    actor,
    correlationId: correlationIdOf(event),
    ...(expectedVersion !== undefined && { expectedVersion }),
  });
  metrics.addMetric(`Command_${command satisfies Action}`, 'Count', 1);
  return json(200, caseView(next, deps.clock.now(), actor));
};

/**
 * 回访: the reporter's verdict on their closed case, or an operator's record of it from a phone
 * callback (the command centre, channel `operator`). A report merged into another case is judged on
 * that case. 200 with the case judged; the same verdict again is 200 with the case unchanged
 * (Idempotency-Replayed).
 */
const recordSatisfaction = async (deps: CasesDeps, event: Event, actor: Actor) => {
  const reportId = pathParam(event, 'id', CaseId);
  const { rating, comment, expectedVersion } = jsonBody(event, SatisfactionBody());
  // A report merged into another case is judged there, as that case's verdict for this report
  // (the 12345 callback does the same for a merged ticket); expectedVersion is then the case's.
  const report = await loadReadable(deps, actor, reportId);
  const into = report.case.status === 'merged' ? report.case.mergedInto : undefined;
  const result = await recordVerdict(deps, {
    caseId: into ?? reportId,
    ...(into === undefined ? { loaded: report } : { reportId }),
    visibleTo: readableBy(actor),
    rating,
    ...(comment !== undefined && { comment }),
    channel: actor.role === 'reporter' ? 'citizen' : 'operator',
    actor,
    correlationId: correlationIdOf(event),
    ...(expectedVersion !== undefined && { expectedVersion }),
  });
  metrics.addMetric(result.replayed ? 'VerdictsReplayed' : 'VerdictsRecorded', 'Count', 1);
  return json(
    200,
    caseView(result.case, deps.clock.now(), actor),
    result.replayed ? { 'idempotency-replayed': 'true' } : {},
  );
};

/**
 * A 12345 callback result (回访结果) for a ticket the platform filed: 200 with the case it was
 * recorded on, the rating, and whether this callback reopened the case; the same callback again is
 * 200 with Idempotency-Replayed.
 */
const hotlineCallback = async (deps: CasesDeps, event: Event) => {
  const { principal: integration } = await admitIntegrationCaller(
    { ...deps, refusals: deps.refusals ?? integrationRefusalMetrics },
    {
      credential: { kind: 'authorizer', principal: integrationFromEvent(event) },
      action: 'report',
      source: 'hotline',
    },
  );
  const callback = jsonBody(event, HotlineCallbackBody());
  const result = await deliverHotlineCallback(deps, { callback, actor: integration.actor });
  metrics.addMetric(result.replayed ? 'HotlineCallbacksReplayed' : 'HotlineCallbacksRecorded', 'Count', 1);
  const c = result.case;
  return json(
    200,
    {
      ticketNo: callback.ticketNo,
      caseId: c.id,
      ...(c.id !== result.ticketCaseId && { mergedFrom: result.ticketCaseId }),
      status: c.status,
      version: c.version,
      rating: HOTLINE_RATINGS[callback.result],
      reopened: result.reopened,
    },
    { location: `/v1/cases/${c.id}`, ...(result.replayed && { 'idempotency-replayed': 'true' }) },
  );
};

/** Manual merge (`{into}`), unmerge and dismissing a duplicate flag (see runDuplicateCommand). */
const duplicateCommand = async (deps: CasesDeps, event: Event, actor: Actor) => {
  const caseId = pathParam(event, 'id', CaseId);
  const command = event.routeKey.split('/').pop() as keyof typeof DUPLICATE_BODIES;
  const { expectedVersion, reason, ...body } = jsonBody(event, DUPLICATE_BODIES[command]());
  const result = await runDuplicateCommand(deps, {
    caseId,
    decision:
      'into' in body
        ? { command: 'merge', into: body.into }
        : { command: command === 'unmerge' ? 'unmerge' : 'dismiss-duplicate' },
    actor,
    visibleTo: readableBy(actor),
    correlationId: correlationIdOf(event),
    ...(reason !== undefined && { reason }),
    ...(expectedVersion !== undefined && { expectedVersion }),
  });
  metrics.addMetric(`Command_${String(command).replace('-', '_')}`, 'Count', 1);
  return json(200, caseView(result, deps.clock.now(), actor));
};

/**
 * GET /v1/cases, GET /v1/cases/{id}, GET /v1/cases/{id}/audit, POST /v1/cases/{id}/{command},
 * the reporter's verdict (POST /v1/cases/{id}/satisfaction) and the 12345 platform's callback results.
 */
export const makeHandler = (deps: CasesDeps) =>
  httpFunction(async (event: Event) => {
    if (event.routeKey === HOTLINE_CALLBACK_ROUTE) return hotlineCallback(deps, event);
    const actor = actorFromEvent(event, deps.identity);
    switch (event.routeKey) {
      case 'POST /v1/cases/{id}/satisfaction':
        return recordSatisfaction(deps, event, actor);
      case 'GET /v1/cases':
        return listCases(deps, event, actor);
      case 'GET /v1/cases/{id}':
        return getCase(deps, event, actor);
      case 'GET /v1/cases/{id}/audit':
        return auditOf(deps, event, actor);
      case 'POST /v1/cases/{id}/merge':
      case 'POST /v1/cases/{id}/unmerge':
      case 'POST /v1/cases/{id}/dismiss-duplicate':
        return duplicateCommand(deps, event, actor);
      default:
        return runCommand(deps, event, actor);
    }
  });
