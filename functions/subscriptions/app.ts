import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import { actorFromEvent } from '../../shared/auth/actor';
import { authorize } from '../../shared/domain/authorization';
import { httpFunction, json } from '../../shared/http/middleware';
import { RequestError } from '../../shared/http/problem';
import { jsonBody, pathParam, queryParams } from '../../shared/http/request';
import { DeliveriesQuery, SubscriptionBody, SubscriptionId } from '../../shared/http/schemas';
import type { IdentityConfig } from '../../shared/runtime/config';
import { logger, metrics } from '../../shared/runtime/observability';
import {
  createSubscription,
  deleteSubscription,
  listDeliveries,
  type SubscriptionDeps,
} from '../../shared/usecases/subscriptions';

export interface SubscriptionsDeps extends SubscriptionDeps {
  identity: IdentityConfig;
}

type Event = APIGatewayProxyEventV2WithJWTAuthorizer;

/**
 * POST/GET /v1/subscriptions, DELETE /v1/subscriptions/{id} and GET /v1/subscriptions/{id}/deliveries
 * (administrators): webhooks for department systems and the hotline platform, each delivery signed
 * with the subscription's secret (shown once) and every attempt recorded.
 */
export const makeHandler = (deps: SubscriptionsDeps) =>
  httpFunction(
    async (event: Event) => {
      const actor = actorFromEvent(event, deps.identity);
      authorize(actor, 'manage_subscriptions');
      switch (event.routeKey) {
        case 'POST /v1/subscriptions': {
          const input = jsonBody(event, SubscriptionBody);
          const { subscription, secret } = await createSubscription(deps, { input, actor });
          metrics.addMetric('SubscriptionsCreated', 'Count', 1);
          logger.info('subscription created', {
            subscriptionId: subscription.id,
            filter: subscription.filter,
            events: subscription.events,
            createdBy: subscription.createdBy,
          });
          return json(
            201,
            { ...subscription, secret },
            { location: `/v1/subscriptions/${subscription.id}`, 'cache-control': 'no-store' },
          );
        }
        case 'GET /v1/subscriptions':
          return json(200, { items: await deps.subscriptions.list() });
        case 'DELETE /v1/subscriptions/{id}': {
          const id = pathParam(event, 'id', SubscriptionId);
          await deleteSubscription(deps, id);
          logger.info('subscription deleted', { subscriptionId: id, by: actor.subject });
          return { statusCode: 204, headers: {} };
        }
        case 'GET /v1/subscriptions/{id}/deliveries': {
          const id = pathParam(event, 'id', SubscriptionId);
          const query = queryParams(event, DeliveriesQuery);
          return json(
            200,
            await listDeliveries(deps, {
              id,
              limit: query.limit,
              ...(query.cursor !== undefined && { cursor: query.cursor }),
            }),
          );
        }
        default:
          throw new RequestError(404, 'Unknown route', [
            { field: 'route', rule: 'known_route', message: event.routeKey },
          ]);
      }
    },
    // A new subscription's reply carries its secret: keep it out of the traces.
    { captureResponse: false },
  );
