import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { actorFromEvent } from '../../shared/auth/actor';
import { authorize } from '../../shared/domain/authorization';
import type { Actor } from '../../shared/domain/case';
import { EXPORTS_PREFIX } from '../../shared/domain/case-export';
import type { DistrictIndex } from '../../shared/domain/district-index';
import {
  EvaluationQuery,
  ExportQuery,
  HotspotsQuery,
  MetricsQuery,
} from '../../shared/http/evaluation-schemas';
import { httpFunction, json } from '../../shared/http/middleware';
import { RequestError } from '../../shared/http/problem';
import { queryParams } from '../../shared/http/request';
import { caseFiltersOf } from '../../shared/http/schemas';
import type { CaseStore, Clock, ExportStore, MetricsAggregates } from '../../shared/ports';
import type { IdentityConfig } from '../../shared/runtime/config';
import { metrics } from '../../shared/runtime/observability';
import {
  CSV_TYPE,
  casesCsv,
  casesXlsx,
  collectCases,
  evaluationWorkbook,
  MAX_EXPORT_ROWS,
  MAX_INLINE_ROWS,
  XLSX_TYPE,
} from '../../shared/usecases/exports';
import { hotspotsReport, metricsReport } from '../../shared/usecases/metrics';
import { metricsScopeOf, scopedListQuery } from '../../shared/usecases/read-scope';

export interface EvaluationDeps {
  store: CaseStore;
  aggregates: MetricsAggregates;
  district: DistrictIndex;
  clock: Clock;
  identity: IdentityConfig;
  /** Where exports too big for a reply go (S3); without one, a too-big export is refused with 413. */
  exports?: ExportStore;
  /** Rows answered inline before an export goes through the export store (MAX_INLINE_ROWS). */
  maxInlineRows?: number;
  /** How long an export may spend reading cases (EXPORT_READ_BUDGET_MS). */
  exportReadBudgetMs?: number;
}

type Event = APIGatewayProxyEventV2WithJWTAuthorizer;

const getMetrics = async (deps: EvaluationDeps, event: Event, actor: Actor) => {
  const query = queryParams(event, MetricsQuery);
  const report = await metricsReport(deps.aggregates, {
    from: query.from,
    to: query.to,
    ...(query.groupBy && { groupBy: query.groupBy }),
    scope: metricsScopeOf(actor),
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
    scope: metricsScopeOf(actor),
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

/** Small answers inline; big ones through the export store as a link (or 413 without one). */
const deliver = async (
  deps: EvaluationDeps,
  body: Buffer,
  contentType: string,
  filename: string,
  rows: number,
): Promise<APIGatewayProxyStructuredResultV2> => {
  const maxInline = deps.maxInlineRows ?? MAX_INLINE_ROWS;
  if (rows <= maxInline) return fileReply(body, contentType, filename);
  if (!deps.exports) {
    throw new RequestError(413, 'Export too large', [
      {
        field: 'query',
        rule: 'max_rows',
        message: `${rows} rows is more than ${maxInline} in one reply: POST /v1/exports builds it as a job, or narrow the filters (status, department, zone)`,
      },
    ]);
  }
  const key = `${EXPORTS_PREFIX}${deps.clock.now().slice(0, 10)}/${crypto.randomUUID()}/${filename}`;
  const link = await deps.exports.put(key, body, contentType);
  return json(200, { rows, ...link });
};

/**
 * The API answers within 29 s (API Gateway's limit) and an export must still be built and stored
 * after the read: past this much reading, the caller gets a 413 that says to narrow the filters,
 * not a gateway timeout with no explanation. 50,000 rows read in 31 s on the local dynalite.
 */
export const EXPORT_READ_BUDGET_MS = 18_000;

const exportCases = async (deps: EvaluationDeps, event: Event, actor: Actor, format: 'csv' | 'xlsx') => {
  authorize(actor, 'export');
  const now = deps.clock.now();
  const query = scopedListQuery(actor, caseFiltersOf(queryParams(event, ExportQuery)), now, 'export');
  const limit = deps.exports ? MAX_EXPORT_ROWS : (deps.maxInlineRows ?? MAX_INLINE_ROWS) + 1;
  const budget = deps.exportReadBudgetMs ?? EXPORT_READ_BUDGET_MS;
  const { cases, truncated, outOfTime } = await collectCases(
    deps.store,
    query,
    limit,
    performance.now() + budget,
  );
  if (outOfTime) {
    throw new RequestError(413, 'Export too large', [
      {
        field: 'query',
        rule: 'read_time',
        message: `more rows than one request reads in ${budget / 1000} s (${cases.length} read): POST /v1/exports builds it as a job, or narrow the filters (status, department, zone)`,
      },
    ]);
  }
  if (truncated && deps.exports) {
    throw new RequestError(413, 'Export too large', [
      {
        field: 'query',
        rule: 'max_rows',
        message: `more than ${MAX_EXPORT_ROWS} rows in one request: POST /v1/exports builds it as a job, or narrow the filters`,
      },
    ]);
  }
  const rows = truncated ? cases.length + 1 : cases.length;
  const stamp = now.slice(0, 10);
  metrics.addMetric('CaseExports', 'Count', 1);
  if (format === 'csv') {
    return deliver(deps, casesCsv(cases, deps.district, actor, now), CSV_TYPE, `cases-${stamp}.csv`, rows);
  }
  return deliver(
    deps,
    await casesXlsx(cases, deps.district, actor, now),
    XLSX_TYPE,
    `cases-${stamp}.xlsx`,
    rows,
  );
};

const exportEvaluation = async (deps: EvaluationDeps, event: Event, actor: Actor) => {
  const { month } = queryParams(event, EvaluationQuery);
  const scope = metricsScopeOf(actor);
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
          return getMetrics(deps, event, actor);
        case 'GET /v1/metrics/hotspots':
          return getHotspots(deps, event, actor);
        case 'GET /v1/exports/cases.csv':
          return exportCases(deps, event, actor, 'csv');
        case 'GET /v1/exports/cases.xlsx':
          return exportCases(deps, event, actor, 'xlsx');
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
