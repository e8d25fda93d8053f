import { optionalEnv } from '../config';
import { ENV } from '../env';
import { onFirstUse } from './on-first-use';

/** The Step Functions client, loaded on first use: the API functions start a timer on some commands only. */
export const sfn = onFirstUse(async () => {
  const { SFNClient } = await import('../../adapters/aws/sfn-sdk');
  const endpoint = optionalEnv(ENV.sfnEndpoint);
  return new SFNClient({ ...(endpoint && { endpoint }) });
});
