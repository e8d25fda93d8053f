/**
 * `--faults dynamodb:throttle=0.05,sqs:500=2%,s3:SlowDown=0.05` (or `*=0.05`: each service's usual
 * failure at 5 %): which service calls the local cloud fails, with which of AWS's errors, how often.
 */

export type FaultService = 'dynamodb' | 'sqs' | 's3' | 'states';

/** One of AWS's own failures: the HTTP status and error code the service answers with. */
export interface FaultKind {
  service: FaultService;
  /** The name on the command line. */
  name: string;
  status: number;
  code: string;
  message: string;
  /** Sender (the caller should slow down) or Receiver (the service failed). */
  fault: 'Sender' | 'Receiver';
}

const kind = (
  service: FaultService,
  name: string,
  status: number,
  code: string,
  message: string,
): FaultKind => ({ service, name, status, code, message, fault: status >= 500 ? 'Receiver' : 'Sender' });

/** The failures each service is known for; the first is the one `*=rate` picks. */
export const FAULT_KINDS: Record<FaultService, FaultKind[]> = {
  dynamodb: [
    kind(
      'dynamodb',
      'throttle',
      400,
      'ProvisionedThroughputExceededException',
      'The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.',
    ),
    kind(
      'dynamodb',
      'ThrottlingException',
      400,
      'ThrottlingException',
      'Rate of requests exceeds the allowed throughput.',
    ),
    kind('dynamodb', '500', 500, 'InternalServerError', 'Internal server error'),
  ],
  sqs: [
    kind('sqs', '500', 500, 'InternalError', 'We encountered an internal error. Please try again.'),
    kind('sqs', 'throttle', 400, 'RequestThrottled', 'Rate exceeded'),
  ],
  s3: [
    kind('s3', 'SlowDown', 503, 'SlowDown', 'Please reduce your request rate.'),
    kind('s3', '500', 500, 'InternalError', 'We encountered an internal error. Please try again.'),
  ],
  states: [
    kind('states', 'throttle', 400, 'ThrottlingException', 'Rate exceeded'),
    kind(
      'states',
      '500',
      500,
      'InternalFailure',
      'The request processing has failed because of an unknown error.',
    ),
  ],
};

const SERVICE_NAMES: Record<string, FaultService> = {
  dynamodb: 'dynamodb',
  sqs: 'sqs',
  s3: 's3',
  sfn: 'states',
  states: 'states',
  stepfunctions: 'states',
};

export interface FaultRule {
  kind: FaultKind;
  /** Probability per attempt, 0–1. */
  rate: number;
}

export class FaultSpecError extends Error {
  override readonly name = 'FaultSpecError';
}

const parseRate = (text: string, item: string): number => {
  const percent = text.endsWith('%');
  const rate = Number(percent ? text.slice(0, -1) : text) / (percent ? 100 : 1);
  if (text === '' || !Number.isFinite(rate) || rate < 0 || rate > 1) {
    throw new FaultSpecError(`--faults ${item}: the rate must be from 0 to 1 (or 0% to 100%), not "${text}"`);
  }
  return rate;
};

/** Parses `service:fault=rate,…`; `*=rate` is every service's first fault kind at that rate. */
export const parseFaults = (spec: string): FaultRule[] => {
  const rules: FaultRule[] = [];
  for (const item of spec
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)) {
    const [target = '', rateText = ''] = item.split('=');
    const rate = parseRate(rateText.trim(), item);
    if (target.trim() === '*') {
      for (const kinds of Object.values(FAULT_KINDS)) rules.push({ kind: kinds[0] as FaultKind, rate });
      continue;
    }
    const [serviceText = '', faultText = ''] = target.split(':').map((part) => part.trim());
    const service = SERVICE_NAMES[serviceText.toLowerCase()];
    if (!service) {
      throw new FaultSpecError(
        `--faults ${item}: unknown service "${serviceText}" (dynamodb, sqs, s3, sfn, or * for all)`,
      );
    }
    const kinds = FAULT_KINDS[service];
    const found = faultText
      ? kinds.find((k) => k.name.toLowerCase() === faultText.toLowerCase() || k.code === faultText)
      : kinds[0];
    if (!found) {
      throw new FaultSpecError(
        `--faults ${item}: ${serviceText} fails with ${kinds.map((k) => k.name).join(', ')}, not "${faultText}"`,
      );
    }
    rules.push({ kind: found, rate });
  }
  return rules;
};

/** mulberry32: a small seeded generator, so a seed replays the same sequence of draws. */
export const seededRandom = (seed: number): (() => number) => {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
};
