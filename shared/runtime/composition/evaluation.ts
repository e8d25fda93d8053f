import { DynamoEvaluationAggregates } from '../../adapters/aws/dynamodb-evaluation-aggregates';
import { dynamoDocumentClient } from '../clients/dynamodb';
import { districtFrom, requireEnv } from '../config';
import { ENV } from '../env';

export const evaluationAggregatesFromEnv = (): DynamoEvaluationAggregates =>
  new DynamoEvaluationAggregates({
    client: dynamoDocumentClient(),
    tableName: requireEnv(ENV.tableName),
    district: districtFrom(),
  });
