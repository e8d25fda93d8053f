import type {
  APIGatewayRequestAuthorizerEventV2,
  APIGatewaySimpleAuthorizerResult,
  APIGatewaySimpleAuthorizerWithContextResult,
} from 'aws-lambda';
import { type IntegrationContext, integrationContextOf } from '../../shared/auth/integration';
import { eventFunction } from '../../shared/runtime/event-functions';
import { API_KEY_HEADER } from '../../shared/runtime/functions';
import { logger, metrics } from '../../shared/runtime/observability';
import { checkIntegrationKey, type IntegrationKeyDeps } from '../../shared/usecases/integration-keys';

export type KeyAuthorizerDeps = Pick<IntegrationKeyDeps, 'keys'>;

export type KeyAuthorizerResult =
  | APIGatewaySimpleAuthorizerResult
  | APIGatewaySimpleAuthorizerWithContextResult<IntegrationContext>;

/** The identity source, else the header itself (they are the same value on AWS). */
const presentedKey = (event: APIGatewayRequestAuthorizerEventV2): string | undefined =>
  event.identitySource?.[0] ??
  Object.entries(event.headers ?? {}).find(([name]) => name.toLowerCase() === API_KEY_HEADER)?.[1];

/**
 * The HTTP API's Lambda authorizer for the integration routes (payload 2.0, simple responses, no
 * result caching: a revoked key fails on its next request). Refusals give the client nothing to
 * learn from (API Gateway answers 403); the reason goes to the log with the key id, never the key.
 */
export const makeHandler = (deps: KeyAuthorizerDeps) =>
  eventFunction(
    async (event: APIGatewayRequestAuthorizerEventV2): Promise<KeyAuthorizerResult> => {
      const check = await checkIntegrationKey(deps, presentedKey(event));
      if (!check.valid) {
        logger.info('integration key refused', {
          reason: check.reason,
          ...(check.keyId && { keyId: check.keyId }),
          routeKey: event.routeKey,
        });
        metrics.addMetric('IntegrationKeysRefused', 'Count', 1);
        return { isAuthorized: false };
      }
      metrics.addMetric('IntegrationKeysAccepted', 'Count', 1);
      return { isAuthorized: true, context: integrationContextOf(check.key) };
    },
    // The event carries the key itself: never logged, whatever POWERTOOLS_LOGGER_LOG_EVENT says.
    { logEvent: false },
  );
