import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { ulid } from 'ulid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeHandler as makeJointVisitsHandler } from '../../functions/joint-visits/app';
import { makeHandler as makePremisesHandler } from '../../functions/premises/app';
import { DynamoCaseStore } from '../../shared/adapters/aws/dynamodb-case-store';
import { DynamoJointVisitStore } from '../../shared/adapters/aws/dynamodb-joint-visit-store';
import { DynamoPremisesReader } from '../../shared/adapters/aws/dynamodb-premises-reader';
import { type Case, SYSTEM_ROUTER } from '../../shared/domain/case';
import { type DistrictIndex, indexDistrict } from '../../shared/domain/district-index';
import { AWAITING_VISIT } from '../../shared/domain/joint-visit';
import { newReportedCase } from '../../shared/domain/report';
import { routeReport } from '../../shared/domain/routing';
import { verifyTimeline } from '../../shared/domain/timeline';
import { registerReport } from '../../shared/domain/workflow';
import type { CaseStore, StoredCase } from '../../shared/ports';
import { type JointVisitDeps, planJointVisit } from '../../shared/usecases/joint-visits';
import { apiEvent, lambdaContext } from '../support/api-event';
import { claimsFor, insideZone, type Reply, sandun, TEST_ISSUER, testClock } from '../support/cases-harness';
import { type Emulators, startEmulators } from '../support/emulators';
import { asFunction } from '../support/iam';

let emulators: Emulators;
let store: DynamoCaseStore;
let visits: DynamoJointVisitStore;
let premises: DynamoPremisesReader;
const clock = testClock();
const identity = { issuer: TEST_ISSUER, claims: { role: 'role', department: 'department', zone: 'zone' } };
const zijingang = sandun.zone('zijingang')!;
const proposing = indexDistrict({ ...sandun.config, jointVisits: { mode: 'propose' } });

const depsFor = (district: DistrictIndex = sandun, caseStore: CaseStore = store): JointVisitDeps => ({
  store: caseStore,
  visits,
  premises,
  district,
  clock,
});

type Handler = (event: never, context: never) => Promise<APIGatewayProxyStructuredResultV2>;

const invoke = async (
  handler: Handler,
  routeKey: string,
  claims: Record<string, string>,
  extra: { id?: string; body?: unknown; query?: Record<string, string> } = {},
): Promise<Reply> => {
  const path = routeKey.split(' ')[1]!.replace('{id}', extra.id ?? '');
  const result = await handler(
    apiEvent({
      routeKey,
      path,
      claims,
      ...(extra.id && { pathParameters: { id: extra.id } }),
      ...(extra.body !== undefined && { body: extra.body }),
      ...(extra.query && { query: extra.query }),
    }) as never,
    lambdaContext() as never,
  );
  return {
    status: result.statusCode ?? 200,
    headers: (result.headers ?? {}) as Record<string, string>,
    body: result.body ? JSON.parse(result.body) : undefined,
  };
};

const visitsApi = (deps: JointVisitDeps = depsFor()) => {
  const handler = asFunction(
    'joint-visits',
    makeJointVisitsHandler({ ...deps, identity }),
  ) as unknown as Handler;
  return {
    list: (query: Record<string, string>, claims = claimsFor.commandCentre()) =>
      invoke(handler, 'GET /v1/joint-visits', claims, { query }),
    summary: (claims = claimsFor.commandCentre()) => invoke(handler, 'GET /v1/joint-visits/summary', claims),
    get: (id: string, claims = claimsFor.commandCentre()) =>
      invoke(handler, 'GET /v1/joint-visits/{id}', claims, { id }),
    command: (id: string, command: string, body: unknown, claims: Record<string, string>) =>
      invoke(handler, `POST /v1/joint-visits/{id}/${command}`, claims, { id, body }),
  };
};

const premisesApi = () => {
  const handler = asFunction('premises', makePremisesHandler({ premises, identity })) as unknown as Handler;
  return (id: string, claims: Record<string, string>, query?: Record<string, string>) =>
    invoke(handler, 'GET /v1/premises/{id}', claims, { id, ...(query && { query }) });
};

const DESCRIPTIONS: Record<string, string> = {
  'event.household-workshop': '一楼家庭作坊无证生产，气味刺鼻',
  'event.group-rental-safety': '群租房住了二十多人，隔断很多',
  'component.fire-hydrant-damaged': '门口消火栓被撞坏漏水',
  'event.unlicensed-business': '门面无照经营，卖散装白酒',
};

let addressSerial = 0;
/** A fresh premises for each test: a numbered address on 紫金港路. */
const newAddress = () => `紫金港路 ${1000 + ++addressSerial} 号`;

/** A case registered by the router (in the store, as routing leaves it), `minutes` after now. */
const registered = async (category: string, address: string): Promise<Case> => {
  clock.advanceMinutes(1);
  const reported = newReportedCase(
    {
      source: 'hotline',
      category,
      description: DESCRIPTIONS[category] ?? category,
      location: { ...insideZone(zijingang), crs: 'wgs84', address },
      reporter: { name: '王女士', phone: '13812341234' },
    },
    { id: `C${ulid()}`, district: sandun, actor: claimsActor, now: clock.now() },
  );
  const next = registerReport(reported, routeReport(sandun, { category, location: reported.location }), {
    actor: SYSTEM_ROUTER,
    now: clock.now(),
  });
  await store.create(next, { requestHash: next.id });
  return next;
};
const claimsActor = { subject: 'citizen-1', role: 'reporter' as const };

const THREE = ['event.household-workshop', 'event.group-rental-safety', 'component.fire-hydrant-damaged'];

/** Three departments' cases at one premises, each planned as the router would once it registers it. */
const threeDepartments = async (deps: JointVisitDeps = depsFor()) => {
  const address = newAddress();
  const cases: Case[] = [];
  for (const category of THREE) {
    const c = await registered(category, address);
    cases.push(c);
    await planJointVisit(deps, c);
  }
  const atPremises = await premises.forPlanning(cases[0]!.premisesId!, AWAITING_VISIT);
  expect(atPremises.visits).toHaveLength(1);
  return { cases, visit: atPremises.visits[0]!, premisesId: cases[0]!.premisesId! };
};

const load = async (id: string): Promise<Case> => ((await store.get(id)) as StoredCase).case;

beforeAll(async () => {
  emulators = await startEmulators();
  store = new DynamoCaseStore({ client: emulators.documents, tableName: emulators.tableName });
  visits = new DynamoJointVisitStore({ client: emulators.documents, tableName: emulators.tableName });
  premises = new DynamoPremisesReader({ client: emulators.documents, tableName: emulators.tableName });
});

afterAll(async () => {
  await emulators.stop();
});

describe('planning a joint visit (综合查一次)', () => {
  it('makes one visit for three departments’ cases at one premises: the joint team leads, they co-operate', async () => {
    const { cases, visit } = await threeDepartments();
    expect(visit).toMatchObject({
      status: 'planned',
      lead: 'joint-team',
      assigneeTeam: 'joint-team',
      cooperating: ['market-regulation', 'police', 'fire'],
      caseIds: cases.map((c) => c.id),
      zone: { id: 'zijingang' },
    });
    for (const c of cases) {
      const stored = await load(c.id);
      expect(stored).toMatchObject({ jointVisitId: visit.id, status: 'registered', lead: c.lead });
      expect(stored.timeline.at(-1)).toMatchObject({
        action: 'joint-visit',
        actor: { subject: 'system:joint-visits' },
        details: { jointVisitId: visit.id },
      });
      expect(verifyTimeline(stored.timeline)).toEqual({ intact: true });
    }
    const api = visitsApi();
    const read = await api.get(visit.id);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ id: visit.id, visitsSaved: 2 });
    const planned = await api.list({ status: 'planned' });
    expect(planned.body.items.map((v: { id: string }) => v.id)).toContain(visit.id);
  });

  it('makes no visit for one department alone, and none when the district turns joint visits off', async () => {
    const address = newAddress();
    const first = await registered('event.household-workshop', address);
    expect(await planJointVisit(depsFor(), first)).toEqual({ outcome: 'none' });
    const second = await registered('event.unlicensed-business', address); // market regulation again
    expect(await planJointVisit(depsFor(), second)).toEqual({ outcome: 'none' });
    const police = await registered('event.group-rental-safety', address);
    const off = indexDistrict({ ...sandun.config, jointVisits: { mode: 'off' } });
    expect(await planJointVisit(depsFor(off), police)).toEqual({ outcome: 'none' });
    expect((await premises.forPlanning(first.premisesId!, AWAITING_VISIT)).visits).toEqual([]);
  });

  it('lets a later case at the premises join the open visit', async () => {
    const { visit } = await threeDepartments();
    const later = await registered('event.unlicensed-business', visit.address!);
    const outcome = await planJointVisit(depsFor(), later);
    expect(outcome).toMatchObject({ outcome: 'extended', visitId: visit.id });
    const grown = await visits.get(visit.id);
    expect(grown).toMatchObject({ caseIds: [...visit.caseIds, later.id], version: visit.version + 1 });
    expect((await load(later.id)).jointVisitId).toBe(visit.id);
  });

  it('ends with one visit when two planners race, every time', async () => {
    for (let round = 0; round < 8; round++) {
      const address = newAddress();
      const a = await registered('event.household-workshop', address);
      const b = await registered('event.group-rental-safety', address);
      const c = await registered('component.fire-hydrant-damaged', address);
      const outcomes = await Promise.all([
        planJointVisit(depsFor(), a),
        planJointVisit(depsFor(), b),
        planJointVisit(depsFor(), c),
      ]);
      const atPremises = await premises.forPlanning(a.premisesId!, AWAITING_VISIT);
      expect(atPremises.visits, `round ${round}`).toHaveLength(1);
      const [visit] = atPremises.visits;
      expect(new Set(outcomes.map((o) => o.outcome === 'none' || o.visitId))).toEqual(new Set([visit!.id]));
      expect([...visit!.caseIds].sort()).toEqual([a.id, b.id, c.id].sort());
      for (const id of [a.id, b.id, c.id]) expect((await load(id)).jointVisitId).toBe(visit!.id);
    }
  });

  it('does nothing more on redelivery, without reading the cases the premises shows marked', async () => {
    const { cases, visit } = await threeDepartments();
    const before = await Promise.all(cases.map((c) => load(c.id)));
    let reads = 0;
    const counting: CaseStore = Object.assign(Object.create(store) as CaseStore, {
      get: async (id: string) => {
        reads++;
        return store.get(id);
      },
    });
    for (const c of cases) {
      expect(await planJointVisit(depsFor(sandun, counting), c)).toMatchObject({
        outcome: 'unchanged',
        visitId: visit.id,
      });
    }
    expect(reads).toBe(0);
    expect(await visits.get(visit.id)).toEqual(visit);
    expect(await Promise.all(cases.map((c) => load(c.id)))).toEqual(before);
  });

  it('finishes marking the cases when the planner died after writing the visit', async () => {
    const address = newAddress();
    const a = await registered('event.household-workshop', address);
    const b = await registered('event.group-rental-safety', address);
    // The first save of a case fails: the visit is written, the marks are not.
    let failures = 1;
    const flaky: CaseStore = Object.assign(Object.create(store) as CaseStore, {
      save: async (next: StoredCase, expected: number) => {
        if (failures-- > 0) throw new Error('the process died');
        return store.save(next, expected);
      },
    });
    await expect(planJointVisit(depsFor(sandun, flaky), b)).rejects.toThrow('the process died');
    expect((await load(a.id)).jointVisitId).toBeUndefined();
    expect(await planJointVisit(depsFor(), b)).toMatchObject({ outcome: 'unchanged' });
    const visit = (await premises.forPlanning(a.premisesId!, AWAITING_VISIT)).visits[0]!;
    expect((await load(a.id)).jointVisitId).toBe(visit.id);
    expect((await load(b.id)).jointVisitId).toBe(visit.id);
  });
});

describe('accepting and resolving a joint visit', () => {
  const jointTeam = claimsFor.fieldWorker('joint-team');

  it('fans out to every covered case, each staying its own department’s case', async () => {
    const { cases, visit } = await threeDepartments();
    const api = visitsApi();
    const accepted = await api.command(visit.id, 'accept', { note: '明早九点到场' }, jointTeam);
    expect(accepted.status).toBe(200);
    expect(accepted.body.visit).toMatchObject({ status: 'accepted', version: visit.version + 1 });
    expect(accepted.body.cases.map((c: { outcome: string }) => c.outcome)).toEqual([
      'updated',
      'updated',
      'updated',
    ]);
    for (const c of cases) {
      const stored = await load(c.id);
      expect(stored).toMatchObject({ status: 'accepted', lead: c.lead, assignee: c.lead });
      const [dispatched, acceptedEntry] = stored.timeline.slice(-2);
      expect(dispatched).toMatchObject({ action: 'dispatched', details: { jointVisitId: visit.id } });
      expect(acceptedEntry).toMatchObject({
        action: 'accepted',
        actor: { subject: 'field-joint-team', department: 'joint-team' },
        details: { jointVisitId: visit.id },
      });
    }

    // Again: nothing changes.
    const again = await api.command(visit.id, 'accept', {}, jointTeam);
    expect(again.status).toBe(200);
    expect(again.body.cases.map((c: { outcome: string }) => c.outcome)).toEqual([
      'unchanged',
      'unchanged',
      'unchanged',
    ]);

    const resolved = await api.command(
      visit.id,
      'resolve',
      { result: '已联合检查：停产整改，清退群租，更换消火栓' },
      jointTeam,
    );
    expect(resolved.status).toBe(200);
    expect(resolved.body.visit).toMatchObject({
      status: 'handled',
      result: '已联合检查：停产整改，清退群租，更换消火栓',
    });
    for (const c of cases) {
      const stored = await load(c.id);
      expect(stored.status).toBe('handled');
      expect(stored.timeline.at(-1)).toMatchObject({
        action: 'resolved',
        note: '已联合检查：停产整改，清退群租，更换消火栓',
        actor: { subject: 'field-joint-team' },
        details: { jointVisitId: visit.id },
      });
      expect(verifyTimeline(stored.timeline)).toEqual({ intact: true });
    }
    // A new case at the premises after the visit starts no visit on its own (one department).
    const after = await registered('event.household-workshop', visit.address!);
    expect(await planJointVisit(depsFor(), after)).toEqual({ outcome: 'none' });
  });

  it('is retryable when the fan-out stops halfway', async () => {
    const { cases, visit } = await threeDepartments();
    let saves = 0;
    const flaky: CaseStore = Object.assign(Object.create(store) as CaseStore, {
      save: async (next: StoredCase, expected: number) => {
        if (++saves === 2) throw new Error('the function timed out');
        return store.save(next, expected);
      },
    });
    const failing = await visitsApi(depsFor(sandun, flaky)).command(visit.id, 'accept', {}, jointTeam);
    expect(failing.status).toBe(500);
    expect((await load(cases[0]!.id)).status).toBe('accepted');
    expect((await load(cases[1]!.id)).status).toBe('registered');

    const retried = await visitsApi().command(visit.id, 'accept', {}, jointTeam);
    expect(retried.status).toBe(200);
    expect(retried.body.cases.map((c: { outcome: string }) => c.outcome)).toEqual([
      'unchanged',
      'updated',
      'updated',
    ]);
    for (const c of cases) {
      const stored = await load(c.id);
      expect(stored.status).toBe('accepted');
      expect(stored.timeline.filter((e) => e.action === 'accepted')).toHaveLength(1);
    }
  });

  it('skips a covered case that was cancelled meanwhile and says so', async () => {
    const { cases, visit } = await threeDepartments();
    const cancelled = await load(cases[1]!.id);
    await store.save(
      { case: { ...cancelled, status: 'cancelled', version: cancelled.version + 1 } },
      cancelled.version,
    );
    const accepted = await visitsApi().command(visit.id, 'accept', {}, jointTeam);
    expect(accepted.body.cases[1]).toMatchObject({
      caseId: cases[1]!.id,
      outcome: 'skipped',
      reason: 'cancelled',
    });
    expect((await load(cases[0]!.id)).status).toBe('accepted');
  });

  it('lets only the joint team (or the command centre) act, and refuses what the status does not allow', async () => {
    const { visit } = await threeDepartments();
    const api = visitsApi();
    const police = claimsFor.staff('police');
    expect((await api.get(visit.id, police)).status).toBe(200); // co-operating: sees it
    expect((await api.command(visit.id, 'accept', {}, police)).status).toBe(403);
    expect((await api.get(visit.id, claimsFor.staff('traffic-police'))).status).toBe(404);
    expect((await api.get(visit.id, claimsFor.reporter())).status).toBe(404);
    expect((await api.list({ status: 'planned' }, claimsFor.reporter())).status).toBe(403);
    expect((await api.summary(claimsFor.reporter())).status).toBe(403);
    expect((await api.command(visit.id, 'confirm', {}, claimsFor.commandCentre())).status).toBe(409);
    const early = await api.command(visit.id, 'resolve', { result: '没去' }, jointTeam);
    expect(early.status).toBe(409);
    expect(early.body.errors[0]).toMatchObject({ field: 'status', rule: 'illegal_transition' });
    const stale = await api.command(visit.id, 'accept', { expectedVersion: visit.version + 5 }, jointTeam);
    expect(stale.status).toBe(409);
    const noResult = await api.command(visit.id, 'resolve', {}, jointTeam);
    expect(noResult.status).toBe(400);
    expect(noResult.body.errors[0]).toMatchObject({ field: 'result' });
    expect((await api.get('V-nonsense', jointTeam)).status).toBe(400);
    expect((await api.command(visit.id, 'accept', {}, claimsFor.commandCentre())).status).toBe(200);
  });

  it('waits for the command centre to confirm in a district that proposes visits', async () => {
    const deps = depsFor(proposing);
    const { visit } = await threeDepartments(deps);
    expect(visit.status).toBe('proposed');
    const api = visitsApi(deps);
    expect((await api.list({ status: 'proposed' })).body.items.map((v: { id: string }) => v.id)).toContain(
      visit.id,
    );
    expect((await api.command(visit.id, 'accept', {}, jointTeam)).status).toBe(409);
    expect((await api.command(visit.id, 'confirm', {}, claimsFor.areaChief('zijingang'))).status).toBe(403);
    const confirmed = await api.command(visit.id, 'confirm', {}, claimsFor.commandCentre());
    expect(confirmed.status).toBe(200);
    expect(confirmed.body.visit).toMatchObject({ status: 'planned', confirmedAt: expect.any(String) });
    expect((await api.command(visit.id, 'accept', {}, jointTeam)).status).toBe(200);
  });
});

describe('figures and premises history (一户一档)', () => {
  it('counts visits made, cases covered and visits saved from the index', async () => {
    const api = visitsApi();
    const before = (await api.summary()).body;
    await threeDepartments();
    const after = await api.summary();
    expect(after.status).toBe(200);
    expect(after.body.visits - before.visits).toBe(1);
    expect(after.body.casesCovered - before.casesCovered).toBe(3);
    expect(after.body.visitsSaved - before.visitsSaved).toBe(2);
    expect(after.body.visitsSaved).toBe(after.body.casesCovered - after.body.visits);
  });

  it('lists every case and visit at the premises, newest first, without personal data', async () => {
    const { cases, visit, premisesId } = await threeDepartments();
    const history = premisesApi();
    const read = await history(premisesId, claimsFor.fieldWorker('urban-management'));
    expect(read.status).toBe(200);
    const items = read.body.items as { kind: string; id: string; reportedAt?: string; createdAt?: string }[];
    // The visit was made when the second department's case came in; the third joined it.
    expect(items.map((i) => i.id)).toEqual([cases[2]!.id, visit.id, cases[1]!.id, cases[0]!.id]);
    const times = items.map((i) => i.reportedAt ?? i.createdAt ?? '');
    expect([...times].sort().reverse()).toEqual(times);
    expect(items[1]).toMatchObject({ kind: 'visit', lead: 'joint-team', caseIds: visit.caseIds });
    expect(items[0]).toMatchObject({
      kind: 'case',
      category: THREE[2],
      status: 'registered',
      lead: 'fire',
      jointVisitId: visit.id,
    });
    expect(JSON.stringify(read.body)).not.toMatch(/王女士|13812341234|消火栓被撞坏/);
    for (const item of items.filter((i) => i.kind === 'case')) {
      expect(Object.keys(item).sort()).toEqual(
        expect.arrayContaining(['id', 'kind', 'reportedAt', 'status']),
      );
      expect(item).not.toHaveProperty('description');
      expect(item).not.toHaveProperty('reporter');
    }

    const page = await history(premisesId, claimsFor.commandCentre(), { limit: '2' });
    expect(page.body.items).toHaveLength(2);
    const rest = await history(premisesId, claimsFor.commandCentre(), { cursor: page.body.cursor });
    expect([...page.body.items, ...rest.body.items].map((i: { id: string }) => i.id)).toEqual(
      items.map((i) => i.id),
    );
    expect((await history(premisesId, claimsFor.reporter())).status).toBe(403);
    expect((await history('not-a-premises', claimsFor.commandCentre())).status).toBe(400);
    const foreign = await history('P-addr-AAAAAAAAAAAAAAAA', claimsFor.commandCentre(), {
      cursor: page.body.cursor,
    });
    expect(foreign.status).toBe(422);
  });
});
