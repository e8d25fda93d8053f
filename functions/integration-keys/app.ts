import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import { actorFromEvent } from '../../shared/auth/actor';
import { authorize } from '../../shared/domain/authorization';
import type { Actor } from '../../shared/domain/case';
import { httpFunction, json } from '../../shared/http/middleware';
import { RequestError } from '../../shared/http/problem';
import { jsonBody, pathParam } from '../../shared/http/request';
import { IntegrationKeyBody, IntegrationKeyId, RevokeBody } from '../../shared/http/schemas';
import type { IdentityConfig } from '../../shared/runtime/config';
import { logger, metrics } from '../../shared/runtime/observability';
import {
  createIntegrationKey,
  type IntegrationKeyDeps,
  listIntegrationKeys,
  revokeIntegrationKey,
} from '../../shared/usecases/integration-keys';

export interface IntegrationKeysDeps extends IntegrationKeyDeps {
  identity: IdentityConfig;
}

type Event = APIGatewayProxyEventV2WithJWTAuthorizer;

/** The key is in this reply only: no cache may keep it. */
const NOT_STORED = { 'cache-control': 'no-store' };

const create = async (deps: IntegrationKeysDeps, event: Event, actor: Actor) => {
  const input = jsonBody(event, IntegrationKeyBody);
  const { key, apiKey, signingSecret } = await createIntegrationKey(deps, { input, actor });
  metrics.addMetric('IntegrationKeysCreated', 'Count', 1);
  // Who issued which key to whom, for the record; never the key itself.
  logger.info('integration key created', {
    keyId: key.id,
    name: key.name,
    source: key.source,
    createdBy: key.createdBy,
  });
  const { id, ...rest } = key;
  return json(
    201,
    { id, key: apiKey, ...(signingSecret !== undefined && { signingSecret }), ...rest },
    { location: `/v1/integration-keys/${id}`, ...NOT_STORED },
  );
};

const revoke = async (deps: IntegrationKeysDeps, event: Event, actor: Actor) => {
  const id = pathParam(event, 'id', IntegrationKeyId);
  jsonBody(event, RevokeBody);
  const key = await revokeIntegrationKey(deps, { id, actor });
  metrics.addMetric('IntegrationKeysRevoked', 'Count', 1);
  logger.info('integration key revoked', {
    keyId: key.id,
    revokedBy: key.revokedBy,
    revokedAt: key.revokedAt,
  });
  return json(200, key);
};

/** POST /v1/integration-keys, GET /v1/integration-keys and POST /v1/integration-keys/{id}/revoke (admins). */
export const makeHandler = (deps: IntegrationKeysDeps) =>
  httpFunction(
    async (event: Event) => {
      const actor = actorFromEvent(event, deps.identity);
      authorize(actor, 'manage_keys');
      switch (event.routeKey) {
        case 'POST /v1/integration-keys':
          return create(deps, event, actor);
        case 'GET /v1/integration-keys':
          return json(200, { items: await listIntegrationKeys(deps) });
        case 'POST /v1/integration-keys/{id}/revoke':
          return revoke(deps, event, actor);
        default:
          throw new RequestError(404, 'Unknown route', [
            { field: 'route', rule: 'known_route', message: event.routeKey },
          ]);
      }
    },
    // A new key's reply carries its secret: keep it out of the traces.
    { captureResponse: false },
  );
