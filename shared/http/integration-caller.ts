import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { type IntegrationPrincipal, integrationFromEvent } from '../auth/integration';
import { authorize } from '../domain/authorization';
import { ForbiddenActionError } from '../domain/errors';
import { metrics } from '../runtime/observability';
import { consumeRateLimit, type RateLimitDeps } from '../usecases/rate-limit';

/**
 * The integration key behind a keyed route (`auth: 'apiKey'`), once it may report and is within
 * its rate. The budget is spent before the body is read: a client sending garbage in a loop is
 * throttled too. The 12345 platform's callbacks ride on the key that files its tickets.
 */
export const integrationCaller = async (
  deps: RateLimitDeps,
  event: APIGatewayProxyEventV2,
): Promise<IntegrationPrincipal> => {
  const principal = integrationFromEvent(event);
  authorize(principal.actor, 'report');
  if (!principal.actions.includes('report')) {
    throw new ForbiddenActionError('report', 'this integration key may not report');
  }
  try {
    await consumeRateLimit(deps, principal.keyId, principal.rateLimitPerMinute);
  } catch (error) {
    metrics.addMetric('IntegrationRequestsRateLimited', 'Count', 1);
    throw error;
  }
  return principal;
};
