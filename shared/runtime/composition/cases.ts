import { DynamoCaseStore } from '../../adapters/aws/dynamodb-case-store';
import { dynamoDocumentClient } from '../clients/dynamodb';
import { requireEnv } from '../config';
import { ENV } from '../env';

/**
 * The case store. Its writers don't keep the evaluation aggregates: the aggregate-cases function
 * does, from the table's change stream.
 */
export const caseStoreFromEnv = (): DynamoCaseStore =>
  new DynamoCaseStore({ client: dynamoDocumentClient(), tableName: requireEnv(ENV.tableName) });
