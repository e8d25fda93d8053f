import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { actorFromEvent } from '../../shared/auth/actor';
import { authorize } from '../../shared/domain/authorization';
import type { Actor } from '../../shared/domain/case';
import {
  EvaluationQuery,
  ExportQuery,
  FiguresQuery,
  HotspotsQuery,
} from '../../shared/http/evaluation-schemas';
import { httpFunction, json } from '../../shared/http/middleware';
import { RequestError } from '../../shared/http/problem';
import { queryParams } from '../../shared/http/request';
import { caseFiltersOf } from '../../shared/http/schemas';
import type { EvaluationAggregates } from '../../shared/ports';
import type { IdentityConfig } from '../../shared/runtime/config';
import { metrics } from '../../shared/runtime/observability';
import { evaluationReport, hotspotsReport } from '../../shared/usecases/evaluation';
import { type CaseExportDeps, exportCases } from '../../shared/usecases/export-cases';
import { evaluationWorkbook, XLSX_TYPE } from '../../shared/usecases/exports';
import { evaluationScopeOf } from '../../shared/usecases/read-scope';

export interface EvaluationDeps extends CaseExportDeps {
  aggregates: EvaluationAggregates;
  identity: IdentityConfig;
}

type Event = APIGatewayProxyEventV2WithJWTAuthorizer;

const getFigures = async (deps: EvaluationDeps, event: Event, actor: Actor) => {
  const query = queryParams(event, FiguresQuery);
  const report = await evaluationReport(deps.aggregates, {
    from: query.from,
    to: query.to,
    ...(query.groupBy && { groupBy: query.groupBy }),
    scope: evaluationScopeOf(actor),
  });
  metrics.addMetric('MetricsReads', 'Count', 1);
  return json(200, report);
};

const getHotspots = async (deps: EvaluationDeps, event: Event, actor: Actor) => {
  const query = queryParams(event, HotspotsQuery);
  const report = await hotspotsReport(deps.aggregates, {
    from: query.from,
    to: query.to,
    limit: query.limit ?? 20,
    scope: evaluationScopeOf(actor),
  });
  return json(200, report);
};

const fileReply = (
  body: Buffer,
  contentType: string,
  filename: string,
): APIGatewayProxyStructuredResultV2 => ({
  statusCode: 200,
  headers: {
    'content-type': contentType,
    // RFC 6266: an ASCII name for old clients, the UTF-8 one for the rest.
    'content-disposition': `attachment; filename="${filename}"; filename*=UTF-8''${encodeURIComponent(filename)}`,
    'cache-control': 'no-store',
  },
  body: body.toString('base64'),
  isBase64Encoded: true,
});

const exportCaseList = async (deps: EvaluationDeps, event: Event, actor: Actor, format: 'csv' | 'xlsx') => {
  const filters = caseFiltersOf(queryParams(event, ExportQuery));
  const result = await exportCases(deps, { actor, filters, format });
  metrics.addMetric('CaseExports', 'Count', 1);
  if (result.delivery === 'link') return json(200, { rows: result.rows, ...result.link });
  const { body, contentType, filename } = result.file;
  return fileReply(body, contentType, filename);
};

const exportEvaluation = async (deps: EvaluationDeps, event: Event, actor: Actor) => {
  const { month } = queryParams(event, EvaluationQuery);
  const scope = evaluationScopeOf(actor);
  authorize(actor, 'export');
  const body = await evaluationWorkbook(deps, month, scope, deps.clock.now());
  return fileReply(body, XLSX_TYPE, `evaluation-${deps.district.config.id}-${month}.xlsx`);
};

/** GET /v1/metrics, /v1/metrics/hotspots, /v1/exports/cases.csv|.xlsx and /v1/exports/evaluation.xlsx. */
export const makeHandler = (deps: EvaluationDeps) =>
  httpFunction(
    async (event: Event) => {
      const actor = actorFromEvent(event, deps.identity);
      switch (event.routeKey) {
        case 'GET /v1/metrics':
          return getFigures(deps, event, actor);
        case 'GET /v1/metrics/hotspots':
          return getHotspots(deps, event, actor);
        case 'GET /v1/exports/cases.csv':
          return exportCaseList(deps, event, actor, 'csv');
        case 'GET /v1/exports/cases.xlsx':
          return exportCaseList(deps, event, actor, 'xlsx');
        case 'GET /v1/exports/evaluation.xlsx':
          return exportEvaluation(deps, event, actor);
        default:
          throw new RequestError(404, 'Unknown route', [
            { field: 'route', rule: 'known_route', message: event.routeKey },
          ]);
      }
    },
    // Exports carry personal data (for those who may see it): never into traces.
    { captureResponse: false },
  );
