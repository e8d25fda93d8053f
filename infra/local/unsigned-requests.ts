import type { AwsAccess } from '../../shared/runtime/clients';

/**
 * The services whose local emulators never check a signature: dynalite only looks for an
 * `Authorization` header of the right shape, fauxqs for none. S3 is left signing (s3rver checks its
 * signatures, and the browser's forms and links are signed for it).
 */
const UNCHECKED = new Set(['DynamoDB', 'SQS']);

/** Shaped like a SigV4 header, which is all dynalite checks; it is never verified. */
const PLACEHOLDER_AUTHORIZATION =
  'AWS4-HMAC-SHA256 Credential=local/20260101/us-east-1/local/aws4_request, SignedHeaders=host, Signature=local';
const PLACEHOLDER_DATE = '20260101T000000Z';

interface SigningStack {
  config: { serviceId?: string };
  middlewareStack: {
    addRelativeTo(middleware: unknown, options: Record<string, unknown>): void;
  };
}

/**
 * A client extension for the local cloud: DynamoDB and SQS requests go out with a placeholder
 * signature instead of a SigV4 one. Signing hashes the body and derives an HMAC per request, about
 * 7 % of the local cloud's CPU in a hotspot burst, for a signature no local emulator reads. It replaces
 * the SDK's own signing step under its name (`httpSigningMiddleware`), at its place in the stack, so
 * everything else a call does (credentials resolved, retries, the IAM check and fault injection
 * around it) is unchanged. On AWS nothing registers it: requests are signed as always.
 */
export const skipUnverifiedSigning = (access: AwsAccess): void => {
  const client = access as unknown as Partial<SigningStack>;
  if (!client.middlewareStack || !UNCHECKED.has(client.config?.serviceId ?? '')) return;
  client.middlewareStack.addRelativeTo(
    (next: (args: unknown) => Promise<unknown>) =>
      (args: { request?: { headers?: Record<string, string> } }) => {
        const headers = args.request?.headers;
        if (headers) {
          headers.authorization = PLACEHOLDER_AUTHORIZATION;
          headers['x-amz-date'] = PLACEHOLDER_DATE;
        }
        return next(args);
      },
    {
      step: 'finalizeRequest',
      name: 'httpSigningMiddleware',
      override: true,
      relation: 'after',
      toMiddleware: 'retryMiddleware',
    },
  );
};
