import type { SQSClient } from '@aws-sdk/client-sqs';
import { optionalEnv } from '../config';
import { ENV } from '../env';
import { tracer } from '../observability';
import { extended } from './extensions';

let sqsClient: Promise<SQSClient> | undefined;

/**
 * The SQS client, its module loaded when first asked for (as `s3`): most requests of the API
 * functions that hold a queue send nothing (reads of cases, polls of an export job, the camera
 * registry). Functions that send on every path ask for it at cold start (see their handler.ts).
 */
export const sqs = (): Promise<SQSClient> => {
  sqsClient ??= import('../../adapters/aws/sqs-sdk').then(({ SQSClient }) => {
    // An explicit endpoint also stops the SDK from using the queue URL's host (fauxqs's don't resolve).
    const endpoint = optionalEnv(ENV.sqsEndpoint);
    return extended(tracer.captureAWSv3Client(new SQSClient({ ...(endpoint && { endpoint }) })));
  });
  return sqsClient;
};
