import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { optionalEnv } from '../config';
import { ENV } from '../env';
import { tracer } from '../observability';
import { extended } from './extensions';

let dynamoClient: DynamoDBClient | undefined;
let documentClient: DynamoDBDocumentClient | undefined;

/** The DynamoDB client, which every function builds at cold start. */
export const dynamoDb = (): DynamoDBClient => {
  if (!dynamoClient) {
    const endpoint = optionalEnv(ENV.dynamodbEndpoint);
    dynamoClient = extended(tracer.captureAWSv3Client(new DynamoDBClient({ ...(endpoint && { endpoint }) })));
  }
  return dynamoClient;
};

export const dynamoDocumentClient = (): DynamoDBDocumentClient => {
  documentClient ??= DynamoDBDocumentClient.from(dynamoDb(), {
    marshallOptions: { removeUndefinedValues: true },
  });
  return documentClient;
};
