import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import { actorFromEvent } from '../../shared/auth/actor';
import { authorize } from '../../shared/domain/authorization';
import type { Actor } from '../../shared/domain/case';
import type { DistrictIndex } from '../../shared/domain/district-index';
import { type ExportCaseQuery, type ExportFilters, viewOf } from '../../shared/domain/export-job';
import { ExportJobBody, ExportJobId } from '../../shared/http/export-job-schemas';
import { httpFunction, json } from '../../shared/http/middleware';
import { RequestError } from '../../shared/http/problem';
import { headerParam, jsonBody, pathParam } from '../../shared/http/request';
import { IdempotencyKey } from '../../shared/http/schemas';
import type { Clock, ExportFiles, ExportJobQueue, ExportJobStore } from '../../shared/ports';
import type { IdentityConfig } from '../../shared/runtime/config';
import { metrics } from '../../shared/runtime/observability';
import { exportJobStatus, requestExport } from '../../shared/usecases/export-jobs';
import { evaluationScopeOf, scopedListQuery } from '../../shared/usecases/read-scope';

export interface ExportJobsDeps {
  jobs: ExportJobStore;
  queue: ExportJobQueue;
  files: ExportFiles;
  clock: Clock;
  district: DistrictIndex;
  identity: IdentityConfig;
  newId?: () => string;
  linkSeconds?: number;
}

type Event = APIGatewayProxyEventV2WithJWTAuthorizer;

/** The list's scope built in exactly as GET /v1/exports/cases.csv builds it (refusals included). */
const scopedExportQuery = (actor: Actor, filters: ExportFilters, now: string): ExportCaseQuery => {
  const { limit: _limit, cursor: _cursor, ...query } = scopedListQuery(actor, filters, now, 'export');
  return query;
};

const postExport = async (deps: ExportJobsDeps, event: Event, actor: Actor) => {
  const body = jsonBody(event, ExportJobBody);
  const idempotencyKey = headerParam(event, 'Idempotency-Key', IdempotencyKey);
  const now = deps.clock.now();
  const scoping =
    body.kind === 'cases'
      ? { query: scopedExportQuery(actor, body.filters ?? {}, now) }
      : { scope: evaluationScopeOf(actor) };
  authorize(actor, 'export');
  const request =
    body.kind === 'cases'
      ? { kind: body.kind, format: body.format, filters: body.filters ?? {} }
      : { kind: body.kind, month: body.month };
  const { job, replayed } = await requestExport(deps, {
    actor,
    request,
    ...scoping,
    ...(idempotencyKey !== undefined && { idempotencyKey }),
  });
  if (!replayed) metrics.addMetric('ExportJobsRequested', 'Count', 1);
  return json(202, viewOf(job), { location: `/v1/exports/${job.id}` });
};

const getExport = async (deps: ExportJobsDeps, event: Event, actor: Actor) => {
  const id = pathParam(event, 'id', ExportJobId);
  return json(200, await exportJobStatus(deps, actor, id), { 'cache-control': 'no-store' });
};

/** POST /v1/exports (202 with the job) and GET /v1/exports/{id} (its status; once done, a link). */
export const makeHandler = (deps: ExportJobsDeps) =>
  httpFunction(
    async (event: Event) => {
      const actor = actorFromEvent(event, deps.identity);
      switch (event.routeKey) {
        case 'POST /v1/exports':
          return postExport(deps, event, actor);
        case 'GET /v1/exports/{id}':
          return getExport(deps, event, actor);
        default:
          throw new RequestError(404, 'Unknown route', [
            { field: 'route', rule: 'known_route', message: event.routeKey },
          ]);
      }
    },
    // A done job's reply carries a presigned link: not for the traces.
    { captureResponse: false },
  );
