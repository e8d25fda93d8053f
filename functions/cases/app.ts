import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import { actorFromEvent } from '../../shared/auth/actor';
import type { Actor } from '../../shared/domain/case';
import { CaseNotFoundError } from '../../shared/domain/errors';
import type { CommandInput } from '../../shared/domain/workflow';
import { caseView } from '../../shared/http/case-view';
import { correlationIdOf, httpFunction, json } from '../../shared/http/middleware';
import { RequestError } from '../../shared/http/problem';
import { jsonBody, pathParam, queryParams } from '../../shared/http/request';
import { CaseId, COMMAND_BODIES, type CommandName, ListQuery } from '../../shared/http/schemas';
import type { CaseStore, Clock } from '../../shared/ports';
import type { ClaimNames } from '../../shared/runtime/config';
import { metrics } from '../../shared/runtime/observability';
import { type RunCommandDeps, runCaseCommand } from '../../shared/usecases/run-command';

export interface CasesDeps extends RunCommandDeps {
  store: CaseStore;
  clock: Clock;
  claimNames: ClaimNames;
}

type Event = APIGatewayProxyEventV2WithJWTAuthorizer;

/** A reporter sees only what they reported; staff roles see every case (finer scopes come with the security work). */
const mayRead = (actor: Actor, submittedBy: string) =>
  actor.role !== 'reporter' || actor.subject === submittedBy;

const getCase = async (deps: CasesDeps, event: Event, actor: Actor) => {
  const id = pathParam(event, 'id', CaseId);
  const stored = await deps.store.get(id);
  // Someone else's report is as invisible to a reporter as a case that doesn't exist.
  if (!stored || !mayRead(actor, stored.case.submittedBy.subject)) throw new CaseNotFoundError(id);
  metrics.addMetric('CaseReads', 'Count', 1);
  return json(200, caseView(stored.case, deps.clock.now()));
};

const listCases = async (deps: CasesDeps, event: Event, actor: Actor) => {
  const query = queryParams(event, ListQuery);
  const now = deps.clock.now();
  const page = await deps.store.list({
    ...(query.status && { status: query.status }),
    ...(query.department && { department: query.department }),
    ...(query.zone && { zone: query.zone }),
    ...(query.overdue && { overdue: query.overdue === 'true' }),
    ...(query.cursor && { cursor: query.cursor }),
    ...(actor.role === 'reporter' && { submittedBy: actor.subject }),
    limit: query.limit ?? 20,
    now,
  });
  return json(200, {
    items: page.items.map((c) => caseView(c, now)),
    ...(page.cursor && { cursor: page.cursor }),
  });
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
  const { expectedVersion, ...body } = jsonBody(event, COMMAND_BODIES[command]);
  const next = await runCaseCommand(deps, {
    caseId,
    input: { command, ...body } as CommandInput,
    actor,
    correlationId: correlationIdOf(event),
    ...(expectedVersion !== undefined && { expectedVersion }),
  });
  metrics.addMetric(`Command_${command}`, 'Count', 1);
  return json(200, caseView(next, deps.clock.now()));
};

/** GET /v1/cases, GET /v1/cases/{id} and POST /v1/cases/{id}/{command}. */
export const makeHandler = (deps: CasesDeps) =>
  httpFunction(async (event: Event) => {
    const actor = actorFromEvent(event, deps.claimNames);
    if (event.routeKey === 'GET /v1/cases') return listCases(deps, event, actor);
    if (event.routeKey === 'GET /v1/cases/{id}') return getCase(deps, event, actor);
    return runCommand(deps, event, actor);
  });
