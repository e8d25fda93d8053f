import { describe, expect, it } from 'vitest';
import { FaultSpecError, parseFaults, seededRandom } from '../../infra/local/faults/plan';

describe('--faults', () => {
  it('reads service:fault=rate lists, rates as fractions or percentages', () => {
    const rules = parseFaults('dynamodb:throttle=0.05,sqs:500=2%,s3:SlowDown=0.05,sfn:throttle=0.01');
    expect(rules.map(({ kind, rate }) => [kind.service, kind.code, kind.status, rate])).toEqual([
      ['dynamodb', 'ProvisionedThroughputExceededException', 400, 0.05],
      ['sqs', 'InternalError', 500, 0.02],
      ['s3', 'SlowDown', 503, 0.05],
      ['states', 'ThrottlingException', 400, 0.01],
    ]);
  });

  it('gives every service its usual failure with *=rate', () => {
    expect(parseFaults('*=0.05').map(({ kind }) => `${kind.service}:${kind.code}`)).toEqual([
      'dynamodb:ProvisionedThroughputExceededException',
      'sqs:InternalError',
      's3:SlowDown',
      'states:ThrottlingException',
    ]);
  });

  it('refuses what it does not know, naming what it knows', () => {
    expect(() => parseFaults('dynamo:throttle=0.1')).toThrow(FaultSpecError);
    expect(() => parseFaults('s3:throttle=0.1')).toThrow('s3 fails with SlowDown, 500, not "throttle"');
    expect(() => parseFaults('sqs:500=1.5')).toThrow('from 0 to 1');
    expect(parseFaults('')).toEqual([]);
  });

  it('draws the same sequence for the same seed', () => {
    const first = seededRandom(19);
    const again = seededRandom(19);
    const draws = Array.from({ length: 5 }, () => first());
    expect(Array.from({ length: 5 }, () => again())).toEqual(draws);
    expect(draws.every((d) => d >= 0 && d < 1)).toBe(true);
    expect(seededRandom(20)()).not.toBe(draws[0]);
  });
});
