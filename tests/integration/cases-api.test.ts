import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wgs84ToGcj02 } from '../../shared/domain/geo';
import { verifyTimeline } from '../../shared/domain/timeline';
import { casesHarness, claimsFor, distinctPointsIn, insideZone, sandun } from '../support/cases-harness';
import { type Emulators, startEmulators } from '../support/emulators';

let emulators: Emulators;
let api: ReturnType<typeof casesHarness>;

const zijingang = sandun.zone('zijingang')!;
const nextPoint = distinctPointsIn(zijingang);
/** A report at a point of its own: these tests want separate cases (dedup has its own tests). */
const workshop = (overrides: Record<string, unknown> = {}) => ({
  source: 'hotline',
  category: 'event.household-workshop',
  description: '居民反映小区一楼有家庭作坊违规生产，气味刺鼻',
  location: { ...nextPoint(), crs: 'wgs84' },
  reporter: { name: '王女士', phone: '13812341234' },
  ...overrides,
});

/** Reports, routes, and returns the registered case. */
const reportAndRoute = async (
  body: Record<string, unknown> = workshop(),
  headers: Record<string, string> = {},
) => {
  const accepted = await api.report(body, claimsFor.fieldWorker('joint-team'), headers);
  expect(accepted.status).toBe(202);
  await api.drainQueue();
  return (await api.get(accepted.body.id)).body;
};

beforeAll(async () => {
  emulators = await startEmulators();
  api = casesHarness(emulators);
});

afterAll(async () => {
  await emulators.stop();
});

describe('intake and routing', () => {
  it('accepts a report, then routes it to the lead department, zone and area chief', async () => {
    const accepted = await api.report(workshop());
    expect(accepted.status).toBe(202);
    expect(accepted.headers.location).toBe(`/v1/cases/${accepted.body.id}`);
    expect(accepted.body.status).toBe('reported');

    const responses = await api.drainQueue();
    expect(responses.flatMap((r) => r.batchItemFailures)).toEqual([]);

    const routed = (await api.get(accepted.body.id)).body;
    expect(routed).toMatchObject({
      status: 'registered',
      zone: { id: 'zijingang' },
      areaChief: zijingang.areaChief,
      lead: 'market-regulation',
      cooperating: ['fire', 'urban-management', 'police'],
      priority: 'high',
      triage: false,
    });
    expect(routed.timeline.map((e: { action: string }) => e.action)).toEqual(['reported', 'registered']);
    expect(routed.timeline[1].correlationId).toBe(routed.timeline[0].correlationId);

    const byDepartment = await api.list({ department: 'market-regulation' });
    const byZone = await api.list({ zone: 'zijingang' });
    expect(byDepartment.body.items.map((c: { id: string }) => c.id)).toContain(routed.id);
    expect(byZone.body.items.map((c: { id: string }) => c.id)).toContain(routed.id);
    const otherZone = await api.list({ zone: 'shuangqiao' });
    expect(otherZone.body.items.map((c: { id: string }) => c.id)).not.toContain(routed.id);
  });

  it('converts a GCJ-02 location from a phone map to WGS-84 before routing', async () => {
    const point = insideZone(zijingang);
    const onPhoneMap = wgs84ToGcj02(point);
    // The datum shift around Hangzhou is several hundred metres: enough to cross a zone border.
    expect(Math.abs(onPhoneMap.lng - point.lng)).toBeGreaterThan(0.003);
    const routed = await reportAndRoute(workshop({ location: { ...onPhoneMap, crs: 'gcj02' } }));
    expect(routed.location.crs).toBe('wgs84');
    expect(routed.location.reported.crs).toBe('gcj02');
    expect(Math.abs(routed.location.lat - point.lat)).toBeLessThan(1e-7);
    expect(Math.abs(routed.location.lng - point.lng)).toBeLessThan(1e-7);
    expect(routed.zone.id).toBe('zijingang');
  });

  it('sends a report without category to the command centre triage queue', async () => {
    const routed = await reportAndRoute(
      // Vague on purpose: a clear text would be auto-categorized by the triage classifier.
      workshop({ category: undefined, description: '这里有点问题，麻烦派人来看一下' }),
    );
    expect(routed).toMatchObject({ status: 'registered', triage: true, lead: 'command-centre' });

    const chief = claimsFor.areaChief('zijingang');
    const withoutCategory = await api.command(routed.id, 'dispatch', {}, chief);
    expect(withoutCategory.status).toBe(422);
    expect(withoutCategory.body.errors[0]).toMatchObject({ field: 'category', rule: 'required' });

    const dispatched = await api.command(routed.id, 'dispatch', { category: 'event.sewage-overflow' }, chief);
    expect(dispatched.status).toBe(200);
    expect(dispatched.body).toMatchObject({
      status: 'dispatched',
      triage: false,
      lead: 'urban-management',
      assignee: 'urban-management',
    });
  });

  it('hands urgent non-specialist events to the joint team and dispatches at once where the district says so', async () => {
    const routed = await reportAndRoute(
      workshop({ category: 'event.road-collapse', description: '路面塌陷一个大坑' }),
    );
    expect(routed).toMatchObject({ status: 'dispatched', lead: 'joint-team', assignee: 'joint-team' });
    expect(routed.cooperating).toEqual([
      'urban-management',
      'traffic-police',
      'emergency-management',
      'police',
    ]);
    expect(routed.deadlines.acceptBy > routed.dispatchedAt).toBe(true);
    expect(routed.timeline.map((e: { action: string }) => e.action)).toEqual([
      'reported',
      'registered',
      'dispatched',
    ]);
  });

  it('returns the same case for a retried Idempotency-Key and refuses the key with another body', async () => {
    const headers = { 'Idempotency-Key': 'hotline-retry-0001' };
    const body = workshop();
    const first = await api.report(body, claimsFor.fieldWorker('joint-team'), headers);
    const retry = await api.report(body, claimsFor.fieldWorker('joint-team'), headers);
    expect(retry.status).toBe(202);
    expect(retry.body.id).toBe(first.body.id);
    expect(retry.headers['idempotency-replayed']).toBe('true');

    const reused = await api.report(
      workshop({ description: '另一件事' }),
      claimsFor.fieldWorker('joint-team'),
      headers,
    );
    expect(reused.status).toBe(422);
    expect(reused.body.errors[0]).toMatchObject({ field: 'Idempotency-Key', rule: 'idempotency_key_reused' });

    // The same key from another client is another report.
    const otherClient = await api.report(body, claimsFor.fieldWorker('police'), headers);
    expect(otherClient.body.id).not.toBe(first.body.id);
    await api.drainQueue();
  });

  it('returns the existing case for an external ticket already seen', async () => {
    const externalRef = { system: '12345', id: 'HZ20261130-0042' };
    const first = await api.report(workshop({ externalRef }));
    const again = await api.report(workshop({ externalRef, description: '重复来电' }));
    expect(again.body.id).toBe(first.body.id);
    expect(again.body.description).toBe(first.body.description);
    await api.drainQueue();
  });

  it('re-enqueues a retried report that was stored but never queued (a crash between the two writes)', async () => {
    const headers = { 'Idempotency-Key': 'crash-between-writes' };
    const body = workshop();
    const accepted = await api.report(body, claimsFor.fieldWorker('joint-team'), headers);
    // Lose the message, as if the process died after the put and before the send.
    await emulators.sqs.send(
      new (await import('@aws-sdk/client-sqs')).PurgeQueueCommand({
        QueueUrl: emulators.queues.intakeQueueUrl,
      }),
    );
    expect((await api.get(accepted.body.id)).body.status).toBe('reported');
    await api.report(body, claimsFor.fieldWorker('joint-team'), headers);
    await api.drainQueue();
    expect((await api.get(accepted.body.id)).body.status).toBe('registered');
  });
});

describe('the workflow over the API', () => {
  it('walks a case from report to close with every step on an intact timeline', async () => {
    const c = await reportAndRoute();
    const chief = claimsFor.areaChief('zijingang');
    const staff = claimsFor.staff('market-regulation');

    const steps: [string, unknown, Record<string, string>, string][] = [
      ['dispatch', { expectedVersion: c.version }, chief, 'dispatched'],
      ['accept', {}, staff, 'accepted'],
      ['progress', { note: '已到现场，联合消防检查' }, claimsFor.fieldWorker('fire'), 'accepted'],
      ['resolve', { result: '作坊已停产，设备已查封' }, staff, 'handled'],
      ['verify', { passed: true, note: '现场核查属实' }, chief, 'verified'],
      ['close', {}, claimsFor.commandCentre(), 'closed'],
    ];
    for (const [command, body, claims, status] of steps) {
      const reply = await api.command(c.id, command, body, claims);
      expect(reply.status, `${command}: ${JSON.stringify(reply.body)}`).toBe(200);
      expect(reply.body.status).toBe(status);
    }

    const closed = (await api.get(c.id)).body;
    expect(closed.timeline.map((e: { action: string }) => e.action)).toEqual([
      'reported',
      'registered',
      'dispatched',
      'accepted',
      'progress',
      'resolved',
      'verified',
      'closed',
    ]);
    expect(closed.timeline[2].actor).toMatchObject({ subject: 'chief-zijingang', role: 'area_chief' });
    expect(verifyTimeline(closed.timeline)).toEqual({ intact: true });
    expect(closed.version).toBe(8);
    expect(closed.closedAt).toBeDefined();
  });

  it('records returns, reassignments and rework with their reasons', async () => {
    const c = await reportAndRoute(
      workshop({ category: 'event.illegal-parking', description: '小区门口违停' }),
    );
    const chief = claimsFor.areaChief('zijingang');
    await api.command(c.id, 'dispatch', {}, chief);

    const noReason = await api.command(c.id, 'return', {}, claimsFor.staff('traffic-police'));
    expect(noReason.status).toBe(400);
    expect(noReason.body.errors[0]).toMatchObject({ field: 'reason' });

    const returned = await api.command(
      c.id,
      'return',
      { reason: '小区内部道路，不属交警管辖' },
      claimsFor.staff('traffic-police'),
    );
    expect(returned.body).toMatchObject({ status: 'registered', counters: { returns: 1 } });
    expect(returned.body.assignee).toBeUndefined();

    await api.command(c.id, 'dispatch', { department: 'urban-management' }, chief);
    const reassignWithoutReason = await api.command(c.id, 'dispatch', { department: 'police' }, chief);
    expect(reassignWithoutReason.status).toBe(422);
    const reassigned = await api.command(
      c.id,
      'dispatch',
      { department: 'police', reason: '涉及纠纷' },
      chief,
    );
    expect(reassigned.body).toMatchObject({
      status: 'dispatched',
      assignee: 'police',
      counters: { reassigns: 1 },
    });

    await api.command(c.id, 'accept', {}, claimsFor.fieldWorker('police'));
    await api.command(c.id, 'resolve', { result: '已劝离' }, claimsFor.fieldWorker('police'));
    const failedWithoutNote = await api.command(c.id, 'verify', { passed: false }, chief);
    expect(failedWithoutNote.status).toBe(422);
    const rework = await api.command(c.id, 'verify', { passed: false, note: '车辆仍在' }, chief);
    expect(rework.body).toMatchObject({ status: 'accepted', counters: { reworks: 1 } });
    const actions = rework.body.timeline.map((e: { action: string }) => e.action);
    expect(actions).toEqual([
      'reported',
      'registered',
      'dispatched',
      'returned',
      'dispatched',
      'reassigned',
      'accepted',
      'resolved',
      'rework',
    ]);
    expect(rework.body.timeline[3].reason).toBe('小区内部道路，不属交警管辖');
  });

  it('lets only the right people act, refuses stale versions and illegal transitions', async () => {
    const c = await reportAndRoute();
    const forbiddenDispatch = await api.command(
      c.id,
      'dispatch',
      {},
      claimsFor.fieldWorker('market-regulation'),
    );
    expect(forbiddenDispatch.status).toBe(403);
    // Outside one's read scope a case is as absent as a missing one: 404, nothing leaked.
    const otherChief = await api.command(c.id, 'dispatch', {}, claimsFor.areaChief('shuangqiao'));
    expect(otherChief.status).toBe(404);
    const reporter = await api.command(c.id, 'dispatch', {}, claimsFor.reporter());
    expect(reporter.status).toBe(404);

    const tooEarly = await api.command(c.id, 'close', {}, claimsFor.commandCentre());
    expect(tooEarly.status).toBe(409);
    expect(tooEarly.body.errors[0]).toMatchObject({ rule: 'illegal_transition' });

    await api.command(c.id, 'dispatch', {}, claimsFor.commandCentre());
    const unrelatedDepartment = await api.command(c.id, 'accept', {}, claimsFor.staff('traffic-police'));
    expect(unrelatedDepartment.status).toBe(404);
    // Police co-operate on this case: they see it, but only the assigned department accepts.
    const cooperating = await api.command(c.id, 'accept', {}, claimsFor.staff('police'));
    expect(cooperating.status).toBe(403);

    const stale = await api.command(
      c.id,
      'accept',
      { expectedVersion: c.version },
      claimsFor.staff('market-regulation'),
    );
    expect(stale.status).toBe(409);
    expect(stale.body.errors[0]).toMatchObject({ field: 'expectedVersion', rule: 'version_conflict' });

    const unauthenticated = await api.command(c.id, 'accept', {}, {});
    expect(unauthenticated.status).toBe(401);

    const after = (await api.get(c.id)).body;
    expect(after.status).toBe('dispatched');
    expect(after.timeline).toHaveLength(3);
  });

  it('shows a reporter their own reports only', async () => {
    const mine = await api.report(workshop(), claimsFor.reporter('citizen-a'));
    await api.report(workshop(), claimsFor.reporter('citizen-b'));
    await api.drainQueue();
    expect((await api.get(mine.body.id, claimsFor.reporter('citizen-a'))).status).toBe(200);
    expect((await api.get(mine.body.id, claimsFor.reporter('citizen-b'))).status).toBe(404);
    const list = await api.list({}, claimsFor.reporter('citizen-a'));
    expect(list.body.items.length).toBeGreaterThan(0);
    expect(
      list.body.items.every(
        (c: { submittedBy: { subject: string } }) => c.submittedBy.subject === 'citizen-a',
      ),
    ).toBe(true);
  });

  it('marks cases overdue once the acceptance deadline passes and lists them from the due index', async () => {
    const c = await reportAndRoute(
      workshop({ category: 'event.food-safety', description: '餐馆后厨卫生差' }),
    );
    await api.command(c.id, 'dispatch', {}, claimsFor.commandCentre());
    expect((await api.get(c.id)).body.overdue).toBe(false);
    const acceptMinutes = sandun.category('event.food-safety')!.deadlines.acceptMinutes;
    api.clock.advanceMinutes(acceptMinutes + 1);
    const overdue = await api.get(c.id);
    expect(overdue.body.overdue).toBe(true);
    const list = await api.list({ overdue: 'true', department: 'market-regulation' });
    expect(list.body.items.map((i: { id: string }) => i.id)).toContain(c.id);
    expect(list.body.items.every((i: { overdue: boolean }) => i.overdue)).toBe(true);
  });
});

describe('lists', () => {
  it('pages newest first with a cursor, without repeats', async () => {
    for (let i = 0; i < 5; i++) {
      api.clock.advanceMinutes(1);
      await api.report(
        workshop({ category: 'component.bench-railing-damaged', description: `长椅损坏 ${i}` }),
      );
    }
    await api.drainQueue();
    const seen: string[] = [];
    let cursor: string | undefined;
    const reportedAt: string[] = [];
    do {
      const page = await api.list({ department: 'urban-management', limit: '2', ...(cursor && { cursor }) });
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      for (const item of page.body.items) {
        seen.push(item.id);
        reportedAt.push(item.reportedAt);
      }
      cursor = page.body.cursor;
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.length).toBeGreaterThanOrEqual(5);
    expect([...reportedAt].sort().reverse()).toEqual(reportedAt);
  });

  it('shows each case in a full list as its own read shows it (the list reads only the case attributes)', async () => {
    // The cases of the tests before: reported, routed, dispatched, worked, returned, closed, rated.
    const listed: { id: string }[] = [];
    let cursor: string | undefined;
    do {
      const page = await api.list({ limit: '50', ...(cursor && { cursor }) });
      expect(page.status).toBe(200);
      listed.push(...page.body.items);
      cursor = page.body.cursor;
    } while (cursor);
    expect(listed.length).toBeGreaterThan(10);
    for (const item of listed) expect(item).toEqual((await api.get(item.id)).body);
  });

  it('lists only what changed since an instant, oldest change first, within the caller scope', async () => {
    api.clock.advanceMinutes(10);
    const since = api.clock.now();
    api.clock.advanceMinutes(1);
    const first = await reportAndRoute();
    api.clock.advanceMinutes(1);
    const second = await reportAndRoute();
    api.clock.advanceMinutes(1);
    const dispatched = await api.command(first.id, 'dispatch', {}, claimsFor.areaChief('zijingang'));
    expect(dispatched.status).toBe(200);

    const changes = await api.list({ changedSince: since, limit: '100' });
    expect(changes.status).toBe(200);
    const ids = changes.body.items.map((c: { id: string }) => c.id);
    // The first case changed last (its dispatch), so it comes after the second.
    expect(ids).toEqual([second.id, first.id]);
    expect(changes.body.items[1].status).toBe('dispatched');
    const updated = changes.body.items.map((c: { updatedAt: string }) => c.updatedAt);
    expect([...updated].sort()).toEqual(updated);

    // Nothing changed after the last change: an empty page, so a poll costs one short query.
    const none = await api.list({ changedSince: updated.at(-1) });
    expect(none.body.items).toEqual([]);

    // The scope still applies: another zone's chief sees none of these changes.
    const other = sandun.config.zones.find((z) => z.id !== 'zijingang')!;
    const elsewhere = await api.list({ changedSince: since }, claimsFor.areaChief(other.id));
    expect(elsewhere.status).toBe(200);
    expect(elsewhere.body.items).toEqual([]);

    const bad = await api.list({ changedSince: 'yesterday' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].field).toBe('query.changedSince');
  });

  it('lists summaries for a board (view=summary): what a board shows, no timeline, larger pages', async () => {
    const reported = await reportAndRoute();
    const summaries = await api.list({ view: 'summary', limit: '500' });
    expect(summaries.status).toBe(200);
    const item = summaries.body.items.find((c: { id: string }) => c.id === reported.id);
    expect(item).toMatchObject({ id: reported.id, status: 'registered', version: expect.any(Number) });
    expect(item.location).toBeDefined();
    expect(item.zone).toBeDefined();
    expect(item.timeline).toBeUndefined();
    expect(item.submittedBy).toBeUndefined();
    expect(item.deadlines).toBeUndefined();
    // Worked out as for the full case: its deadline, whether it is overdue, masking for this reader.
    const full = (await api.list({ limit: '100' })).body.items.find(
      (c: { id: string }) => c.id === reported.id,
    );
    for (const field of [
      'overdue',
      'nextDueAt',
      'personalDataMasked',
      'description',
      'zone',
      'lead',
      'version',
    ])
      expect(item[field], field).toEqual(full[field]);
    // Full cases stay in pages of 100; 1,000 is for summaries only.
    const tooMany = await api.list({ limit: '500' });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.errors[0].field).toBe('query.limit');
    expect((await api.list({ view: 'summary', limit: '1001' })).status).toBe(400);
  });

  it('refuses a cursor that is not one of its own and unknown filters', async () => {
    const forged = await api.list({ cursor: Buffer.from('{"pk":"x"}').toString('base64url') });
    expect(forged.status).toBe(422);
    expect(forged.body.errors[0]).toMatchObject({ field: 'cursor', rule: 'invalid_cursor' });
    const unknown = await api.list({ colour: 'red' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors[0]).toMatchObject({ field: 'query.colour', rule: 'unrecognized_key' });
    const badLimit = await api.list({ limit: '1000' });
    expect(badLimit.status).toBe(400);
    expect(badLimit.body.errors[0].field).toBe('query.limit');
  });
});
