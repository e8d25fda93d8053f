import { S3UrlSigner } from '../../adapters/aws/s3-url-signer';
import { optionalEnv } from '../config';
import { ENV } from '../env';
import { dynamoDb } from './dynamodb';
import { extended } from './extensions';

let urlSigner: S3UrlSigner | undefined;

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
