import { DynamoWatchedCases } from '../../shared/adapters/aws/dynamodb-watched-cases';
import { systemClock } from '../../shared/ports';
import { dynamoDocumentClient } from '../../shared/runtime/clients';
import { districtIndexFromEnv } from '../../shared/runtime/composition';
import { requireEnv } from '../../shared/runtime/config';
import { sfn, timersFromEnv } from '../../shared/runtime/deadline-composition';
import { ENV } from '../../shared/runtime/env';
import { makeHandler } from './app';

// Re-arming starts timers: the Step Functions client is built at cold start (see `sfn`).
await sfn();

export const handler = makeHandler({
  watched: new DynamoWatchedCases({ client: dynamoDocumentClient(), tableName: requireEnv(ENV.tableName) }),
  district: districtIndexFromEnv(),
  clock: systemClock,
  timers: timersFromEnv(),
});
