import type { IntegrationRefusal, IntegrationRefusals } from '../ports';
import { logger, metrics } from './observability';

/** The metric a refused credential adds, by how the caller identified itself and what for. */
const credentialMetricOf = (refusal: IntegrationRefusal): string | undefined => {
  if (refusal.credential === 'apiKey') return 'IntegrationKeysRefused';
  if (refusal.credential !== 'signature') return undefined;
  return refusal.action === 'alerts' ? 'CameraAlertsRefused' : 'DepartmentEventsRefused';
};

/** Refused machine callers as CloudWatch metrics (names kept from before the use case was shared) and a log line. */
export const integrationRefusalMetrics: IntegrationRefusals = {
  count: (refusal) => {
    if (refusal.stage === 'rate') {
      metrics.addMetric('IntegrationRequestsRateLimited', 'Count', 1);
      return;
    }
    logger.info('integration caller refused', {
      credential: refusal.credential,
      action: refusal.action,
      ...(refusal.reason !== undefined && { reason: refusal.reason }),
      ...(refusal.keyId !== undefined && { keyId: refusal.keyId }),
    });
    const name = credentialMetricOf(refusal);
    if (name) metrics.addMetric(name, 'Count', 1);
  },
};
