import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadDistrict } from '../../shared/district/load';
import { type Actor, type Case, type CaseStatus, SYSTEM_ROUTER } from '../../shared/domain/case';
import { indexDistrict } from '../../shared/domain/district-index';
import { CaseNotClosedError, ForbiddenActionError } from '../../shared/domain/errors';
import { contributionOf, figuresOf } from '../../shared/domain/evaluation';
import { newReportedCase } from '../../shared/domain/report';
import { routeReport } from '../../shared/domain/routing';
import {
  HOTLINE_RATINGS,
  recordSatisfaction,
  standingVerdicts,
  type Verdict,
  type VerdictContext,
} from '../../shared/domain/satisfaction';
import { verifyTimeline } from '../../shared/domain/timeline';
import { type CommandInput, registerReport, runCommand } from '../../shared/domain/workflow';
import { caseView } from '../../shared/http/case-view';

const sandunConfig = loadDistrict(fileURLToPath(new URL('../../districts/sandun.json', import.meta.url)));
/** Sandun reopens on 不满意; the same district with the default setting does not. */
const sandun = indexDistrict(sandunConfig);
const keepsClosed = indexDistrict({ ...sandunConfig, satisfaction: { reopenOnDissatisfied: false } });

const T0 = '2024-05-01T08:00:00.000Z';
const at = (minutes: number) => new Date(Date.parse(T0) + minutes * 60_000).toISOString();
const DAY = 24 * 60;

const MR = 'market-regulation';
const CITIZEN: Actor = { subject: 'citizen-1', role: 'reporter', name: '王女士' };
const NEIGHBOUR: Actor = { subject: 'citizen-2', role: 'reporter' };
const CENTRE: Actor = {
  subject: 'cc-1',
  role: 'command_centre',
  department: 'command-centre',
  name: '坐席小李',
};
const CHIEF: Actor = {
  subject: 'chief-zj',
  role: 'area_chief',
  zone: 'zijingang',
  department: 'urban-management',
};
const STAFF: Actor = { subject: 'staff-mr', role: 'department_staff', department: MR };
const HOTLINE: Actor = { subject: 'key:HOTLINE', role: 'integration', name: '12345 热线平台' };
const MR_SYSTEM: Actor = { subject: 'key:MRSYS', role: 'integration', name: '市场监管系统', department: MR };

const run = (c: Case, input: CommandInput, actor: Actor, minutes: number): Case =>
  runCommand(c, input, { district: sandun, actor, now: at(minutes) });

/** A household-workshop case in zijingang reported by CITIZEN, walked to the wanted status. */
const caseIn = (status: CaseStatus): Case => {
  const reported = newReportedCase(
    {
      source: 'citizen',
      category: 'event.household-workshop',
      description: '出租房内有人加工服装，联系电话 13812341234',
      location: { lat: 30.28525, lng: 120.0688, crs: 'wgs84' },
      reporter: { name: '王女士', phone: '13812341234' },
    },
    { id: 'C01HZXTESTCASE000000000001', district: sandun, actor: CITIZEN, now: T0 },
  );
  let c = registerReport(
    reported,
    routeReport(sandun, { category: reported.category, location: reported.location }),
    { actor: SYSTEM_ROUTER, now: at(1) },
  );
  c = run(c, { command: 'dispatch' }, CENTRE, 2);
  if (status === 'dispatched') return c;
  c = run(c, { command: 'accept' }, STAFF, 3);
  c = run(c, { command: 'resolve', result: '作坊已关停' }, STAFF, 30);
  c = run(c, { command: 'verify', passed: true }, CHIEF, 40);
  return run(c, { command: 'close' }, CENTRE, 50);
};

const aClosedCase = () => caseIn('closed');

const verdict = (
  c: Case,
  v: Partial<Verdict> & Pick<Verdict, 'rating'>,
  actor: Actor,
  minutes: number,
  more: Partial<VerdictContext> = {},
): Case =>
  recordSatisfaction(c, { channel: 'citizen', ...v }, { district: sandun, actor, now: at(minutes), ...more });

const thrown = (fn: () => unknown): unknown => {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to throw');
};

describe('recordSatisfaction', () => {
  it('takes the verdict of a citizen whose report was merged into the case, for that report only', () => {
    // Prepare: NEIGHBOUR's report of the same workshop was merged into the closed case.
    const closed = caseIn('closed');
    const withNeighbour: Case = {
      ...closed,
      linkedReports: [
        {
          caseId: 'C01HZXTESTCASE0000000000NB',
          source: 'citizen',
          reportedAt: T0,
          description: '楼下有人开作坊',
          submittedBy: NEIGHBOUR,
          mode: 'auto',
          mergedAt: at(5),
        },
      ],
    };

    // Act
    const judged = verdict(
      withNeighbour,
      { rating: 'satisfied', reportId: 'C01HZXTESTCASE0000000000NB' },
      NEIGHBOUR,
      DAY,
    );

    // Assess
    expect(judged.timeline.at(-1)?.details).toMatchObject({
      reportId: 'C01HZXTESTCASE0000000000NB',
      channel: 'citizen',
    });
    expect(thrown(() => verdict(withNeighbour, { rating: 'dissatisfied' }, NEIGHBOUR, DAY))).toBeInstanceOf(
      ForbiddenActionError,
    );
    expect(
      thrown(() =>
        verdict(
          withNeighbour,
          { rating: 'dissatisfied', reportId: 'C01HZXTESTCASE0000000000NB' },
          CITIZEN,
          DAY,
        ),
      ),
    ).toBeInstanceOf(ForbiddenActionError);
  });

  it('puts the reporter’s verdict on the timeline and on the case, which stays closed', () => {
    // Prepare
    const closed = caseIn('closed');

    // Act
    const rated = verdict(
      closed,
      { rating: 'basically_satisfied', comment: ' 关停了，但还有气味 ' },
      CITIZEN,
      DAY,
    );

    // Assess
    expect(rated.status).toBe('closed');
    expect(rated.version).toBe(closed.version + 1);
    expect(rated.satisfaction).toEqual({
      rating: 'basically_satisfied',
      comment: '关停了，但还有气味',
      at: at(DAY),
      channel: 'citizen',
    });
    expect(rated.timeline.at(-1)).toMatchObject({
      action: 'satisfaction-recorded',
      from: 'closed',
      to: 'closed',
      note: '关停了，但还有气味',
      actor: CITIZEN,
      details: { rating: 'basically_satisfied', channel: 'citizen', reportId: closed.id, department: MR },
    });
    expect(verifyTimeline(rated.timeline)).toEqual({ intact: true });
  });

  it('is refused before closure with case_not_closed, and to anyone but the reporter and the command centre', () => {
    // Prepare
    const open = caseIn('dispatched');
    const closed = caseIn('closed');

    // Act / Assess
    const early = thrown(() => verdict(open, { rating: 'satisfied' }, CITIZEN, 10));
    expect(early).toBeInstanceOf(CaseNotClosedError);
    expect(early).toMatchObject({ rule: 'case_not_closed', field: 'status' });
    for (const actor of [NEIGHBOUR, CHIEF, STAFF, HOTLINE]) {
      expect(thrown(() => verdict(closed, { rating: 'satisfied' }, actor, DAY))).toBeInstanceOf(
        ForbiddenActionError,
      );
    }
    const byPhone = verdict(closed, { rating: 'satisfied', channel: 'operator' }, CENTRE, DAY);
    expect(byPhone.satisfaction).toMatchObject({ channel: 'operator', by: '坐席小李' });
  });

  it('takes a department system’s callback on a case its department handled, and the 12345 platform’s for its ticket', () => {
    // Prepare
    const closed = caseIn('closed');

    // Act
    const department = verdict(closed, { rating: 'satisfied', channel: 'department' }, MR_SYSTEM, DAY);
    const hotline = verdict(closed, { rating: HOTLINE_RATINGS.基本满意, channel: 'hotline' }, HOTLINE, DAY, {
      forTicket: 'HZ-1',
    });

    // Assess
    expect(department.satisfaction).toMatchObject({ channel: 'department', by: '市场监管系统' });
    expect(hotline.satisfaction).toMatchObject({
      rating: 'basically_satisfied',
      channel: 'hotline',
      by: '12345 热线平台',
    });
    expect(hotline.timeline.at(-1)?.details).toMatchObject({ ticketNo: 'HZ-1' });
    const otherDepartment = { ...MR_SYSTEM, department: 'urban-management' };
    expect(thrown(() => verdict(closed, { rating: 'satisfied' }, otherDepartment, DAY))).toBeInstanceOf(
      ForbiddenActionError,
    );
  });

  it('lets a re-rating replace the verdict while the case stays closed, and a repeat change nothing', () => {
    // Prepare
    const closed = caseIn('closed');
    const first = verdict(closed, { rating: 'satisfied' }, CITIZEN, DAY);

    // Act
    const repeat = verdict(first, { rating: 'satisfied' }, CITIZEN, DAY + 5);
    const changed = recordSatisfaction(
      first,
      { rating: 'dissatisfied', channel: 'citizen', comment: '又开工了' },
      { district: keepsClosed, actor: CITIZEN, now: at(2 * DAY) },
    );

    // Assess
    expect(repeat).toBe(first);
    expect(changed.status).toBe('closed');
    expect(changed.satisfaction).toMatchObject({ rating: 'dissatisfied', comment: '又开工了' });
    expect(changed.timeline.at(-1)?.details).toMatchObject({ replaces: first.timeline.at(-1)?.seq });
    // Both stay on the timeline; only the last one stands.
    expect(standingVerdicts(changed).map((e) => e.details?.rating)).toEqual(['dissatisfied']);
  });

  it('reopens on 不满意 where the district says so, through the workflow’s reopen: deadlines re-armed, back to the department', () => {
    // Prepare
    const closed = caseIn('closed');

    // Act
    const reopened = verdict(closed, { rating: 'dissatisfied', comment: '作坊又开了' }, CITIZEN, DAY);
    const retried = verdict(reopened, { rating: 'dissatisfied', comment: '作坊又开了' }, CITIZEN, DAY + 1);

    // Assess
    expect(reopened.status).toBe('dispatched');
    expect(reopened.version).toBe(closed.version + 2);
    expect(reopened.assignee).toBe(MR);
    expect(reopened.closedAt).toBeUndefined();
    expect(reopened.counters.reopens).toBe(1);
    expect(reopened.deadlines).toMatchObject({ schedule: closed.version + 2 });
    expect(Date.parse(reopened.deadlines!.handleBy)).toBeGreaterThan(Date.parse(at(DAY)));
    expect(reopened.timeline.slice(-2).map((e) => [e.action, e.actor.subject])).toEqual([
      ['satisfaction-recorded', CITIZEN.subject],
      ['reopened', 'system:satisfaction'],
    ]);
    expect(reopened.timeline.at(-1)?.details).toMatchObject({
      department: MR,
      rule: 'satisfaction.reopenOnDissatisfied',
    });
    expect(verifyTimeline(reopened.timeline)).toEqual({ intact: true });
    // The phone's queue sending it again changes nothing; a different verdict waits for the next closure.
    expect(retried).toBe(reopened);
    expect(thrown(() => verdict(reopened, { rating: 'satisfied' }, CITIZEN, DAY + 2))).toBeInstanceOf(
      CaseNotClosedError,
    );
    // Not where the district keeps the default.
    const kept = recordSatisfaction(
      closed,
      { rating: 'dissatisfied', channel: 'citizen' },
      { district: keepsClosed, actor: CITIZEN, now: at(DAY) },
    );
    expect(kept.status).toBe('closed');
  });

  it('masks phone numbers in the comment for readers without the right to personal data', () => {
    // Prepare
    const rated = verdict(
      aClosedCase(),
      { rating: 'dissatisfied', comment: '请回电 13812341234' },
      CITIZEN,
      DAY,
      {
        district: keepsClosed,
      },
    );

    // Act
    const chief = caseView(rated, at(DAY), CHIEF);
    const own = caseView(rated, at(DAY), CITIZEN);

    // Assess
    expect(chief.satisfaction?.comment).toBe('请回电 138****1234');
    expect(chief.timeline.at(-1)?.note).toBe('请回电 138****1234');
    expect(own.satisfaction?.comment).toBe('请回电 13812341234');
  });
});

describe('the verdict figures', () => {
  const total = (c: Case) => {
    const sums: Record<string, number> = {};
    for (const [key, counters] of Object.entries(contributionOf(c, sandun.config))) {
      if (!key.startsWith('figures|')) continue;
      for (const [k, v] of Object.entries(counters)) sums[k] = (sums[k] ?? 0) + v;
    }
    return sums;
  };
  const figure = (c: Case, id: string) => figuresOf(total(c)).find((f) => f.id === id);

  it('count 满意+基本满意 over the standing verdicts (满意率) and closed cases with a verdict (回访率)', () => {
    // Prepare
    const unrated = aClosedCase();
    const rated = verdict(unrated, { rating: 'basically_satisfied' }, CITIZEN, DAY);
    const rerated = recordSatisfaction(
      rated,
      { rating: 'dissatisfied', channel: 'operator' },
      { district: keepsClosed, actor: CENTRE, now: at(DAY + 60) },
    );

    // Assess
    expect(figure(unrated, 'callbackRate')).toMatchObject({ numerator: 0, denominator: 1, value: 0 });
    expect(figure(unrated, 'satisfactionRate')).toMatchObject({ denominator: 0, value: null });
    expect(figure(rated, 'callbackRate')).toMatchObject({ numerator: 1, denominator: 1, value: 1 });
    expect(figure(rated, 'satisfactionRate')).toMatchObject({ numerator: 1, denominator: 1, value: 1 });
    // The re-rating replaced the first verdict: one verdict, not satisfied.
    expect(figure(rerated, 'satisfactionRate')).toMatchObject({ numerator: 0, denominator: 1, value: 0 });
  });

  it('keep the verdict of a closure that 不满意 reopened, and count the case closed again only when it is', () => {
    // Prepare
    const reopened = verdict(aClosedCase(), { rating: 'dissatisfied' }, CITIZEN, DAY);
    let again = run(reopened, { command: 'accept' }, STAFF, DAY + 10);
    again = run(again, { command: 'resolve', result: '再次查处，设备已没收' }, STAFF, DAY + 60);
    again = run(again, { command: 'verify', passed: true }, CHIEF, DAY + 70);
    again = run(again, { command: 'close' }, CENTRE, DAY + 80);
    const satisfied = verdict(again, { rating: 'satisfied' }, CITIZEN, 2 * DAY);

    // Assess
    expect(total(reopened)).toMatchObject({ verdicts: 1 });
    expect(total(reopened).satisfiedVerdicts ?? 0).toBe(0);
    expect(total(reopened).closed ?? 0).toBe(0);
    expect(figure(again, 'callbackRate')).toMatchObject({ numerator: 0, denominator: 1 });
    expect(figure(satisfied, 'satisfactionRate')).toMatchObject({ numerator: 1, denominator: 2, value: 0.5 });
    expect(figure(satisfied, 'callbackRate')).toMatchObject({ numerator: 1, denominator: 1, value: 1 });
  });
});
