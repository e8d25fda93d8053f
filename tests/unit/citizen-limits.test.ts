import { describe, expect, it } from 'vitest';
import { CITIZEN_REPORTS_PER_MINUTE, clientAddressOf, makeHandler } from '../../functions/intake/app';
import type { CaseStore, RateLimiter, ReportQueue } from '../../shared/ports';
import { type ApiCall, apiEvent, lambdaContext } from '../support/api-event';
import { claimsFor, insideZone, sandun, TEST_ISSUER, testClock } from '../support/cases-harness';

/**
 * The citizens' report limits (the `reporter` role is the one exposed to the public): per account
 * and per address, per minute, counted before the body is read; staff are not counted.
 */
const inMemoryLimiter = (): RateLimiter => {
  const counts = new Map<string, number>();
  return {
    async tryAcquire(bucket, limit, window) {
      const key = `${bucket}@${window.minute}`;
      const used = counts.get(key) ?? 0;
      if (used >= limit) return false;
      counts.set(key, used + 1);
      return true;
    },
  };
};

const intake = () => {
  const clock = testClock();
  const store = { create: async () => ({ created: true }) } as unknown as CaseStore;
  const queue: ReportQueue = { enqueue: async () => undefined } as unknown as ReportQueue;
  const handler = makeHandler({
    store,
    queue,
    district: sandun,
    clock,
    identity: { issuer: TEST_ISSUER, claims: { role: 'role', department: 'department', zone: 'zone' } },
    rateLimiter: inMemoryLimiter(),
  });
  const at = insideZone(sandun.config.zones[0]!);
  const report = async (claims: Record<string, string>, headers: Record<string, string> = {}) => {
    const call: ApiCall = {
      routeKey: 'POST /v1/cases',
      claims,
      headers,
      body: { source: 'citizen', description: '窨井盖缺失', location: { ...at, crs: 'wgs84' } },
    };
    const result = await handler(apiEvent(call) as never, lambdaContext() as never);
    return result as { statusCode: number; headers?: Record<string, string> };
  };
  return { clock, report };
};

describe('citizen report limits', () => {
  it('refuses an account past its reports per minute with 429 and Retry-After, until the next minute', async () => {
    const { clock, report } = intake();
    for (let i = 0; i < CITIZEN_REPORTS_PER_MINUTE.account; i++) {
      expect((await report(claimsFor.reporter('citizen-a'))).statusCode).toBe(202);
    }
    const refused = await report(claimsFor.reporter('citizen-a'));
    expect(refused.statusCode).toBe(429);
    expect(Number(refused.headers?.['retry-after'])).toBeGreaterThan(0);
    // Another citizen is not affected; the next minute starts again.
    expect((await report(claimsFor.reporter('citizen-b'))).statusCode).toBe(202);
    clock.advanceMinutes(1);
    expect((await report(claimsFor.reporter('citizen-a'))).statusCode).toBe(202);
  });

  it('refuses many accounts behind one address past the address budget', async () => {
    const { report } = intake();
    const accounts = Math.ceil(CITIZEN_REPORTS_PER_MINUTE.address / CITIZEN_REPORTS_PER_MINUTE.account);
    let accepted = 0;
    for (let a = 0; a < accounts + 1; a++) {
      for (let i = 0; i < CITIZEN_REPORTS_PER_MINUTE.account; i++) {
        if ((await report(claimsFor.reporter(`throwaway-${a}`))).statusCode === 202) accepted++;
      }
    }
    expect(accepted).toBe(CITIZEN_REPORTS_PER_MINUTE.address);
    // A citizen elsewhere (behind CloudFront: the viewer's address, not the edge's) is not affected.
    expect(
      (
        await report(claimsFor.reporter('elsewhere'), {
          via: '1.1 x.cloudfront.net (CloudFront)',
          'x-forwarded-for': '203.0.113.9, 130.176.1.1',
        })
      ).statusCode,
    ).toBe(202);
  });

  it('does not count staff reports', async () => {
    const { report } = intake();
    for (let i = 0; i < CITIZEN_REPORTS_PER_MINUTE.address + 5; i++) {
      expect((await report(claimsFor.fieldWorker('market-regulation'))).statusCode).toBe(202);
    }
  });

  it('takes the viewer address CloudFront appended, not the edge’s', () => {
    const event = apiEvent({
      routeKey: 'POST /v1/cases',
      headers: {
        via: '2.0 abc.cloudfront.net (CloudFront)',
        'x-forwarded-for': '10.9.9.9, 203.0.113.7, 130.176.1.1',
      },
    });
    expect(clientAddressOf(event)).toBe('203.0.113.7');
    expect(
      clientAddressOf(
        apiEvent({ routeKey: 'POST /v1/cases', headers: { 'x-forwarded-for': '203.0.113.7' } }),
      ),
    ).toBe('127.0.0.1');
  });
});
