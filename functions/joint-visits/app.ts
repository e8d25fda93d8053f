import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import { actorFromEvent } from '../../shared/auth/actor';
import type { Actor } from '../../shared/domain/case';
import { VersionConflictError } from '../../shared/domain/errors';
import {
  JOINT_VISIT_BODIES,
  type JointVisitCommand,
  JointVisitId,
  JointVisitListQuery,
} from '../../shared/http/joint-visit-schemas';
import { correlationIdOf, httpFunction, json } from '../../shared/http/middleware';
import { RequestError } from '../../shared/http/problem';
import { jsonBody, pathParam, queryParams } from '../../shared/http/request';
import type { IdentityConfig } from '../../shared/runtime/config';
import { metrics } from '../../shared/runtime/observability';
import {
  acceptVisit,
  confirmVisit,
  type JointVisitDeps,
  listVisits,
  loadVisit,
  resolveVisit,
  visitFigures,
  visitView,
} from '../../shared/usecases/joint-visits';

export interface JointVisitsDeps extends JointVisitDeps {
  identity: IdentityConfig;
}

type Event = APIGatewayProxyEventV2WithJWTAuthorizer;

const list = async (deps: JointVisitsDeps, event: Event, actor: Actor) => {
  const query = queryParams(event, JointVisitListQuery);
  const page = await listVisits(deps, actor, {
    status: query.status,
    limit: query.limit ?? 20,
    ...(query.cursor && { cursor: query.cursor }),
  });
  return json(200, { items: page.items.map(visitView), ...(page.cursor && { cursor: page.cursor }) });
};

const commandOf = (routeKey: string): JointVisitCommand => {
  const command = routeKey.split('/').pop() as JointVisitCommand;
  if (!(command in JOINT_VISIT_BODIES)) {
    throw new RequestError(404, 'Unknown command', [
      { field: 'command', rule: 'known_command', message: routeKey },
    ]);
  }
  return command;
};

/** A client that saw an older version of the visit is refused before anything is written. */
const checkVersion = async (deps: JointVisitsDeps, actor: Actor, visitId: string, expected?: number) => {
  if (expected === undefined) return;
  const visit = await loadVisit(deps, actor, visitId);
  if (visit.version !== expected) throw new VersionConflictError(visitId, expected, visit.version);
};

const runCommand = async (deps: JointVisitsDeps, event: Event, actor: Actor) => {
  const visitId = pathParam(event, 'id', JointVisitId);
  const command = commandOf(event.routeKey);
  const request = { visitId, actor, correlationId: correlationIdOf(event) };
  metrics.addMetric(`JointVisit_${command}`, 'Count', 1);
  switch (command) {
    case 'confirm': {
      const body = jsonBody(event, JOINT_VISIT_BODIES.confirm);
      await checkVersion(deps, actor, visitId, body.expectedVersion);
      return json(200, { visit: visitView(await confirmVisit(deps, request)), cases: [] });
    }
    case 'accept': {
      const body = jsonBody(event, JOINT_VISIT_BODIES.accept);
      await checkVersion(deps, actor, visitId, body.expectedVersion);
      const done = await acceptVisit(deps, { ...request, ...(body.note && { note: body.note }) });
      return json(200, { visit: visitView(done.visit), cases: done.cases });
    }
    case 'resolve': {
      const body = jsonBody(event, JOINT_VISIT_BODIES.resolve);
      await checkVersion(deps, actor, visitId, body.expectedVersion);
      const done = await resolveVisit(deps, { ...request, result: body.result });
      return json(200, { visit: visitView(done.visit), cases: done.cases });
    }
  }
};

/** GET /v1/joint-visits[/summary|/{id}] and POST /v1/joint-visits/{id}/{confirm|accept|resolve}. */
export const makeHandler = (deps: JointVisitsDeps) =>
  httpFunction(async (event: Event) => {
    const actor = actorFromEvent(event, deps.identity);
    switch (event.routeKey) {
      case 'GET /v1/joint-visits':
        return list(deps, event, actor);
      case 'GET /v1/joint-visits/summary':
        return json(200, await visitFigures(deps, actor));
      case 'GET /v1/joint-visits/{id}':
        return json(200, visitView(await loadVisit(deps, actor, pathParam(event, 'id', JointVisitId))));
      default:
        return runCommand(deps, event, actor);
    }
  });
