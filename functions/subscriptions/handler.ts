import { systemClock } from '../../shared/ports';
import { districtIndexFromEnv } from '../../shared/runtime/composition/district';
import { subscriptionStoreFromEnv } from '../../shared/runtime/composition/notifications';
import { identityFrom } from '../../shared/runtime/config';
import { makeHandler, type SubscriptionsDeps } from './app';

export const buildDeps = (): SubscriptionsDeps => ({
  subscriptions: subscriptionStoreFromEnv(),
  district: districtIndexFromEnv(),
  clock: systemClock,
  identity: identityFrom(),
});

export const handler = makeHandler(buildDeps());
