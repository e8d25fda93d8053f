import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeHandler as makeEventsHandler } from '../../functions/department-events/app';
import { makeHandler as makeIntakeHandler } from '../../functions/intake/app';
import { makeHandler as makeNotifyHandler } from '../../functions/notify/app';
import { makeHandler as makeSubscriptionsHandler } from '../../functions/subscriptions/app';
import { createRuntimeLog } from '../../infra/local/log';
import { startQueuePoller } from '../../infra/local/poller';
import { createIntakeQueues } from '../../infra/local/sqs';
import { DynamoRateLimiter } from '../../shared/adapters/aws/dynamodb-rate-limiter';
import { DynamoSeenSignatures } from '../../shared/adapters/aws/dynamodb-seen-signatures';
import { DynamoSubscriptionStore } from '../../shared/adapters/aws/dynamodb-subscription-store';
import { SqsMessageVisibility } from '../../shared/adapters/aws/sqs-message-visibility';
import { SqsNotificationQueue } from '../../shared/adapters/aws/sqs-notification-queue';
import { HttpWebhookPoster, WebhookChannel } from '../../shared/adapters/webhook/webhook-channel';
import { checkSignature, signatureHeaders } from '../../shared/domain/signature';
import {
  type CaseEventPayload,
  caseEventMessage,
  caseEventsBetween,
  deliveryMessage,
} from '../../shared/domain/subscriptions';
import { systemClock } from '../../shared/ports';
import { FUNCTIONS } from '../../shared/runtime/functions';
import { type ApiCall, apiEvent, lambdaContext } from '../support/api-event';
import {
  casesHarness,
  claimsFor,
  distinctPointsIn,
  insideZone,
  type Reply,
  sandun,
  TEST_ISSUER,
} from '../support/cases-harness';
import { type Emulators, startEmulators } from '../support/emulators';
import { asFunction } from '../support/iam';
import { adminClaims, keysHarness } from '../support/keys-harness';

/**
 * The integrations on the embedded emulators: 12345 tickets (idempotent by ticket number, mapped by
 * the district's table and gazetteer), signed department-system events (every way a signature can
 * be wrong), and webhook subscriptions delivered from a real queue to a local receiver that fails.
 */

let emulators: Emulators;
let api: ReturnType<typeof casesHarness>;
let keys: ReturnType<typeof keysHarness>;
let intake: ReturnType<typeof makeIntakeHandler>;
let events: ReturnType<typeof makeEventsHandler>;
let subscriptionsApi: ReturnType<typeof makeSubscriptionsHandler>;
let subscriptions: DynamoSubscriptionStore;
const identity = { issuer: TEST_ISSUER, claims: { role: 'role', department: 'department', zone: 'zone' } };

const invoke = async (
  handler: (event: never, context: never) => Promise<unknown>,
  call: ApiCall,
): Promise<Reply> => {
  const result = (await handler(
    apiEvent(call) as never,
    lambdaContext() as never,
  )) as APIGatewayProxyStructuredResultV2;
  return {
    status: result.statusCode ?? 200,
    headers: (result.headers ?? {}) as Record<string, string>,
    body: result.body ? JSON.parse(result.body) : undefined,
  };
};

const issue = async (body: Record<string, unknown>) => {
  const created = await keys.create(body);
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const verdict = await keys.authorize(created.body.key);
  if (!verdict.isAuthorized || !('context' in verdict)) throw new Error('a new key must be accepted');
  return { ...created.body, context: verdict.context as unknown as Record<string, unknown> };
};

beforeAll(async () => {
  emulators = await startEmulators();
  api = casesHarness(emulators);
  keys = keysHarness(emulators, api.clock);
  const rateLimiter = new DynamoRateLimiter({ client: emulators.documents, tableName: emulators.tableName });
  intake = asFunction(
    'intake',
    makeIntakeHandler({
      store: api.store,
      queue: api.queue,
      district: sandun,
      clock: api.clock,
      identity,
      rateLimiter,
    }),
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
      rateLimiter,
    }),
  );
  subscriptions = new DynamoSubscriptionStore({
    client: emulators.documents,
    tableName: emulators.tableName,
  });
  subscriptionsApi = asFunction(
    'subscriptions',
    makeSubscriptionsHandler({ subscriptions, district: sandun, clock: systemClock, identity }),
  );
});

afterAll(async () => {
  await emulators.stop();
});

const ticket = (overrides: Record<string, unknown> = {}) => ({
  ticketNo: 'HZ20261130-0042',
  caller: { name: '王女士', phone: '13812341234' },
  content: '小区一楼有家庭作坊违规生产，气味刺鼻',
  address: '三墩镇紫金港路 18 号',
  categoryText: '市场监管/家庭作坊',
  receivedAt: '2026-11-30T08:55:00+08:00',
  ...insideZone(sandun.zone('zijingang')!),
  ...overrides,
});

const postTicket = (body: unknown, context: Record<string, unknown> | undefined) =>
  invoke(intake, {
    routeKey: 'POST /v1/integrations/hotline/tickets',
    body,
    ...(context && { lambda: context }),
  });

describe('12345 hotline tickets', () => {
  it('become one case per ticket number: 202 with lead and deadline, then 200 with the same case', async () => {
    // Prepare
    const hotline = await issue({ name: '12345 热线平台', source: 'hotline' });

    // Act
    const first = await postTicket(ticket(), hotline.context);
    const again = await postTicket(ticket({ content: '再次来电催办' }), hotline.context);

    // Assess
    expect(first.status, JSON.stringify(first.body)).toBe(202);
    expect(first.body).toEqual({
      ticketNo: 'HZ20261130-0042',
      caseId: expect.stringMatching(/^C/),
      status: 'reported',
      category: 'event.household-workshop',
      lead: 'market-regulation',
      // Not dispatched yet: when the handling deadline falls if it is dispatched now (1 day).
      deadline: {
        handleBy: new Date(Date.parse(api.clock.now()) + 1440 * 60_000).toISOString(),
        estimated: true,
      },
      mapping: { category: 'table', location: 'coordinates' },
    });
    expect(first.headers.location).toBe(`/v1/cases/${first.body.caseId}`);
    expect(again.status).toBe(200);
    expect(again.headers['idempotency-replayed']).toBe('true');
    expect(again.body.caseId).toBe(first.body.caseId);

    // Routed, the same ticket answers with the case's own lead.
    await api.drainQueue();
    const routed = await postTicket(ticket(), hotline.context);
    expect(routed.body).toMatchObject({
      caseId: first.body.caseId,
      status: 'registered',
      lead: 'market-regulation',
    });
    const stored = await api.get(first.body.caseId);
    expect(stored.body).toMatchObject({
      source: 'hotline',
      externalRef: { system: '12345', id: 'HZ20261130-0042' },
      submittedBy: { role: 'integration', name: '12345 热线平台' },
    });
  });

  it('sends unmapped category text to triage and places an address without coordinates by the gazetteer', async () => {
    // Prepare
    const hotline = await issue({ name: '12345 热线平台', source: 'hotline' });

    // Act
    const unmapped = await postTicket(
      ticket({
        ticketNo: 'HZ-TRIAGE-1',
        categoryText: '其他/综合咨询',
        ...distinctPointsIn(sandun.zone('gudun')!)(),
      }),
      hotline.context,
    );
    const {
      lat: _lat,
      lng: _lng,
      ...withoutPoint
    } = ticket({ ticketNo: 'HZ-PLACE-1', address: '三墩老街 12 号旁' });
    const placed = await postTicket(withoutPoint, hotline.context);
    const nowhere = await postTicket(
      { ...withoutPoint, ticketNo: 'HZ-NOWHERE-1', address: '文一西路 100 号' },
      hotline.context,
    );

    // Assess
    expect(unmapped.status).toBe(202);
    expect(unmapped.body).toMatchObject({ lead: null, deadline: null, mapping: { category: 'triage' } });
    expect(unmapped.body.category).toBeUndefined();
    expect(placed.status).toBe(202);
    expect(placed.body.mapping).toEqual({ category: 'table', location: 'gazetteer', place: '三墩老街' });
    expect((await api.get(placed.body.caseId)).body.location).toMatchObject({
      lat: 30.3149,
      lng: 120.0871,
      address: '三墩老街 12 号旁',
    });
    expect(nowhere.status).toBe(422);
    expect(nowhere.body.errors).toEqual([
      { field: 'address', rule: 'unknown_place', message: expect.stringContaining('send lat and lng') },
    ]);
  });

  it('needs a key bound to the hotline source, and names the field of a bad ticket', async () => {
    // Prepare
    const camera = await issue({ name: '雪亮工程', source: 'camera' });
    const hotline = await issue({ name: '12345 热线平台', source: 'hotline' });

    // Act
    const wrongSource = await postTicket(ticket({ ticketNo: 'HZ-X-1' }), camera.context);
    const noKey = await postTicket(ticket({ ticketNo: 'HZ-X-2' }), undefined);
    const bad = await postTicket(ticket({ ticketNo: 'HZ X 3', lng: undefined }), hotline.context);

    // Assess
    expect(wrongSource.status).toBe(403);
    expect(wrongSource.body.errors[0]).toMatchObject({ field: 'source', rule: 'source_bound_to_key' });
    expect(noKey.status).toBe(401);
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['lng', 'ticketNo']);
  });
});

describe('department-system events (signed)', () => {
  let system: { id: string; signingSecret: string };
  let other: { id: string; signingSecret: string };
  let assigned: string;
  let cooperating: string;
  let unrelated: string;

  const send = (
    body: string,
    options: {
      keyId?: string;
      secret?: string;
      at?: number;
      system?: string;
      headers?: Record<string, string>;
    } = {},
  ) => {
    const at = options.at ?? Date.parse(api.clock.now());
    const signed = signatureHeaders(options.secret ?? system.signingSecret, body, at);
    const path = options.system ?? 'urban-management';
    return invoke(events, {
      routeKey: 'POST /v1/integrations/{system}/events',
      path: `/v1/integrations/${path}/events`,
      pathParameters: { system: path },
      rawBody: body,
      headers: { 'x-xietong-key-id': options.keyId ?? system.id, ...signed, ...options.headers },
    });
  };

  beforeAll(async () => {
    const created = await keys.create({
      name: '城管执法系统',
      source: 'department',
      actions: ['report', 'events'],
      department: 'urban-management',
    });
    system = created.body;
    other = (
      await keys.create({
        name: '交警系统',
        source: 'department',
        actions: ['events'],
        department: 'traffic-police',
      })
    ).body;
    // Dispatched: street vending to urban management; a workshop to market regulation (urban management
    // co-operates); food safety to market regulation (urban management has no part in it).
    const place = distinctPointsIn(sandun.zone('zhenhua')!);
    const reported = await Promise.all(
      ['event.street-vending', 'event.household-workshop', 'event.food-safety'].map((category) =>
        api.report({ source: 'patrol', category, description: `巡查发现 ${category}`, location: place() }),
      ),
    );
    await api.drainQueue();
    for (const r of reported) {
      const dispatched = await api.command(r.body.id, 'dispatch', {}, claimsFor.areaChief('zhenhua'));
      expect(dispatched.status, JSON.stringify(dispatched.body)).toBe(200);
    }
    assigned = reported[0]!.body.id;
    cooperating = reported[1]!.body.id;
    unrelated = reported[2]!.body.id;
  });

  it('shows the signing secret once, and only for keys with events', async () => {
    // Prepare
    const listed = await keys.list();

    // Assess
    expect(system.signingSecret).toMatch(/^xts_[A-Za-z0-9_-]{43}$/);
    expect(JSON.stringify(listed.body)).not.toContain(system.signingSecret);
    expect(listed.body.items.find((k: { id: string }) => k.id === system.id)).toMatchObject({
      actions: ['report', 'events'],
      department: 'urban-management',
    });
    const plain = await keys.create({ name: 'x', source: 'hotline' });
    expect(plain.body.signingSecret).toBeUndefined();
    const noDepartment = await keys.create({ name: 'x', source: 'department', actions: ['events'] });
    expect(noDepartment.status).toBe(400);
    expect(noDepartment.body.errors[0].field).toBe('department');
  });

  it('puts a progress note on the assigned case through the workflow, once per event id, audit intact', async () => {
    // Prepare
    const body = JSON.stringify({
      type: 'progress',
      eventId: 'UM-2026-0001',
      caseId: assigned,
      note: '执法队员已到场劝离',
    });

    // Act
    const first = await send(body);
    api.clock.advanceMinutes(1);
    const resent = await send(body);

    // Assess
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body).toMatchObject({
      eventId: 'UM-2026-0001',
      type: 'progress',
      caseId: assigned,
      status: 'dispatched',
    });
    expect(resent.status).toBe(200);
    expect(resent.headers['idempotency-replayed']).toBe('true');
    const c = (await api.get(assigned)).body;
    const notes = c.timeline.filter((e: { action: string }) => e.action === 'progress');
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatchObject({
      note: '执法队员已到场劝离',
      actor: { subject: `key:${system.id}`, role: 'integration', department: 'urban-management' },
      correlationId: 'event:urban-management:UM-2026-0001',
    });
    expect((await api.audit(assigned)).body).toMatchObject({ intact: true });
  });

  it('reports a new case as the key’s source, idempotent by event id', async () => {
    // Prepare
    const body = JSON.stringify({
      type: 'report',
      eventId: 'UM-2026-0002',
      report: {
        category: 'event.garbage-overflow',
        description: '城管系统：垃圾桶满溢',
        location: distinctPointsIn(sandun.zone('lanli')!)(),
      },
    });

    // Act
    const first = await send(body);
    api.clock.advanceMinutes(1);
    const again = await send(body);

    // Assess
    expect(first.status, JSON.stringify(first.body)).toBe(202);
    expect(again.status).toBe(200);
    expect(again.body.caseId).toBe(first.body.caseId);
    expect((await api.get(first.body.caseId)).body).toMatchObject({
      source: 'department',
      externalRef: { system: 'urban-management', id: 'UM-2026-0002' },
    });
  });

  it('refuses a bad signature, a tampered body, another key’s secret, a stale timestamp and a replay', async () => {
    // Prepare
    const body = JSON.stringify({
      type: 'progress',
      eventId: 'UM-2026-0003',
      caseId: assigned,
      note: '复查',
    });
    const now = Date.parse(api.clock.now());
    const signed = signatureHeaders(system.signingSecret, body, now);

    // Act
    const badSignature = await send(body, { headers: { 'x-xietong-signature': `v1=${'a'.repeat(64)}` } });
    const tampered = await invoke(events, {
      routeKey: 'POST /v1/integrations/{system}/events',
      path: '/v1/integrations/urban-management/events',
      pathParameters: { system: 'urban-management' },
      rawBody: body.replace('复查', '已办结'),
      headers: { 'x-xietong-key-id': system.id, ...signed },
    });
    const wrongKey = await send(body, { secret: other.signingSecret });
    const unknownKey = await send(body, { keyId: '01JZZZZZZZZZZZZZZZZZZZZZZZ' });
    const stale = await send(body, { at: now - 301_000 });
    const future = await send(body, { at: now + 301_000 });
    const unsigned = await send(body, { headers: { 'x-xietong-signature': '' } });
    const accepted = await send(body, { at: now });
    const replayed = await send(body, { at: now });

    // Assess
    for (const refused of [badSignature, tampered, wrongKey, unknownKey, unsigned]) {
      expect(refused.status).toBe(401);
      expect(refused.body.errors).toEqual([
        { field: 'x-xietong-signature', rule: 'signature_refused', message: expect.any(String) },
      ]);
    }
    for (const late of [stale, future]) {
      expect(late.status).toBe(401);
      expect(late.body.errors[0].rule).toBe('stale_timestamp');
    }
    expect(accepted.status).toBe(200);
    expect(replayed.status).toBe(401);
    expect(replayed.body.errors[0].rule).toBe('replayed_signature');
    const notes = (await api.get(assigned)).body.timeline.filter((e: { note?: string }) => e.note === '复查');
    expect(notes).toHaveLength(1);
  });

  it('speaks only for its own department and its assigned cases; a revoked key is refused', async () => {
    // Prepare
    const progress = (caseId: string, eventId: string) =>
      JSON.stringify({ type: 'progress', eventId, caseId, note: '越权' });

    // Act
    const otherSystem = await send(progress(assigned, 'UM-9'), { system: 'traffic-police' });
    const cooperatingCase = await send(progress(cooperating, 'UM-10'));
    const unrelatedCase = await send(progress(unrelated, 'UM-12'));
    const eventsOnly = await send(
      JSON.stringify({
        type: 'report',
        eventId: 'TP-1',
        report: { description: 'x', location: insideZone(sandun.zone('zhenhua')!) },
      }),
      { keyId: other.id, secret: other.signingSecret, system: 'traffic-police' },
    );
    await keys.revoke(system.id);
    const revoked = await send(progress(assigned, 'UM-11'));

    // Assess
    expect(otherSystem.status).toBe(403);
    expect(cooperatingCase.status).toBe(403);
    expect(cooperatingCase.body.errors[0].message).toContain('assigned');
    expect(unrelatedCase.status).toBe(404);
    expect(eventsOnly.status).toBe(403);
    expect(revoked.status).toBe(401);
  });
});

describe('webhook subscriptions', () => {
  interface Received {
    path: string;
    at: number;
    headers: IncomingHttpHeaders;
    body: string;
  }
  const received: Received[] = [];
  let receiver: Server;
  let hookBase: string;
  const failuresLeft = new Map<string, number>([['/flaky', 2]]);

  const admin = adminClaims();
  const call = (routeKey: string, extra: Partial<ApiCall> = {}) =>
    invoke(subscriptionsApi, { routeKey, claims: admin, ...extra });
  const deliveries = (id: string) =>
    call('GET /v1/subscriptions/{id}/deliveries', {
      path: `/v1/subscriptions/${id}/deliveries`,
      pathParameters: { id },
    });

  /** A notification queue with its DLQ (maxReceiveCount 5, as on AWS) and the notifier polling it. */
  const pipeline = async (name: string, retryBaseSeconds: number) => {
    const queues = await createIntakeQueues(emulators.sqs, emulators.queues.endpoint, {
      intake: `xietong-test-${name}`,
      deadLetter: `xietong-test-${name}-dlq`,
      visibilityTimeoutSeconds: 30,
      maxReceiveCount: 5,
      fifo: false,
    });
    // This pipeline's queue plays the notification queue (the notifier sends to and reads it).
    emulators.iam.name({ notificationQueueUrl: queues.intakeQueueUrl });
    const queue = new SqsNotificationQueue({ client: emulators.sqs, queueUrl: queues.intakeQueueUrl });
    const handler = makeNotifyHandler({
      channel: new WebhookChannel({ district: sandun.config }),
      subscriptions,
      queue,
      visibility: new SqsMessageVisibility({ client: emulators.sqs, queueUrl: queues.intakeQueueUrl }),
      poster: new HttpWebhookPoster({ timeoutMs: 2_000 }),
      clock: systemClock,
      retryBaseSeconds,
    });
    const poller = startQueuePoller({
      sqs: emulators.sqs,
      queueUrl: queues.intakeQueueUrl,
      queueArn: queues.intakeQueueArn,
      consumer: { spec: FUNCTIONS.find((f) => f.name === 'notify')!, handler: handler as never },
      log: createRuntimeLog('ERROR'),
      concurrency: 1,
    });
    return { queues, queue, poller };
  };
  const pipelines: Awaited<ReturnType<typeof pipeline>>[] = [];

  const until = async <T>(
    what: string,
    probe: () => Promise<T | undefined>,
    timeoutMs = 30_000,
  ): Promise<T> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await probe();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  };

  /** The events of dispatching a freshly routed market-regulation case. */
  const dispatchEvents = async (zone: string): Promise<CaseEventPayload[]> => {
    const reported = await api.report({
      source: 'hotline',
      category: 'event.household-workshop',
      description: '家庭作坊',
      location: insideZone(sandun.zone(zone)!),
      externalRef: { system: '12345', id: `HZ-HOOK-${Math.random().toString(36).slice(2)}` },
    });
    await api.drainQueue();
    const before = (await api.store.get(reported.body.id))!.case;
    await api.command(reported.body.id, 'dispatch', {}, claimsFor.commandCentre());
    const after = (await api.store.get(reported.body.id))!.case;
    return caseEventsBetween(before, after);
  };

  beforeAll(async () => {
    receiver = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const path = request.url ?? '/';
        received.push({
          path,
          at: Date.now(),
          headers: request.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        });
        const left = failuresLeft.get(path) ?? 0;
        if (path === '/down') response.writeHead(500);
        else if (left > 0) {
          failuresLeft.set(path, left - 1);
          response.writeHead(503);
        } else response.writeHead(204);
        response.end();
      });
    });
    await new Promise<void>((done) => receiver.listen(0, '127.0.0.1', done));
    hookBase = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await Promise.all(pipelines.map((p) => p.poller.stop()));
    await new Promise<void>((done) => receiver.close(() => done()));
  });

  it('are managed by administrators: the secret is shown once, bad input is named, others are refused', async () => {
    // Act
    const created = await call('POST /v1/subscriptions', {
      body: {
        name: '热线平台回传',
        url: `${hookBase}/unused`,
        source: 'hotline',
        events: ['case.status_changed'],
      },
    });
    const listed = await call('GET /v1/subscriptions');
    const plainHttp = await call('POST /v1/subscriptions', {
      body: { name: 'x', url: 'http://example.org/hook', department: 'fire', events: ['case.closed'] },
    });
    const both = await call('POST /v1/subscriptions', {
      body: { name: 'x', url: 'https://example.org/hook', events: ['case.closed'] },
    });
    const unknown = await call('POST /v1/subscriptions', {
      body: { name: 'x', url: 'https://example.org/hook', department: 'nobody', events: ['case.closed'] },
    });
    const staff = await invoke(subscriptionsApi, {
      routeKey: 'GET /v1/subscriptions',
      claims: claimsFor.staff('fire'),
    });

    // Assess
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.headers['cache-control']).toBe('no-store');
    expect(created.body).toMatchObject({
      filter: { source: 'hotline' },
      events: ['case.status_changed'],
      secret: expect.stringMatching(/^whsec_/),
    });
    expect(JSON.stringify(listed.body)).not.toContain(created.body.secret);
    expect(listed.body.items.map((s: { id: string }) => s.id)).toContain(created.body.id);
    expect(plainHttp.status).toBe(400);
    expect(plainHttp.body.errors[0].field).toBe('url');
    expect(both.status).toBe(400);
    expect(unknown.status).toBe(422);
    expect(staff.status).toBe(403);

    // Deleted: gone from the list, its deliveries too.
    const id = created.body.id;
    const deleted = await call('DELETE /v1/subscriptions/{id}', {
      path: `/v1/subscriptions/${id}`,
      pathParameters: { id },
    });
    expect(deleted.status).toBe(204);
    expect((await deliveries(id)).status).toBe(404);
    expect(
      (
        await call('DELETE /v1/subscriptions/{id}', {
          path: `/v1/subscriptions/${id}`,
          pathParameters: { id },
        })
      ).status,
    ).toBe(404);
  });

  it('deliver signed events, retried with backoff until the receiver takes them, every attempt listed', async () => {
    // Prepare
    const flaky = await call('POST /v1/subscriptions', {
      body: {
        name: '市场监管系统',
        url: `${hookBase}/flaky`,
        department: 'market-regulation',
        events: ['case.assigned'],
      },
    });
    await call('POST /v1/subscriptions', {
      body: { name: '消防系统', url: `${hookBase}/fire`, department: 'fire', events: ['case.assigned'] },
    });
    const fast = await pipeline('notify-flaky', 1);
    pipelines.push(fast);

    // Act
    const caseEvents = await dispatchEvents('xingzhou');
    await fast.queue.publish(caseEvents.map(caseEventMessage));
    const attempts = await until('the third attempt', async () => {
      const hits = received.filter((r) => r.path === '/flaky');
      return hits.length >= 3 ? hits : undefined;
    });
    const listed = await until('three recorded attempts', async () => {
      const reply = await deliveries(flaky.body.id);
      return reply.body.items.length >= 3 ? reply.body.items : undefined;
    });

    // Assess
    const assigned = caseEvents.find((e) => e.type === 'case.assigned')!;
    for (const hit of attempts) {
      expect(JSON.parse(hit.body)).toEqual(assigned);
      expect(hit.headers['idempotency-key']).toBe(`${assigned.id}:${flaky.body.id}`);
      expect(hit.headers['x-xietong-event']).toBe('case.assigned');
      const verdict = checkSignature(
        flaky.body.secret,
        {
          timestamp: hit.headers['x-xietong-timestamp'] as string,
          signature: hit.headers['x-xietong-signature'] as string,
          body: hit.body,
        },
        hit.at,
      );
      expect(verdict.valid).toBe(true);
    }
    // Backoff: 1 s, then 2 s (the visibility timeout of the failed message).
    expect(attempts[1]!.at - attempts[0]!.at).toBeGreaterThanOrEqual(900);
    expect(attempts[2]!.at - attempts[1]!.at).toBeGreaterThanOrEqual(1_900);
    expect(
      listed.map((a: { attempt: number; outcome: string; status?: number }) => [
        a.attempt,
        a.outcome,
        a.status,
      ]),
    ).toEqual([
      [3, 'delivered', 204],
      [2, 'failed', 503],
      [1, 'failed', 503],
    ]);
    expect(listed[1]).toMatchObject({
      eventId: assigned.id,
      caseId: assigned.case.id,
      nextAttemptAt: expect.any(String),
    });
    expect(listed[0].nextAttemptAt).toBeUndefined();
    // The fire department's subscription wanted none of it.
    expect(received.filter((r) => r.path === '/fire')).toEqual([]);
  });

  it('park a delivery the receiver never takes in the dead-letter queue after five recorded attempts', async () => {
    // Prepare
    const down = await call('POST /v1/subscriptions', {
      body: {
        name: '应急系统',
        url: `${hookBase}/down`,
        department: 'emergency-management',
        events: ['case.closed'],
      },
    });
    const immediate = await pipeline('notify-down', 0);
    pipelines.push(immediate);
    const [event] = await dispatchEvents('shuangqiao');

    // Act
    await immediate.queue.publish([deliveryMessage(down.body.id, event!)]);
    const parked = await until('the message in the DLQ', async () => {
      const { Messages = [] } = await emulators.sqs.send(
        new ReceiveMessageCommand({ QueueUrl: immediate.queues.dlqUrl, WaitTimeSeconds: 1 }),
      );
      return Messages[0];
    });

    // Assess
    expect(JSON.parse(parked.Body ?? '{}')).toMatchObject({ kind: 'delivery', subscriptionId: down.body.id });
    const listed = (await deliveries(down.body.id)).body.items;
    expect(listed.map((a: { attempt: number }) => a.attempt)).toEqual([5, 4, 3, 2, 1]);
    expect(
      listed.every((a: { outcome: string; status: number }) => a.outcome === 'failed' && a.status === 500),
    ).toBe(true);
    expect(listed[0].nextAttemptAt).toBeUndefined();
    expect(received.filter((r) => r.path === '/down')).toHaveLength(5);
  });
});
