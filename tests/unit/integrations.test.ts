import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadDistrict } from '../../shared/district/load';
import { districtSchemas } from '../../shared/district/schema';
import { isAllowed, scopeOf } from '../../shared/domain/authorization';
import { type Actor, type Case, SYSTEM_ROUTER } from '../../shared/domain/case';
import { indexDistrict } from '../../shared/domain/district-index';
import { InvalidInputError } from '../../shared/domain/errors';
import { mapHotlineCategory, placeOf, reportInputOfTicket } from '../../shared/domain/hotline';
import { newReportedCase } from '../../shared/domain/report';
import { routeReport } from '../../shared/domain/routing';
import {
  checkSignature,
  SIGNATURE_TOLERANCE_SECONDS,
  sign,
  signatureHeaders,
} from '../../shared/domain/signature';
import {
  backoffSeconds,
  caseEventsBetween,
  DELIVERY_ATTEMPTS,
  type Subscription,
  wants,
} from '../../shared/domain/subscriptions';
import { type CommandInput, registerReport, runCommand } from '../../shared/domain/workflow';

const { DistrictConfig } = districtSchemas();

const config = loadDistrict(fileURLToPath(new URL('../../districts/sandun.json', import.meta.url)));
const district = indexDistrict(config);
const NOW = Date.parse('2026-11-30T02:00:00.000Z');
const SECRET = 'xts_test-secret';
const BODY = '{"type":"progress","eventId":"UM-1","caseId":"C1","note":"已到场"}';

describe('signed requests (HMAC-SHA256 over "<timestamp>.<body>")', () => {
  const signed = () => {
    const headers = signatureHeaders(SECRET, BODY, NOW);
    return {
      timestamp: headers['x-xietong-timestamp'],
      signature: headers['x-xietong-signature'],
      body: BODY,
    };
  };

  it('accepts the secret’s signature over this timestamp and body', () => {
    // Prepare
    const request = signed();

    // Assess
    expect(request.signature).toMatch(/^v1=[0-9a-f]{64}$/);
    expect(checkSignature(SECRET, request, NOW)).toEqual({ valid: true, timestamp: NOW / 1000 });
  });

  it('refuses a tampered body, another key’s secret and a bad signature', () => {
    // Prepare
    const request = signed();

    // Assess
    expect(checkSignature(SECRET, { ...request, body: BODY.replace('已到场', '已办结') }, NOW)).toEqual({
      valid: false,
      reason: 'bad_signature',
    });
    expect(checkSignature('xts_another-key', request, NOW)).toMatchObject({ reason: 'bad_signature' });
    expect(checkSignature(SECRET, { ...request, signature: `v1=${'0'.repeat(64)}` }, NOW)).toMatchObject({
      reason: 'bad_signature',
    });
    expect(checkSignature(SECRET, { ...request, signature: 'sha256=abc' }, NOW)).toMatchObject({
      reason: 'malformed_signature',
    });
    expect(checkSignature(SECRET, { ...request, signature: undefined }, NOW)).toMatchObject({
      reason: 'malformed_signature',
    });
  });

  it('refuses a timestamp more than five minutes away, and a signature moved to a fresh timestamp', () => {
    // Prepare
    const request = signed();
    const later = NOW + (SIGNATURE_TOLERANCE_SECONDS + 1) * 1000;
    const fresh = String(Math.floor(later / 1000));

    // Assess
    expect(checkSignature(SECRET, request, NOW + SIGNATURE_TOLERANCE_SECONDS * 1000)).toMatchObject({
      valid: true,
    });
    expect(checkSignature(SECRET, request, later)).toEqual({ valid: false, reason: 'stale_timestamp' });
    expect(checkSignature(SECRET, request, NOW - (SIGNATURE_TOLERANCE_SECONDS + 1) * 1000)).toMatchObject({
      reason: 'stale_timestamp',
    });
    expect(checkSignature(SECRET, { ...request, timestamp: fresh }, later)).toMatchObject({
      reason: 'bad_signature',
    });
    expect(checkSignature(SECRET, { ...request, timestamp: '2026-11-30' }, NOW)).toMatchObject({
      reason: 'malformed_timestamp',
    });
  });

  it('is what openssl computes (the README’s example)', () => {
    // printf '%s' "1764468000.{}" | openssl dgst -sha256 -hmac secret
    expect(sign('secret', '1764468000', '{}')).toBe(
      'v1=21a19658e17399172494c7a47ac7d70fde58444e989bbfe14cf43f8793e8048a',
    );
  });
});

describe('12345 tickets', () => {
  const ticket = {
    ticketNo: 'HZ20261130-0042',
    content: '小区一楼有家庭作坊违规生产，气味刺鼻',
    address: '三墩镇紫金港路 18 号',
    receivedAt: '2026-11-30T01:55:00+08:00',
  };

  it('maps the platform’s category text by the district table, exactly or by its longest mapped parent', () => {
    // Assess
    expect(mapHotlineCategory(config, '市场监管/家庭作坊')).toBe('event.household-workshop');
    expect(mapHotlineCategory(config, ' 城市管理/市容环境/占道经营/流动摊贩 ')).toBe('event.street-vending');
    expect(mapHotlineCategory(config, '城市管理/市容环境')).toBeUndefined();
    expect(mapHotlineCategory(config, '咨询/政策')).toBeUndefined();
    expect(mapHotlineCategory(config, undefined)).toBeUndefined();
  });

  it('becomes a hotline report with the ticket number as its external ref; unmapped text goes to triage', () => {
    // Act
    const mapped = reportInputOfTicket(district, {
      ...ticket,
      categoryText: '市场监管/家庭作坊',
      lat: 30.2853,
      lng: 120.0688,
      caller: { name: '王女士', phone: '13812341234' },
    });
    const unmapped = reportInputOfTicket(district, {
      ...ticket,
      categoryText: '其他/其他',
      lat: 30.2853,
      lng: 120.0688,
    });

    // Assess
    expect(mapped.input).toMatchObject({
      source: 'hotline',
      category: 'event.household-workshop',
      location: { lat: 30.2853, lng: 120.0688, crs: 'wgs84', address: ticket.address },
      reporter: { name: '王女士', phone: '13812341234' },
      externalRef: { system: '12345', id: 'HZ20261130-0042' },
    });
    expect(mapped.mapping).toEqual({ category: 'table', location: 'coordinates' });
    expect(unmapped.input.category).toBeUndefined();
    expect(unmapped.input.description).toContain('其他/其他');
    expect(unmapped.mapping.category).toBe('triage');
  });

  it('places an address without coordinates by the gazetteer’s longest name, and refuses one it can’t place', () => {
    // Act
    const placed = reportInputOfTicket(district, ticket);

    // Assess
    expect(placeOf(config, '三墩老街 12 号')?.name).toBe('三墩老街');
    expect(placed.input.location).toMatchObject({ lat: 30.2853, lng: 120.0688, address: ticket.address });
    expect(placed.mapping).toEqual({ category: 'triage', location: 'gazetteer', place: '紫金港路' });
    expect(() => reportInputOfTicket(district, { ...ticket, address: '文一西路 100 号' })).toThrow(
      InvalidInputError,
    );
    try {
      reportInputOfTicket(district, { ...ticket, address: '文一西路 100 号' });
    } catch (error) {
      expect(error).toMatchObject({ field: 'address', rule: 'unknown_place' });
    }
  });

  it('refuses a district table that names an unknown category', () => {
    // Prepare
    const broken = structuredClone(config) as unknown as Record<string, unknown> & {
      hotline: { categories: Record<string, string> };
    };
    broken.hotline.categories['市场监管/其他'] = 'event.no-such-thing';

    // Act
    const result = DistrictConfig.safeParse(broken);

    // Assess
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]).toMatchObject({
      path: ['hotline', 'categories', '市场监管/其他'],
      message: 'unknown category "event.no-such-thing"',
    });
  });
});

describe('subscriptions', () => {
  const CENTRE: Actor = { subject: 'cc-1', role: 'command_centre', department: 'command-centre' };
  const run = (c: Case, input: CommandInput) =>
    runCommand(c, input, { district, actor: CENTRE, now: '2026-11-30T02:05:00.000Z' });
  const registered = () => {
    const reported = newReportedCase(
      {
        source: 'hotline',
        category: 'event.household-workshop',
        description: '家庭作坊',
        location: { lat: 30.28525, lng: 120.0688, crs: 'wgs84' },
        externalRef: { system: '12345', id: 'HZ-1' },
      },
      {
        id: 'C01HZXTESTCASE000000000077',
        district,
        actor: { subject: 'key:1', role: 'integration' },
        now: '2026-11-30T02:00:00.000Z',
      },
    );
    return registerReport(
      reported,
      routeReport(district, { category: reported.category, location: reported.location }),
      {
        actor: SYSTEM_ROUTER,
        now: '2026-11-30T02:01:00.000Z',
      },
    );
  };
  const subscription = (over: Partial<Subscription>): Subscription => ({
    id: 'S1',
    name: 'x',
    url: 'https://example.org/hook',
    filter: { department: 'market-regulation' },
    events: ['case.assigned', 'case.escalated', 'case.closed'],
    createdAt: '2026-11-30T00:00:00.000Z',
    createdBy: 'admin',
    ...over,
  });

  it('raises case.assigned and case.status_changed on a dispatch, with the 12345 ticket number', () => {
    // Prepare
    const before = registered();

    // Act
    const events = caseEventsBetween(before, run(before, { command: 'dispatch' }));

    // Assess
    expect(events.map((e) => e.type)).toEqual(['case.assigned', 'case.status_changed']);
    expect(events[0]).toMatchObject({
      id: `${before.id}:${before.timeline.length + 1}:case.assigned`,
      ticketNo: 'HZ-1',
      case: {
        id: before.id,
        status: 'dispatched',
        assignee: 'market-regulation',
        externalRef: { system: '12345', id: 'HZ-1' },
      },
      entry: { action: 'dispatched', from: 'registered', to: 'dispatched' },
    });
    expect(JSON.stringify(events)).not.toContain('reporter');
  });

  it('matches by event type and by department (assignee or lead) or by source', () => {
    // Prepare
    const before = registered();
    const [assigned, changed] = caseEventsBetween(before, run(before, { command: 'dispatch' }));

    // Assess
    expect(wants(subscription({}), assigned!)).toBe(true);
    expect(wants(subscription({}), changed!)).toBe(false);
    expect(wants(subscription({ filter: { department: 'fire' } }), assigned!)).toBe(false);
    expect(
      wants(subscription({ filter: { source: 'hotline' }, events: ['case.status_changed'] }), changed!),
    ).toBe(true);
    expect(
      wants(subscription({ filter: { source: 'camera' }, events: ['case.status_changed'] }), changed!),
    ).toBe(false);
  });

  it('backs off exponentially, capped, for DELIVERY_ATTEMPTS attempts', () => {
    // Assess
    expect([1, 2, 3, 4].map((n) => backoffSeconds(n, 30))).toEqual([30, 60, 120, 240]);
    expect(backoffSeconds(9, 30)).toBe(900);
    expect(backoffSeconds(3, 0)).toBe(0);
    expect(DELIVERY_ATTEMPTS).toBe(5);
  });
});

describe('department systems in the authorization matrix', () => {
  it('add progress and results to the cases assigned to their department only', () => {
    // Prepare
    const system: Actor = { subject: 'key:K', role: 'integration', department: 'urban-management' };
    const anonymous: Actor = { subject: 'key:H', role: 'integration' };
    const facts = (assignee: string) => ({ cooperating: [], submittedBy: system, lead: assignee, assignee });

    // Assess
    expect(scopeOf(system, 'progress')).toBe('assigned');
    expect(isAllowed(system, 'progress', facts('urban-management'))).toBe(true);
    expect(isAllowed(system, 'resolve', facts('urban-management'))).toBe(true);
    expect(isAllowed(system, 'progress', facts('traffic-police'))).toBe(false);
    expect(isAllowed(anonymous, 'progress', facts('urban-management'))).toBe(false);
    for (const action of ['read', 'accept', 'return', 'close', 'dispatch'] as const) {
      expect(isAllowed(system, action, facts('urban-management')), action).toBe(false);
    }
  });
});
