import { DynamoIntegrationKeyStore } from '../../adapters/aws/dynamodb-integration-key-store';
import { DynamoRateLimiter } from '../../adapters/aws/dynamodb-rate-limiter';
import { DynamoSeenSignatures } from '../../adapters/aws/dynamodb-seen-signatures';
import type { IntegrationKeyStore, RateLimiter, SeenSignatures } from '../../ports';
import { dynamoDocumentClient } from '../clients/dynamodb';
import { requireEnv } from '../config';
import { ENV } from '../env';

export const integrationKeyStoreFromEnv = (): IntegrationKeyStore =>
  new DynamoIntegrationKeyStore({ client: dynamoDocumentClient(), tableName: requireEnv(ENV.tableName) });

export const rateLimiterFromEnv = (): RateLimiter =>
  new DynamoRateLimiter({ client: dynamoDocumentClient(), tableName: requireEnv(ENV.tableName) });

/** The signatures of signed requests already seen (camera alerts, department events): replays are refused. */
export const seenSignaturesFromEnv = (): SeenSignatures =>
  new DynamoSeenSignatures({ client: dynamoDocumentClient(), tableName: requireEnv(ENV.tableName) });
