import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import { actorFromEvent } from '../../shared/auth/actor';
import { PremisesId, PremisesQuery } from '../../shared/http/joint-visit-schemas';
import { httpFunction, json } from '../../shared/http/middleware';
import { pathParam, queryParams } from '../../shared/http/request';
import type { PremisesReader } from '../../shared/ports';
import type { IdentityConfig } from '../../shared/runtime/config';
import { metrics } from '../../shared/runtime/observability';
import { premisesHistory } from '../../shared/usecases/joint-visits';

export interface PremisesDeps {
  premises: PremisesReader;
  identity: IdentityConfig;
}

/** GET /v1/premises/{id}: the premises history (一户一档), cases and visits newest first. */
export const makeHandler = (deps: PremisesDeps) =>
  httpFunction(async (event: APIGatewayProxyEventV2WithJWTAuthorizer) => {
    const actor = actorFromEvent(event, deps.identity);
    const premisesId = pathParam(event, 'id', PremisesId);
    const query = queryParams(event, PremisesQuery);
    const history = await premisesHistory(deps, actor, {
      premisesId,
      limit: query.limit ?? 50,
      ...(query.cursor && { cursor: query.cursor }),
    });
    metrics.addMetric('PremisesReads', 'Count', 1);
    return json(200, history);
  });
