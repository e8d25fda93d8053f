import { DynamoSubscriptionStore } from '../../shared/adapters/aws/dynamodb-subscription-store';
import { systemClock } from '../../shared/ports';
import { dynamoDocumentClient } from '../../shared/runtime/clients';
import { districtIndexFromEnv } from '../../shared/runtime/composition';
import { identityFrom, requireEnv } from '../../shared/runtime/config';
import { ENV } from '../../shared/runtime/env';
import { makeHandler, type SubscriptionsDeps } from './app';

export const buildDeps = (): SubscriptionsDeps => ({
  subscriptions: new DynamoSubscriptionStore({
    client: dynamoDocumentClient(),
    tableName: requireEnv(ENV.tableName),
  }),
  district: districtIndexFromEnv(),
  clock: systemClock,
  identity: identityFrom(),
});

export const handler = makeHandler(buildDeps());
