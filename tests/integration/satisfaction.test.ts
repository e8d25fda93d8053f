import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeHandler as makeEventsHandler } from '../../functions/department-events/app';
import { makeHandler as makeEvaluationHandler } from '../../functions/evaluation/app';
import { DynamoEvaluationAggregates } from '../../shared/adapters/aws/dynamodb-evaluation-aggregates';
import { DynamoRateLimiter } from '../../shared/adapters/aws/dynamodb-rate-limiter';
import { DynamoSeenSignatures } from '../../shared/adapters/aws/dynamodb-seen-signatures';
import type { Case } from '../../shared/domain/case';
import { districtDay } from '../../shared/domain/evaluation';
import { signatureHeaders } from '../../shared/domain/signature';
import type { NotifierMessage, TimerStart } from '../../shared/ports';
import { caseEffects } from '../../shared/usecases/case-effects';
import {
  casesHarness,
  claimsFor,
  distinctPointsIn,
  invoke,
  sandun,
  TEST_ISSUER,
} from '../support/cases-harness';
import { type Emulators, startEmulators } from '../support/emulators';
import { asFunction } from '../support/iam';
import { keysHarness } from '../support/keys-harness';

/**
 * The reporter's verdict (回访) through the HTTP API on the embedded emulators: the citizen's own
 * verdict on a closed case, the 12345 platform's callback (不满意 reopens in Sandun, with a fresh
 * timer and the department told), and 满意率 / 回访率 read back from GET /v1/metrics.
 */

let emulators: Emulators;
let api: ReturnType<typeof casesHarness>;
let keys: ReturnType<typeof keysHarness>;
let evaluation: ReturnType<typeof makeEvaluationHandler>;
let events: ReturnType<typeof makeEventsHandler>;
/** What the cases function started and told after its saves (ports, not the SDK). */
const timersStarted: TimerStart[] = [];
const published: NotifierMessage[] = [];

const CITIZEN = 'citizen-verdict';
const nextPoint = distinctPointsIn(sandun.zone('zijingang')!);
/** A few grid points on: far enough from the last report to be another event, not a repeat. */
const farPoint = () => {
  for (let i = 0; i < 4; i++) nextPoint();
  return nextPoint();
};

beforeAll(async () => {
  emulators = await startEmulators();
  const aggregates = new DynamoEvaluationAggregates({
    client: emulators.documents,
    tableName: emulators.tableName,
    district: sandun.config,
  });
  let clockOf = () => new Date().toISOString();
  const effects = caseEffects({
    district: sandun,
    clock: { now: () => clockOf() },
    timers: { start: async (request) => void timersStarted.push(request) },
    notifications: { publish: async (messages) => void published.push(...messages) },
  });
  api = casesHarness(emulators, { aggregates, effects });
  clockOf = api.clock.now;
  keys = keysHarness(emulators, api.clock);
  const identity = { issuer: TEST_ISSUER, claims: { role: 'role', department: 'department', zone: 'zone' } };
  evaluation = asFunction(
    'evaluation',
    makeEvaluationHandler({ store: api.store, aggregates, district: sandun, clock: api.clock, identity }),
  );
  events = asFunction(
    'department-events',
    makeEventsHandler({
      keys: keys.keys,
      seen: new DynamoSeenSignatures({ client: emulators.documents, tableName: emulators.tableName }),
      store: api.store,
      queue: api.queue,
      district: sandun,
      clock: api.clock,
      rateLimiter: new DynamoRateLimiter({ client: emulators.documents, tableName: emulators.tableName }),
      effects,
    }),
  );
}, 60_000);

afterAll(async () => {
  await emulators?.stop();
});

/** Reports, routes, and walks the case to closure as the people responsible. */
const closedCase = async (
  report: () => Promise<{ status: number; body: { id?: string; caseId?: string } }>,
) => {
  const accepted = await report();
  expect(accepted.status, JSON.stringify(accepted.body)).toBe(202);
  const id = accepted.body.id ?? accepted.body.caseId ?? '';
  const drained = await api.drainQueue();
  expect(drained.flatMap((r) => r.batchItemFailures)).toEqual([]);
  let c = (await api.get(id)).body as Case;
  const chief = claimsFor.areaChief(c.zone!.id);
  const staff = claimsFor.staff(c.lead!);
  const steps: [string, unknown, Record<string, string>][] = [
    ['dispatch', {}, chief],
    ['accept', {}, staff],
    ['resolve', { result: '作坊已关停，设备已查封' }, staff],
    ['verify', { passed: true, note: '现场核查已停产' }, chief],
  ];
  for (const [command, body, claims] of steps) {
    api.clock.advanceMinutes(10);
    const reply = await api.command(id, command, body, claims);
    expect(reply.status, `${command}: ${JSON.stringify(reply.body)}`).toBe(200);
    c = reply.body;
  }
  return c;
};

const close = async (c: Case) => {
  api.clock.advanceMinutes(10);
  const reply = await api.command(c.id, 'close', {}, claimsFor.commandCentre());
  expect(reply.status).toBe(200);
  return reply.body as Case;
};

const workshop = (description: string) => ({
  source: 'citizen',
  category: 'event.household-workshop',
  description,
  location: { ...farPoint(), crs: 'wgs84' },
  reporter: { name: '王女士', phone: '13812341234' },
});

const metrics = async (groupBy: 'department' | 'zone') => {
  const day = districtDay(api.clock.now(), sandun.config.timezone);
  const result = await invoke(evaluation, {
    routeKey: 'GET /v1/metrics',
    query: { from: day, to: day, groupBy },
    claims: claimsFor.commandCentre(),
  });
  expect(result.status).toBe(200);
  return result.body as {
    total: { figures: { id: string; numerator: number; denominator?: number; value: number | null }[] };
    groups: {
      key: string;
      figures: { id: string; numerator: number; denominator?: number; value: number | null }[];
    }[];
  };
};
const figure = (figures: { id: string }[], id: string) => figures.find((f) => f.id === id);

describe('the reporter’s verdict over HTTP', () => {
  let citizenCase: Case;
  let hotline: Record<string, unknown>;

  it('is refused before closure (409 case_not_closed), to other reporters (404) and to area chiefs (403)', async () => {
    // Prepare
    api.clock.set('2026-12-01T01:00:00.000Z');
    const verified = await closedCase(() =>
      api.report(workshop('楼下出租房有家庭作坊，机器声音很吵'), claimsFor.reporter(CITIZEN)),
    );

    // Act
    const early = await api.satisfaction(verified.id, { rating: 'satisfied' }, claimsFor.reporter(CITIZEN));
    const stranger = await api.satisfaction(
      verified.id,
      { rating: 'satisfied' },
      claimsFor.reporter('someone'),
    );
    citizenCase = await close(verified);
    const chief = await api.satisfaction(
      citizenCase.id,
      { rating: 'satisfied' },
      claimsFor.areaChief(citizenCase.zone!.id),
    );
    const tooLong = await api.satisfaction(
      citizenCase.id,
      { rating: 'satisfied', comment: '长'.repeat(501) },
      claimsFor.reporter(CITIZEN),
    );

    // Assess
    expect(early.status).toBe(409);
    expect(early.headers['content-type']).toBe('application/problem+json');
    expect(early.body).toMatchObject({
      type: 'urn:xietong:problem:case-not-closed',
      errors: [{ field: 'status', rule: 'case_not_closed' }],
    });
    expect(stranger.status).toBe(404);
    expect(chief.status).toBe(403);
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.errors[0]).toMatchObject({ field: 'comment', rule: 'too_big' });
  });

  it('records the citizen’s verdict on the timeline and the case, masked for others; the same again changes nothing', async () => {
    // Act
    const rated = await api.satisfaction(
      citizenCase.id,
      {
        rating: 'basically_satisfied',
        comment: '停了，有事请打 13812341234',
        expectedVersion: citizenCase.version,
      },
      claimsFor.reporter(CITIZEN),
    );
    const again = await api.satisfaction(
      citizenCase.id,
      { rating: 'basically_satisfied', comment: '停了，有事请打 13812341234' },
      claimsFor.reporter(CITIZEN),
    );
    const stale = await api.satisfaction(
      citizenCase.id,
      { rating: 'satisfied', expectedVersion: citizenCase.version },
      claimsFor.reporter(CITIZEN),
    );
    const seenByChief = await api.get(citizenCase.id, claimsFor.areaChief(citizenCase.zone!.id));

    // Assess
    expect(rated.status, JSON.stringify(rated.body)).toBe(200);
    expect(rated.body).toMatchObject({
      status: 'closed',
      version: citizenCase.version + 1,
      satisfaction: {
        rating: 'basically_satisfied',
        comment: '停了，有事请打 13812341234',
        at: api.clock.now(),
        channel: 'citizen',
      },
    });
    expect(rated.body.satisfaction.by).toBeUndefined();
    expect(rated.body.timeline.at(-1)).toMatchObject({
      action: 'satisfaction-recorded',
      details: { rating: 'basically_satisfied', channel: 'citizen', reportId: citizenCase.id },
    });
    expect(again.status).toBe(200);
    expect(again.headers['idempotency-replayed']).toBe('true');
    expect(again.body.version).toBe(rated.body.version);
    expect(stale.status).toBe(409);
    expect(stale.body.errors[0]).toMatchObject({ rule: 'version_conflict' });
    expect(seenByChief.body.satisfaction.comment).toBe('停了，有事请打 138****1234');
    expect((await api.audit(citizenCase.id)).body).toMatchObject({ intact: true });
  });

  it('takes the 12345 callback for a ticket: 不满意 reopens the case (Sandun), re-arms its timer, tells the department; a resent callback changes nothing', async () => {
    // Prepare
    const created = await keys.create({ name: '12345 热线平台', source: 'hotline' });
    expect(created.status).toBe(201);
    const verdict = await keys.authorize(created.body.key);
    if (!verdict.isAuthorized || !('context' in verdict)) throw new Error('a new key must be accepted');
    hotline = verdict.context as unknown as Record<string, unknown>;
    const ticket = {
      ticketNo: 'HZ20261201-0099',
      caller: { name: '李先生', phone: '13900001111' },
      content: '小区车库里有人开家庭作坊，气味刺鼻',
      address: '三墩镇紫金港路 66 号',
      categoryText: '市场监管/家庭作坊',
      receivedAt: '2026-12-01T09:30:00+08:00',
      ...farPoint(),
    };
    const verified = await closedCase(() => api.hotlineTicket(ticket, hotline));
    const closed = await close(verified);
    const callback = {
      ticketNo: ticket.ticketNo,
      result: '不满意',
      comment: '作坊晚上又开工了',
      calledBackAt: '2026-12-02T10:00:00+08:00',
    };
    timersStarted.length = 0;
    published.length = 0;

    // Act
    api.clock.advanceMinutes(60);
    const delivered = await api.hotlineCallback(callback, hotline);
    const resent = await api.hotlineCallback(callback, hotline);
    const unknown = await api.hotlineCallback({ ...callback, ticketNo: 'HZ-NEVER-FILED' }, hotline);
    const badResult = await api.hotlineCallback({ ...callback, result: '非常满意' }, hotline);
    const stored = (await api.get(closed.id)).body;

    // Assess
    expect(delivered.status, JSON.stringify(delivered.body)).toBe(200);
    expect(delivered.body).toEqual({
      ticketNo: ticket.ticketNo,
      caseId: closed.id,
      status: 'dispatched',
      version: closed.version + 2,
      rating: 'dissatisfied',
      reopened: true,
    });
    expect(stored.satisfaction).toMatchObject({
      rating: 'dissatisfied',
      comment: '作坊晚上又开工了',
      channel: 'hotline',
      by: '12345 热线平台',
    });
    expect(stored.timeline.slice(-2).map((e: { action: string }) => e.action)).toEqual([
      'satisfaction-recorded',
      'reopened',
    ]);
    expect(stored.timeline.at(-2).details).toMatchObject({
      rating: 'dissatisfied',
      channel: 'hotline',
      ticketNo: ticket.ticketNo,
      calledBackAt: callback.calledBackAt,
    });
    expect(stored.timeline.at(-1)).toMatchObject({
      actor: { subject: 'system:satisfaction', role: 'system' },
      details: { rule: 'satisfaction.reopenOnDissatisfied', department: closed.assignee },
    });
    // As a manual reopen: a fresh timer for the new deadlines, the department told.
    expect(timersStarted).toHaveLength(1);
    expect(timersStarted[0]?.key).toMatchObject({
      caseId: closed.id,
      schedule: closed.version + 2,
      deadline: 'accept',
    });
    expect(published.some((m) => m.kind === 'assignment' && m.caseId === closed.id)).toBe(true);
    expect(resent.status).toBe(200);
    expect(resent.headers['idempotency-replayed']).toBe('true');
    expect(resent.body.version).toBe(delivered.body.version);
    expect(unknown.status).toBe(404);
    expect(unknown.body.errors[0]).toMatchObject({ field: 'ticketNo', rule: 'ticket_not_found' });
    expect(badResult.status).toBe(400);
  });

  it('refuses callbacks from a key not bound to the hotline', async () => {
    const created = await keys.create({ name: '开放接口客户端', source: 'open311' });
    const verdict = await keys.authorize(created.body.key);
    if (!verdict.isAuthorized || !('context' in verdict)) throw new Error('a new key must be accepted');
    const reply = await api.hotlineCallback(
      { ticketNo: 'HZ20261201-0099', result: '满意', calledBackAt: '2026-12-02T11:00:00+08:00' },
      verdict.context as unknown as Record<string, unknown>,
    );
    expect(reply.status).toBe(403);
  });

  it('takes a department system’s callback on a closed case it handled (signed event), once per event id', async () => {
    // Prepare
    const system = (
      await keys.create({
        name: '市场监管业务系统',
        source: 'department',
        actions: ['events'],
        department: 'market-regulation',
      })
    ).body as { id: string; signingSecret: string };
    const cooperating = (
      await keys.create({
        name: '城管执法系统',
        source: 'department',
        actions: ['events'],
        department: 'urban-management',
      })
    ).body as { id: string; signingSecret: string };
    const closed = await close(
      await closedCase(() =>
        api.report(workshop('仓库里有人加工塑料件'), claimsFor.reporter('citizen-other')),
      ),
    );
    const send = (key: { id: string; signingSecret: string }, department: string, body: string) =>
      invoke(events, {
        routeKey: 'POST /v1/integrations/{system}/events',
        path: `/v1/integrations/${department}/events`,
        pathParameters: { system: department },
        rawBody: body,
        headers: {
          'x-xietong-key-id': key.id,
          ...signatureHeaders(key.signingSecret, body, Date.parse(api.clock.now())),
        },
      });
    const event = (eventId: string) =>
      JSON.stringify({
        type: 'satisfaction',
        eventId,
        caseId: closed.id,
        rating: 'satisfied',
        comment: '回访满意',
      });

    // Act
    const first = await send(system, 'market-regulation', event('MR-CB-1'));
    api.clock.advanceMinutes(1);
    const resent = await send(system, 'market-regulation', event('MR-CB-1'));
    const notItsCase = await send(cooperating, 'urban-management', event('UM-CB-1'));

    // Assess
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body).toMatchObject({ type: 'satisfaction', caseId: closed.id, status: 'closed' });
    expect(resent.status).toBe(200);
    expect(resent.headers['idempotency-replayed']).toBe('true');
    expect(notItsCase.status).toBe(403);
    expect((await api.get(closed.id)).body.satisfaction).toMatchObject({
      rating: 'satisfied',
      channel: 'department',
      by: '市场监管业务系统',
    });
  });

  it('counts 满意率 and 回访率 in GET /v1/metrics, per department and zone', async () => {
    // Act
    const byDepartment = await metrics('department');
    const byZone = await metrics('zone');

    // Assess: three verdicts (基本满意, 不满意 that reopened its case, 满意); two cases closed today,
    // both with a verdict (the reopened one is not closed any more).
    expect(figure(byDepartment.total.figures, 'satisfactionRate')).toEqual({
      id: 'satisfactionRate',
      numerator: 2,
      denominator: 3,
      value: 0.6667,
    });
    expect(figure(byDepartment.total.figures, 'callbackRate')).toMatchObject({
      numerator: 2,
      denominator: 2,
      value: 1,
    });
    const mr = byDepartment.groups.find((g) => g.key === citizenCase.assignee);
    expect(figure(mr?.figures ?? [], 'satisfactionRate')).toMatchObject({ numerator: 2, denominator: 3 });
    const zone = byZone.groups.find((g) => g.key === citizenCase.zone!.id);
    expect(figure(zone?.figures ?? [], 'callbackRate')).toMatchObject({ numerator: 2, denominator: 2 });
  });

  it('gives the caller of a ticket merged as a duplicate a verdict on the case it went into', async () => {
    // Prepare: two callers about the same workshop; the second ticket merges into the first's case.
    const here = farPoint();
    const ticket = (ticketNo: string, name: string) => ({
      ticketNo,
      caller: { name, phone: '13700002222' },
      content: '紫金港路 88 号一楼家庭作坊夜间生产，噪音扰民',
      address: '三墩镇紫金港路 88 号',
      categoryText: '市场监管/家庭作坊',
      receivedAt: '2026-12-01T09:10:00+08:00',
      ...here,
    });
    const verified = await closedCase(() => api.hotlineTicket(ticket('HZ-DUP-1', '张女士'), hotline));
    const second = await api.hotlineTicket(ticket('HZ-DUP-2', '赵先生'), hotline);
    await api.drainQueue();
    const merged = (await api.get(second.body.caseId)).body as Case;
    expect(merged).toMatchObject({ status: 'merged', mergedInto: verified.id });
    const closed = await close(verified);

    // Act
    const reply = await api.hotlineCallback(
      { ticketNo: 'HZ-DUP-2', result: '满意', calledBackAt: '2026-12-03T09:00:00+08:00' },
      hotline,
    );

    // Assess
    expect(reply.status, JSON.stringify(reply.body)).toBe(200);
    expect(reply.body).toMatchObject({
      caseId: closed.id,
      mergedFrom: merged.id,
      status: 'closed',
      rating: 'satisfied',
      reopened: false,
    });
    const entry = (await api.get(closed.id)).body.timeline.at(-1);
    expect(entry).toMatchObject({
      action: 'satisfaction-recorded',
      details: { reportId: merged.id, ticketNo: 'HZ-DUP-2', channel: 'hotline' },
    });
  });
  it('lets a citizen whose report was merged follow the case it went into and judge it for their report', async () => {
    // Prepare: two residents report the same workshop; the second report merges into the first's case.
    const here = farPoint();
    const report = (name: string) => ({
      source: 'citizen',
      category: 'event.household-workshop',
      description: '紫金港路 96 号一楼家庭作坊夜里开工，噪音很大',
      location: { ...here, crs: 'wgs84' },
      reporter: { name, phone: '13600003333' },
    });
    const verified = await closedCase(() =>
      api.report(report('周女士'), claimsFor.reporter('citizen-first')),
    );
    const second = await api.report(report('吴先生'), claimsFor.reporter('citizen-second'));
    expect(second.status).toBe(202);
    await api.drainQueue();
    const merged = (await api.get(second.body.id)).body as Case;
    expect(merged).toMatchObject({ status: 'merged', mergedInto: verified.id });
    const closed = await close(verified);

    // Act
    const followed = await api.get(closed.id, claimsFor.reporter('citizen-second'));
    const stranger = await api.get(closed.id, claimsFor.reporter('citizen-stranger'));
    const judged = await api.satisfaction(
      merged.id,
      { rating: 'satisfied', comment: '作坊已停工' },
      claimsFor.reporter('citizen-second'),
    );
    const strangersVerdict = await api.satisfaction(
      merged.id,
      { rating: 'dissatisfied' },
      claimsFor.reporter('citizen-stranger'),
    );

    // Assess: the case is theirs to follow, with the first resident's contact masked.
    expect(followed.status).toBe(200);
    expect(followed.body.reporter).toEqual({ name: '周**', phone: '136****3333' });
    expect(followed.body.linkedReports[0].reporter).toEqual({ name: '吴先生', phone: '13600003333' });
    expect(stranger.status).toBe(404);
    expect(judged.status, JSON.stringify(judged.body)).toBe(200);
    expect(judged.body.id).toBe(closed.id);
    expect(judged.body.timeline.at(-1)).toMatchObject({
      action: 'satisfaction-recorded',
      details: { reportId: merged.id, channel: 'citizen', rating: 'satisfied' },
    });
    expect(strangersVerdict.status).toBe(404);
  });
});
