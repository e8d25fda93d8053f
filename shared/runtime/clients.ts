import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SFNClient } from '@aws-sdk/client-sfn';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { S3UrlSigner } from '../adapters/aws/s3-url-signer';
import { optionalEnv } from './config';
import { ENV } from './env';
import { tracer } from './observability';

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

/**
 * One SDK client per process, built here and injected into the adapters. Endpoints come from the
 * environment only when set (the local cloud sets them); on AWS the SDK's defaults apply.
 */
let dynamoClient: DynamoDBClient | undefined;
let documentClient: DynamoDBDocumentClient | undefined;
let sqsClient: Promise<SQSClient> | undefined;
let s3Client: Promise<S3Client> | undefined;
let sfnClient: Promise<SFNClient> | undefined;
let urlSigner: S3UrlSigner | undefined;

const dynamoDb = (): DynamoDBClient => {
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

/**
 * The SQS client, its module loaded when first asked for (as `s3`): most requests of the API
 * functions that hold a queue send nothing (reads of cases, polls of an export job, the camera
 * registry). Functions that send on every path ask for it at cold start (see their handler.ts).
 */
export const sqs = (): Promise<SQSClient> => {
  sqsClient ??= import('../adapters/aws/sqs-sdk').then(({ SQSClient }) => {
    // An explicit endpoint also stops the SDK from using the queue URL's host (fauxqs's don't resolve).
    const endpoint = optionalEnv(ENV.sqsEndpoint);
    return extended(tracer.captureAWSv3Client(new SQSClient({ ...(endpoint && { endpoint }) })));
  });
  return sqsClient;
};

/**
 * The S3 client, its module loaded when first asked for: evaluating the S3 client module takes ~13 ms,
 * a quarter of a minimal handler's cold start, and several functions hold a bucket for one route or
 * one kind of message (camera snapshots, finished export links, big evaluation exports). Functions
 * that use S3 on every path ask for it at cold start (see their handler.ts).
 */
export const s3 = (): Promise<S3Client> => {
  s3Client ??= import('../adapters/aws/s3-sdk').then(({ S3Client }) => {
    // A local S3 (s3rver) answers on one host: path-style URLs, for the SDK and for presigned forms.
    const endpoint = optionalEnv(ENV.s3Endpoint);
    return extended(
      tracer.captureAWSv3Client(new S3Client({ ...(endpoint && { endpoint, forcePathStyle: true }) })),
    );
  });
  return s3Client;
};

/**
 * The Step Functions client, its module loaded when first asked for (as `sqs` and `s3`): the API
 * functions start a timer on some commands only. Functions that start timers on every path ask for
 * it at cold start (see their handler.ts).
 */
export const sfn = (): Promise<SFNClient> => {
  sfnClient ??= import('../adapters/aws/sfn-sdk').then(({ SFNClient }) => {
    const endpoint = optionalEnv(ENV.sfnEndpoint);
    return extended(tracer.captureAWSv3Client(new SFNClient({ ...(endpoint && { endpoint }) })));
  });
  return sfnClient;
};

/**
 * The signer of S3 links and upload forms, which needs no S3 client (see S3UrlSigner). Its region
 * and credentials are the DynamoDB client's, which every function builds at cold start: the same
 * default chains an S3 client would resolve, resolved and cached once per process.
 */
export const s3UrlSigner = (): S3UrlSigner => {
  if (!urlSigner) {
    const { config } = dynamoDb();
    const endpoint = optionalEnv(ENV.s3Endpoint);
    urlSigner = extended(
      new S3UrlSigner({
        region: () => config.region(),
        credentials: () => config.credentials(),
        ...(endpoint && { endpoint }),
      }),
    );
  }
  return urlSigner;
};
