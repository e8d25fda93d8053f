import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { DistrictIndex } from '../../shared/domain/district-index';
import { httpFunction, json } from '../../shared/http/middleware';
import type { CaseStore, Clock } from '../../shared/ports';
import { metrics } from '../../shared/runtime/observability';

export interface MetaDeps {
  district: DistrictIndex;
  store: CaseStore;
  clock: Clock;
}

/** GET /v1/district, GET /health (public) and GET /openapi.json (public). */
export const makeHandler = (deps: MetaDeps) => {
  // Both documents are fixed for the life of the process: build them once. The OpenAPI document
  // (every request schema turned into JSON Schema) waits for its first reader: health checks and
  // GET /v1/district, most of this function's calls, don't pay for it at cold start.
  const district = JSON.stringify(deps.district.config);
  let openApi: Promise<unknown> | undefined;
  const openApiDocument = () =>
    (openApi ??= import('../../shared/http/openapi').then(({ buildOpenApi }) => buildOpenApi()));
  return httpFunction(async (event: APIGatewayProxyEventV2) => {
    metrics.addMetric('MetaRequests', 'Count', 1);
    if (event.routeKey === 'GET /v1/district') {
      return {
        statusCode: 200,
        headers: { 'content-type': 'application/json; charset=utf-8' },
        body: district,
      };
    }
    if (event.routeKey === 'GET /openapi.json') return json(200, await openApiDocument());
    const started = Date.now();
    // A point read proves the table answers (the id cannot exist).
    await deps.store.get('health-check');
    return json(200, {
      status: 'ok',
      district: deps.district.config.id,
      time: deps.clock.now(),
      storeLatencyMs: Date.now() - started,
    });
  });
};
