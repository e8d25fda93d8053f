import { optionalEnv } from '../config';
import { ENV } from '../env';
import { onFirstUse } from './on-first-use';

/**
 * The SQS client, loaded on first use: most requests of the API functions that hold a queue send
 * nothing (reads of cases, polls of an export job, the camera registry).
 */
export const sqs = onFirstUse(async () => {
  const { SQSClient } = await import('../../adapters/aws/sqs-sdk');
  // An explicit endpoint also stops the SDK from using the queue URL's host (fauxqs's don't resolve).
  const endpoint = optionalEnv(ENV.sqsEndpoint);
  return new SQSClient({ ...(endpoint && { endpoint }) });
});
