import { DynamoSeenSignatures } from '../../shared/adapters/aws/dynamodb-seen-signatures';
import { systemClock } from '../../shared/ports';
import { dynamoDocumentClient } from '../../shared/runtime/clients';
import {
  caseStoreFromEnv,
  districtIndexFromEnv,
  integrationKeyStoreFromEnv,
  rateLimiterFromEnv,
  reportQueueFromEnv,
} from '../../shared/runtime/composition';
import { requireEnv } from '../../shared/runtime/config';
import { caseEffectsFromEnv } from '../../shared/runtime/deadline-composition';
import { ENV } from '../../shared/runtime/env';
import { type DepartmentEventsDeps, makeHandler } from './app';

export const buildDeps = (): DepartmentEventsDeps => {
  const district = districtIndexFromEnv();
  return {
    keys: integrationKeyStoreFromEnv(),
    seen: new DynamoSeenSignatures({ client: dynamoDocumentClient(), tableName: requireEnv(ENV.tableName) }),
    store: caseStoreFromEnv(),
    queue: reportQueueFromEnv(),
    district,
    clock: systemClock,
    rateLimiter: rateLimiterFromEnv(),
    effects: caseEffectsFromEnv(district, systemClock),
  };
};

export const handler = makeHandler(buildDeps());
