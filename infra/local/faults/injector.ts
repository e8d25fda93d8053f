import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { S3UrlSigner } from '../../../shared/adapters/aws/s3-url-signer';
import type { AwsAccess } from '../../../shared/runtime/clients';
import { currentCaller } from '../iam/caller';
import { FAULT_KINDS, type FaultKind, type FaultRule, type FaultService, seededRandom } from './plan';

/**
 * Fault injection for the local cloud: SDK middleware on every handler client, placed right above
 * the HTTP transport (the `deserialize` step, lowest priority), that answers a chosen share of a
 * function's attempts with the HTTP error response the AWS service sends, instead of calling the
 * emulator. The SDK parses it into the service's own exception and its retry strategy sees a real
 * throttle or 5xx, so retries, partial batch failures, the DLQ and the sweep all get exercised.
 * A failed attempt has no effect on the emulator (as AWS's throttles and most 5xx).
 */

const SERVICES: Record<string, FaultService> = { DynamoDB: 'dynamodb', SQS: 'sqs', S3: 's3', SFN: 'states' };

interface FabricatedResponse {
  statusCode: number;
  reason?: string;
  headers: Record<string, string>;
  body: Readable;
}

/** The error response as each protocol carries it: JSON with `__type` (SQS also the query header), S3 XML. */
export const errorResponse = (kind: FaultKind, method: string): FabricatedResponse => {
  const requestId = randomUUID();
  if (kind.service === 's3') {
    const xml = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${kind.code}</Code><Message>${kind.message}</Message><RequestId>${requestId}</RequestId><HostId>local</HostId></Error>`;
    return {
      statusCode: kind.status,
      headers: { 'content-type': 'application/xml', 'x-amz-request-id': requestId },
      // A HEAD answer has no body: the SDK names the error from the status alone, as with AWS.
      body: Readable.from(method === 'HEAD' ? [] : [Buffer.from(xml)]),
    };
  }
  const namespace =
    kind.service === 'dynamodb'
      ? 'com.amazonaws.dynamodb.v20120810'
      : kind.service === 'sqs'
        ? 'com.amazonaws.sqs'
        : 'com.amazonaws.states';
  return {
    statusCode: kind.status,
    headers: {
      'content-type': 'application/x-amz-json-1.0',
      'x-amzn-requestid': requestId,
      ...(kind.service === 'sqs' && { 'x-amzn-query-error': `${kind.code};${kind.fault}` }),
    },
    body: Readable.from([
      Buffer.from(JSON.stringify({ __type: `${namespace}#${kind.code}`, message: kind.message })),
    ]),
  };
};

export interface FaultStats {
  seed: number;
  rules: { service: FaultService; fault: string; rate: number }[];
  /** Attempts made by functions, per service. */
  attempts: Record<FaultService, number>;
  /** Injected failures, `service:fault` → count. */
  injected: Record<string, number>;
}

interface Extensible {
  middlewareStack: {
    add(
      middleware: (next: (args: unknown) => Promise<unknown>, context: unknown) => (args: unknown) => unknown,
      options: { step: 'deserialize'; name: string; priority: 'low'; override: true },
    ): void;
  };
  config: { serviceId?: string };
}

export interface FaultInjector {
  extend(client: AwsAccess): void;
  stats(): FaultStats;
}

export const createFaultInjector = (rules: FaultRule[], seed: number): FaultInjector => {
  const random = seededRandom(seed);
  const stats: FaultStats = {
    seed,
    rules: rules.map(({ kind, rate }) => ({ service: kind.service, fault: kind.name, rate })),
    attempts: { dynamodb: 0, sqs: 0, s3: 0, states: 0 },
    injected: {},
  };
  const rulesOf = (service: FaultService) => rules.filter((rule) => rule.kind.service === service);

  /** One draw per attempt: the rules of a service share it, so their rates add up. */
  const pick = (service: FaultService): FaultKind | undefined => {
    const applicable = rulesOf(service);
    if (applicable.length === 0) return undefined;
    let draw = random();
    for (const rule of applicable) {
      if (draw < rule.rate) return rule.kind;
      draw -= rule.rate;
    }
    return undefined;
  };

  return {
    stats: () => stats,
    extend(access) {
      // A signature makes no call: nothing to fail (the call made with the link is the browser's).
      if (access instanceof S3UrlSigner) return;
      const client = access as unknown as Extensible;
      const service = SERVICES[client.config.serviceId ?? ''];
      if (!service || rulesOf(service).length === 0) return;
      client.middlewareStack.add(
        (next) => (args) => {
          // Only the functions' calls fail, not the local runtime's own (AWS's glue retries its own).
          if (!currentCaller()) return next(args);
          stats.attempts[service]++;
          const kind = pick(service);
          if (!kind) return next(args);
          const key = `${service}:${kind.name}`;
          stats.injected[key] = (stats.injected[key] ?? 0) + 1;
          const { request } = args as { request: { method?: string } };
          return Promise.resolve({ response: errorResponse(kind, request.method ?? 'POST') });
        },
        { step: 'deserialize', name: 'localFaultInjection', priority: 'low', override: true },
      );
    },
  };
};

/** Every kind of failure the local cloud can inject, for `--help`. */
export const faultKindsText = (): string =>
  Object.entries(FAULT_KINDS)
    .map(
      ([service, kinds]) =>
        `${service === 'states' ? 'sfn' : service}: ${kinds.map((k) => k.name).join(', ')}`,
    )
    .join('; ');
