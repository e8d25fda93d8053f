import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SFNClient } from '@aws-sdk/client-sfn';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { S3UrlSigner } from '../../adapters/aws/s3-url-signer';

/** Every kind of SDK client the handlers use. */
export type SdkClient = DynamoDBClient | SQSClient | S3Client | SFNClient;

/** What the handlers reach AWS with: the SDK clients, and the signer of S3 links and forms. */
export type AwsAccess = SdkClient | S3UrlSigner;

/**
 * Extensions applied to each client as it is built (and to those already built): the local cloud
 * adds its IAM check and fault injection as SDK middleware here (the IAM check also before each S3
 * signature). Nothing registers one on AWS.
 */
type ClientExtension = (client: AwsAccess) => void;
const extensions: ClientExtension[] = [];
const built: AwsAccess[] = [];

export const extendClients = (extension: ClientExtension): void => {
  extensions.push(extension);
  for (const client of built) extension(client);
};

/** Passes a newly built client through the registered extensions. */
export const extended = <C extends AwsAccess>(client: C): C => {
  built.push(client);
  for (const extension of extensions) extension(client);
  return client;
};
