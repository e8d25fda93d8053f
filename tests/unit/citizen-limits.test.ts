import { describe, expect, it } from 'vitest';
import { clientAddressOf, makeHandler } from '../../functions/intake/app';
import type { CaseStore, RateLimiter, ReportQueue } from '../../shared/ports';
import { citizenReportLimitsFrom, DEFAULT_CITIZEN_REPORT_LIMITS } from '../../shared/runtime/config';
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
  /** Cases by id, as far as intake looks: a replay finds its case. */
  const cases = new Map<string, unknown>();
  const store = {
    create: async (c: { id: string }) => {
      if (cases.has(c.id)) return { created: false, existing: { case: cases.get(c.id), intake: {} } };
      cases.set(c.id, c);
      return { created: true };
    },
    get: async (id: string) => (cases.has(id) ? { case: cases.get(id) } : undefined),
  } as unknown as CaseStore;
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
    for (let i = 0; i < DEFAULT_CITIZEN_REPORT_LIMITS.account; i++) {
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

  it('does not count a retry of a report already accepted (the outbox repeating a lost answer)', async () => {
    const { report } = intake();
    const key = { 'idempotency-key': 'citizen-retry-1' };
    expect((await report(claimsFor.reporter('citizen-r'), key)).statusCode).toBe(202);
    for (let i = 1; i < DEFAULT_CITIZEN_REPORT_LIMITS.account; i++) {
      expect((await report(claimsFor.reporter('citizen-r'))).statusCode).toBe(202);
    }
    expect((await report(claimsFor.reporter('citizen-r'))).statusCode).toBe(429);
    // The budget is spent, yet the retry of the first report still gets its case.
    const retried = await report(claimsFor.reporter('citizen-r'), key);
    expect(retried.statusCode).not.toBe(429);
  });

  it('reads its limits from the environment at cold start, refusing a typo', () => {
    expect(citizenReportLimitsFrom({})).toEqual(DEFAULT_CITIZEN_REPORT_LIMITS);
    expect(citizenReportLimitsFrom({ XT_CITIZEN_REPORTS_PER_MINUTE: '5,20' })).toEqual({
      account: 5,
      address: 20,
    });
    expect(citizenReportLimitsFrom({ XT_CITIZEN_REPORTS_PER_MINUTE: 'off' })).toBe('off');
    expect(() => citizenReportLimitsFrom({ XT_CITIZEN_REPORTS_PER_MINUTE: 'ten' })).toThrow(
      /XT_CITIZEN_REPORTS_PER_MINUTE/,
    );
  });

  it('refuses many accounts behind one address past the address budget', async () => {
    const { report } = intake();
    const accounts = Math.ceil(DEFAULT_CITIZEN_REPORT_LIMITS.address / DEFAULT_CITIZEN_REPORT_LIMITS.account);
    let accepted = 0;
    for (let a = 0; a < accounts + 1; a++) {
      for (let i = 0; i < DEFAULT_CITIZEN_REPORT_LIMITS.account; i++) {
        if ((await report(claimsFor.reporter(`throwaway-${a}`))).statusCode === 202) accepted++;
      }
    }
    expect(accepted).toBe(DEFAULT_CITIZEN_REPORT_LIMITS.address);
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
    for (let i = 0; i < DEFAULT_CITIZEN_REPORT_LIMITS.address + 5; i++) {
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
