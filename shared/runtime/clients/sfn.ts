import type { SFNClient } from '@aws-sdk/client-sfn';
import { optionalEnv } from '../config';
import { ENV } from '../env';
import { tracer } from '../observability';
import { extended } from './extensions';

let sfnClient: Promise<SFNClient> | undefined;

/**
 * The Step Functions client, its module loaded when first asked for (as `sqs` and `s3`): the API
 * functions start a timer on some commands only. Functions that start timers on every path ask for
 * it at cold start (see their handler.ts).
 */
export const sfn = (): Promise<SFNClient> => {
  sfnClient ??= import('../../adapters/aws/sfn-sdk').then(({ SFNClient }) => {
    const endpoint = optionalEnv(ENV.sfnEndpoint);
    return extended(tracer.captureAWSv3Client(new SFNClient({ ...(endpoint && { endpoint }) })));
  });
  return sfnClient;
};
