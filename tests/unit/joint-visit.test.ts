import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadDistrict } from '../../shared/district/load';
import { isAllowed } from '../../shared/domain/authorization';
import { type Actor, type Case, SYSTEM_ROUTER } from '../../shared/domain/case';
import { indexDistrict } from '../../shared/domain/district-index';
import { IllegalVisitTransitionError } from '../../shared/domain/errors';
import {
  acceptJointVisit,
  confirmJointVisit,
  createJointVisit,
  decideJointVisit,
  extendJointVisit,
  fanOutSteps,
  JOINT_VISIT_ID_PATTERN,
  jointVisitIdFor,
  markCovered,
  resolveJointVisit,
  SYSTEM_PLANNER,
  visitFacts,
  visitsSavedBy,
} from '../../shared/domain/joint-visit';
import { newReportedCase } from '../../shared/domain/report';
import { routeReport } from '../../shared/domain/routing';
import { verifyTimeline } from '../../shared/domain/timeline';
import { registerReport, runCommand } from '../../shared/domain/workflow';

const district = indexDistrict(
  loadDistrict(fileURLToPath(new URL('../../districts/sandun.json', import.meta.url))),
);
const config = district.config;
const T0 = '2026-05-01T08:00:00.000Z';
const at = (minutes: number) => new Date(Date.parse(T0) + minutes * 60_000).toISOString();
const ZIJINGANG_POINT = { lat: 30.28525, lng: 120.0688 };
const ADDRESS = '紫金港路 88 号';
const CITIZEN: Actor = { subject: 'citizen-1', role: 'reporter' };
const ctx = { actor: SYSTEM_PLANNER, now: at(10) };

let serial = 0;
/** A registered case at the workshop's address (or elsewhere), `minutes` after T0. */
const registered = (category: string, minutes: number, address = ADDRESS): Case => {
  serial += 1;
  const reported = newReportedCase(
    {
      source: 'hotline',
      category,
      description: '一楼家庭作坊',
      location: { ...ZIJINGANG_POINT, crs: 'wgs84', address },
    },
    { id: `C01HZXJOINTVISIT${String(serial).padStart(10, '0')}`, district, actor: CITIZEN, now: at(minutes) },
  );
  return registerReport(reported, routeReport(district, { category, location: reported.location }), {
    actor: SYSTEM_ROUTER,
    now: at(minutes),
  });
};

const workshop = () => registered('event.household-workshop', 0); // market regulation
const fireExit = () => registered('event.fire-lane-blocked', 1); // fire (urgent, non-specialist → joint team?)
const rental = () => registered('event.group-rental-safety', 2); // police

describe('deciding a joint visit at a premises', () => {
  it('needs open cases of two or more lead departments', () => {
    const a = workshop();
    const premises = a.premisesId!;
    expect(decideJointVisit('create', premises, [a], [])).toEqual({ kind: 'none', why: 'one-department' });
    const b = rental();
    expect(b.premisesId).toBe(premises);
    expect(b.lead).not.toBe(a.lead);
    const decision = decideJointVisit('create', premises, [b, a], []);
    expect(decision).toMatchObject({ kind: 'create', generation: 1, id: jointVisitIdFor(premises, 1) });
    // Oldest first, whatever order the index handed them in.
    expect(decision.kind === 'create' && decision.cases.map((c) => c.id)).toEqual([a.id, b.id]);
    expect(jointVisitIdFor(premises, 1)).toMatch(JOINT_VISIT_ID_PATTERN);
  });

  it('ignores cases elsewhere, in triage, done or merged, and does nothing when the district says off', () => {
    const a = workshop();
    const elsewhere = registered('event.group-rental-safety', 3, '紫金港路 90 号');
    const triage = registered('event.group-rental-safety', 4);
    const inTriage = { ...triage, triage: true };
    const handled = { ...rental(), status: 'handled' as const };
    const merged = { ...rental(), status: 'merged' as const };
    for (const other of [elsewhere, inTriage, handled, merged]) {
      expect(decideJointVisit('create', a.premisesId!, [a, other], []).kind).toBe('none');
    }
    expect(decideJointVisit('off', a.premisesId!, [a, rental()], [])).toEqual({ kind: 'none', why: 'off' });
  });

  it('lets a later case join the open visit, and starts the next generation once it has ended', () => {
    const [a, b] = [workshop(), rental()];
    const visit = createJointVisit(
      config,
      { id: 'V-x', generation: 1, premisesId: a.premisesId!, cases: [a, b] },
      ctx,
    );
    const c = { ...fireExit(), reportedAt: at(20) };
    const covered = [a, b].map((x) => ({ ...x, jointVisitId: 'V-x' }));
    const joined = decideJointVisit('create', a.premisesId!, [...covered, c], [visit]);
    expect(joined).toMatchObject({ kind: 'extend', visit: { id: 'V-x' } });
    expect(joined.kind === 'extend' && joined.cases.map((x) => x.id)).toEqual([c.id]);

    const ended = { ...visit, status: 'handled' as const };
    const later = [registered('event.household-workshop', 30), registered('event.group-rental-safety', 31)];
    const next = decideJointVisit('create', a.premisesId!, later, [ended]);
    expect(next).toMatchObject({ kind: 'create', generation: 2, id: jointVisitIdFor(a.premisesId!, 2) });
  });
});

describe('the joint visit', () => {
  it('is led by the joint team, with the cases’ departments co-operating; planned or proposed per district', () => {
    const [a, b, c] = [workshop(), rental(), registered('event.fire-smoke', 3)];
    const plan = { id: 'V-a', generation: 1, premisesId: a.premisesId!, cases: [a, b, c] };
    const visit = createJointVisit(config, plan, ctx);
    expect(visit).toMatchObject({
      status: 'planned',
      lead: 'joint-team',
      assigneeTeam: 'joint-team',
      cooperating: ['market-regulation', 'police', 'fire'],
      caseIds: [a.id, b.id, c.id],
      version: 1,
      zone: { id: 'zijingang' },
      address: ADDRESS,
    });
    expect(visitsSavedBy(visit)).toBe(2);
    expect(verifyTimeline(visit.timeline)).toEqual({ intact: true });

    const proposed = createJointVisit({ ...config, jointVisits: { mode: 'propose' } }, plan, ctx);
    expect(proposed.status).toBe('proposed');
    expect(() => acceptJointVisit(proposed, ctx)).toThrow(IllegalVisitTransitionError);
    const confirmed = confirmJointVisit(proposed, ctx);
    expect(confirmed).toMatchObject({ status: 'planned', version: 2, confirmedAt: ctx.now });
    expect(() => confirmJointVisit(confirmed, ctx)).toThrow(IllegalVisitTransitionError);
  });

  it('grows by new cases only, and accepting or resolving twice changes nothing', () => {
    const [a, b] = [workshop(), rental()];
    const visit = createJointVisit(
      config,
      { id: 'V-b', generation: 1, premisesId: a.premisesId!, cases: [a, b] },
      ctx,
    );
    expect(extendJointVisit(visit, [a, b], ctx)).toBe(visit);
    const fire = registered('event.fire-smoke', 5);
    const extended = extendJointVisit(visit, [a, fire], ctx);
    expect(extended).toMatchObject({
      caseIds: [a.id, b.id, fire.id],
      cooperating: ['market-regulation', 'police', 'fire'],
      version: 2,
    });

    const accepted = acceptJointVisit(extended, ctx);
    expect(acceptJointVisit(accepted, ctx)).toBe(accepted);
    expect(() => resolveJointVisit(extended, 'done', ctx)).toThrow(IllegalVisitTransitionError);
    const handled = resolveJointVisit(accepted, '  已整改，通道已清理 ', ctx);
    expect(handled).toMatchObject({ status: 'handled', result: '已整改，通道已清理', handledAt: ctx.now });
    expect(resolveJointVisit(handled, 'again', ctx)).toBe(handled);
    expect(handled.timeline.map((e) => e.action)).toEqual(['planned', 'extended', 'accepted', 'resolved']);
    expect(verifyTimeline(handled.timeline)).toEqual({ intact: true });
  });

  it('marks a covered case once, with a timeline entry naming the visit', () => {
    const a = workshop();
    const visit = createJointVisit(
      config,
      { id: 'V-c', generation: 1, premisesId: a.premisesId!, cases: [a, rental()] },
      ctx,
    );
    const marked = markCovered(a, visit, ctx);
    expect(marked).toMatchObject({ jointVisitId: 'V-c', status: a.status, version: a.version + 1 });
    expect(marked.timeline.at(-1)).toMatchObject({ action: 'joint-visit', details: { jointVisitId: 'V-c' } });
    expect(markCovered(marked, visit, ctx)).toBe(marked);
    expect(verifyTimeline(marked.timeline)).toEqual({ intact: true });
  });

  it('fans out to each case by its own path, and skips what is there or cannot follow', () => {
    const a = workshop();
    expect(fanOutSteps(a, 'accepted')).toEqual([{ command: 'dispatch' }, { command: 'accept' }]);
    expect(fanOutSteps(a, 'handled', 'ok')).toEqual([
      { command: 'dispatch' },
      { command: 'accept' },
      { command: 'resolve', result: 'ok' },
    ]);
    const worker: Actor = { subject: 'w', role: 'field_worker', department: 'joint-team' };
    const dispatched = runCommand(
      a,
      { command: 'dispatch' },
      { district, actor: SYSTEM_ROUTER, now: at(1), forJointVisit: 'V-d' },
    );
    expect(dispatched).toMatchObject({ status: 'dispatched', assignee: 'market-regulation' });
    expect(dispatched.timeline.at(-1)?.details).toMatchObject({
      jointVisitId: 'V-d',
      department: 'market-regulation',
    });
    // Without the visit, the joint team may not accept another department's case.
    expect(() =>
      runCommand(dispatched, { command: 'accept' }, { district, actor: worker, now: at(2) }),
    ).toThrow();
    expect(fanOutSteps(dispatched, 'accepted')).toEqual([{ command: 'accept' }]);
    expect(fanOutSteps({ ...a, status: 'accepted' }, 'accepted')).toEqual([]);
    expect(fanOutSteps({ ...a, status: 'closed' }, 'handled')).toEqual([]);
    expect(fanOutSteps({ ...a, status: 'merged' }, 'accepted')).toBeUndefined();
    expect(fanOutSteps({ ...a, status: 'cancelled' }, 'accepted')).toBeUndefined();
  });

  it('is seen by the joint team, the co-operating departments, the zone chief and the command centre', () => {
    const [a, b] = [workshop(), rental()];
    const visit = createJointVisit(
      config,
      { id: 'V-e', generation: 1, premisesId: a.premisesId!, cases: [a, b] },
      ctx,
    );
    const facts = visitFacts(visit);
    const actor = (role: Actor['role'], extra: Partial<Actor> = {}): Actor => ({
      subject: role,
      role,
      ...extra,
    });
    expect(isAllowed(actor('field_worker', { department: 'joint-team' }), 'handle_visit', facts)).toBe(true);
    expect(isAllowed(actor('field_worker', { department: 'police' }), 'visit', facts)).toBe(true);
    expect(isAllowed(actor('field_worker', { department: 'police' }), 'handle_visit', facts)).toBe(false);
    expect(isAllowed(actor('department_staff', { department: 'fire' }), 'visit', facts)).toBe(false);
    expect(isAllowed(actor('area_chief', { zone: 'zijingang' }), 'visit', facts)).toBe(true);
    expect(isAllowed(actor('area_chief', { zone: 'gudun' }), 'visit', facts)).toBe(false);
    expect(isAllowed(actor('command_centre'), 'confirm_visit', facts)).toBe(true);
    expect(isAllowed(actor('area_chief', { zone: 'zijingang' }), 'confirm_visit', facts)).toBe(false);
    expect(isAllowed(actor('reporter'), 'visit', facts)).toBe(false);
    expect(isAllowed(actor('reporter'), 'premises')).toBe(false);
    expect(isAllowed(actor('field_worker', { department: 'fire' }), 'premises')).toBe(true);
  });
});
