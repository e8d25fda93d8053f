import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadDistrict } from '../../shared/district/load';
import { type Actor, type Case, type CaseStatus, SYSTEM_ROUTER } from '../../shared/domain/case';
import { indexDistrict } from '../../shared/domain/district-index';
import { ForbiddenActionError, IllegalTransitionError, InvalidInputError } from '../../shared/domain/errors';
import { wgs84ToGcj02 } from '../../shared/domain/geo';
import { newReportedCase, type ReportInput } from '../../shared/domain/report';
import { routeReport } from '../../shared/domain/routing';
import { verifyTimeline } from '../../shared/domain/timeline';
import { ALLOWED_FROM, type StatusBoundStep } from '../../shared/domain/transitions';
import { autoDispatch, type CommandInput, registerReport, runCommand } from '../../shared/domain/workflow';

const district = indexDistrict(
  loadDistrict(fileURLToPath(new URL('../../districts/sandun.json', import.meta.url))),
);

const T0 = '2024-05-01T08:00:00.000Z';
const at = (minutes: number) => new Date(Date.parse(T0) + minutes * 60_000).toISOString();

/** The mean of zijingang's corners: well inside the zone. */
const ZIJINGANG_POINT = { lat: 30.28525, lng: 120.0688 };

const MR = 'market-regulation';
const CITIZEN: Actor = { subject: 'citizen-1', role: 'reporter' };
const CENTRE: Actor = { subject: 'cc-1', role: 'command_centre', department: 'command-centre' };
const ADMIN: Actor = { subject: 'admin-1', role: 'admin' };
const ZONE_CHIEF: Actor = {
  subject: 'chief-zj',
  role: 'area_chief',
  zone: 'zijingang',
  department: 'urban-management',
};
const OTHER_CHIEF: Actor = { subject: 'chief-sq', role: 'area_chief', zone: 'shuangqiao', department: MR };
const ZONELESS_CHIEF: Actor = { subject: 'chief-none', role: 'area_chief', department: MR };
const staff = (department: string): Actor => ({
  subject: `staff-${department}`,
  role: 'department_staff',
  department,
});
const worker = (department: string): Actor => ({
  subject: `worker-${department}`,
  role: 'field_worker',
  department,
});

/** Freezes a value and everything reachable from it, so any mutation by the code under test throws. */
const deepFreeze = <T>(value: T): T => {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
};

/** Runs `fn`, expecting it to throw, and returns what it threw. */
const thrown = (fn: () => unknown): unknown => {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to throw');
};

const reportInput = (overrides: Partial<ReportInput> = {}): ReportInput => ({
  source: 'hotline',
  category: 'event.household-workshop',
  description: '出租房内有人加工服装，堆满布料',
  location: { ...ZIJINGANG_POINT, crs: 'wgs84', address: '紫金港路 88 号' },
  ...overrides,
});

const report = (overrides: Partial<ReportInput> = {}): Case =>
  newReportedCase(reportInput(overrides), {
    id: 'C01HZXTESTCASE000000000001',
    district,
    actor: CITIZEN,
    now: T0,
  });

const register = (c: Case, minutes = 1): Case =>
  registerReport(c, routeReport(district, { category: c.category, location: c.location }), {
    actor: SYSTEM_ROUTER,
    now: at(minutes),
  });

const run = (c: Case, input: CommandInput, actor: Actor, minutes: number): Case =>
  runCommand(c, input, { district, actor, now: at(minutes) });

/** A household-workshop case in zijingang, walked through the workflow to the wanted status. */
const caseIn = (status: CaseStatus): Case => {
  const reported = report();
  if (status === 'reported') return reported;
  const registered = register(reported);
  if (status === 'registered') return registered;
  if (status === 'cancelled')
    return run(registered, { command: 'cancel', reason: 'duplicate call' }, CENTRE, 2);
  const dispatched = run(registered, { command: 'dispatch' }, CENTRE, 2);
  if (status === 'dispatched') return dispatched;
  const accepted = run(dispatched, { command: 'accept' }, staff(MR), 3);
  if (status === 'accepted') return accepted;
  const handled = run(accepted, { command: 'resolve', result: 'workshop closed down' }, worker(MR), 30);
  if (status === 'handled') return handled;
  const verified = run(handled, { command: 'verify', passed: true }, ZONE_CHIEF, 40);
  if (status === 'verified') return verified;
  return run(verified, { command: 'close' }, CENTRE, 50);
};

const ALL_STATUSES: CaseStatus[] = [
  'reported',
  'registered',
  'dispatched',
  'accepted',
  'handled',
  'verified',
  'closed',
  'cancelled',
];

describe('newReportedCase', () => {
  it('creates a reported case with its first chained timeline entry', () => {
    // Prepare
    const input = deepFreeze(reportInput());

    // Act
    const c = newReportedCase(input, {
      id: 'C-1',
      district,
      actor: CITIZEN,
      now: T0,
      correlationId: 'corr-1',
    });

    // Assess
    expect(c).toMatchObject({
      id: 'C-1',
      district: 'sandun',
      status: 'reported',
      version: 1,
      category: 'event.household-workshop',
      priority: 'high',
      triage: false,
      reportedAt: T0,
      updatedAt: T0,
      submittedBy: CITIZEN,
      cooperating: [],
      counters: { returns: 0, reassigns: 0, reworks: 0, reopens: 0 },
    });
    expect(c.timeline).toHaveLength(1);
    expect(c.timeline[0]).toMatchObject({
      seq: 1,
      action: 'reported',
      actor: CITIZEN,
      to: 'reported',
      at: T0,
      correlationId: 'corr-1',
    });
    expect(c.timeline[0]).not.toHaveProperty('from');
    expect(verifyTimeline(c.timeline)).toEqual({ intact: true });
  });

  it('puts a report without a category into triage with normal priority', () => {
    // Act
    const c = report({ category: undefined });

    // Assess
    expect(c.triage).toBe(true);
    expect(c.priority).toBe('normal');
    expect(c).not.toHaveProperty('category');
  });

  it('refuses an unknown category', () => {
    // Act
    const error = thrown(() => report({ category: 'event.alien-landing' }));

    // Assess
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error).toMatchObject({ field: 'category', rule: 'unknown_category' });
  });

  it('refuses a location outside the district', () => {
    // Act
    const error = thrown(() => report({ location: { lat: 39.9, lng: 116.4, crs: 'wgs84' } }));

    // Assess
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error).toMatchObject({ field: 'location', rule: 'outside_district' });
  });

  it('refuses an occurredAt in the future but tolerates a device clock a few minutes fast', () => {
    // Act
    const tomorrow = thrown(() => report({ occurredAt: at(24 * 60) }));
    const slightlyFast = report({ occurredAt: at(5) });

    // Assess
    expect(tomorrow).toBeInstanceOf(InvalidInputError);
    expect(tomorrow).toMatchObject({ field: 'occurredAt', rule: 'not_in_future' });
    expect(slightlyFast.occurredAt).toBe(at(5));
  });

  it('normalises occurredAt with an offset to a UTC instant', () => {
    // Act
    const c = report({ occurredAt: '2024-05-01T15:30:00+08:00' });

    // Assess
    expect(c.occurredAt).toBe('2024-05-01T07:30:00.000Z');
  });

  it('stores a GCJ-02 location as WGS-84 and keeps what the client sent', () => {
    // Prepare
    const gcj = wgs84ToGcj02(ZIJINGANG_POINT);

    // Act
    const c = report({ location: { ...gcj, crs: 'gcj02' } });

    // Assess
    expect(c.location.crs).toBe('wgs84');
    expect(c.location.lat).toBeCloseTo(ZIJINGANG_POINT.lat, 7);
    expect(c.location.lng).toBeCloseTo(ZIJINGANG_POINT.lng, 7);
    expect(c.location.reported).toEqual({ lat: gcj.lat, lng: gcj.lng, crs: 'gcj02' });
    expect(Math.abs(c.location.lng - gcj.lng)).toBeGreaterThan(1e-4);
  });
});

describe('registerReport', () => {
  it('moves reported → registered with the routing decision', () => {
    // Prepare
    const reported = deepFreeze(report());
    const routing = routeReport(district, { category: reported.category, location: reported.location });

    // Act
    const registered = registerReport(reported, routing, { actor: SYSTEM_ROUTER, now: at(1) });

    // Assess
    expect(registered).toMatchObject({
      status: 'registered',
      version: 2,
      zone: { id: 'zijingang' },
      lead: MR,
      cooperating: ['fire', 'urban-management', 'police'],
      priority: 'high',
      triage: false,
    });
    expect(registered.areaChief?.department).toBe('urban-management');
    expect(registered.timeline.at(-1)).toMatchObject({
      action: 'registered',
      actor: SYSTEM_ROUTER,
      from: 'reported',
      to: 'registered',
      details: { rule: 'category', zone: 'zijingang', lead: MR },
    });
  });

  it.each(ALL_STATUSES.filter((s) => s !== 'reported'))('refuses to register a case that is %s', (status) => {
    // Prepare
    const c = deepFreeze(caseIn(status));
    const routing = routeReport(district, { category: c.category, location: c.location });

    // Act
    const error = thrown(() => registerReport(c, routing, { actor: SYSTEM_ROUTER, now: at(90) }));

    // Assess
    expect(error).toBeInstanceOf(IllegalTransitionError);
    expect(error).toMatchObject({ command: 'register', status });
  });
});

describe('transition table: every command × every status', () => {
  interface Row {
    label: string;
    input: CommandInput;
    legal: Partial<Record<CaseStatus, CaseStatus>>;
    /** An actor the permission table lets run the command on this case. */
    actor: (c: Case) => Actor;
  }
  const assigneeStaff = (c: Case) => staff(c.assignee!);
  const ROWS: Row[] = [
    {
      label: 'dispatch',
      input: { command: 'dispatch', department: 'fire', reason: 'fire risk first' },
      legal: { registered: 'dispatched', dispatched: 'dispatched', accepted: 'dispatched' },
      actor: () => CENTRE,
    },
    {
      label: 'accept',
      input: { command: 'accept' },
      legal: { dispatched: 'accepted' },
      actor: assigneeStaff,
    },
    {
      label: 'return',
      input: { command: 'return', reason: 'not a market matter' },
      legal: { dispatched: 'registered', accepted: 'registered' },
      actor: assigneeStaff,
    },
    {
      label: 'progress',
      input: { command: 'progress', note: 'on site' },
      legal: { dispatched: 'dispatched', accepted: 'accepted', handled: 'handled' },
      actor: () => CENTRE,
    },
    {
      label: 'resolve',
      input: { command: 'resolve', result: 'done' },
      legal: { accepted: 'handled' },
      actor: assigneeStaff,
    },
    {
      label: 'verify (passed)',
      input: { command: 'verify', passed: true },
      legal: { handled: 'verified' },
      actor: () => CENTRE,
    },
    {
      label: 'verify (rework)',
      input: { command: 'verify', passed: false, note: 'still producing' },
      legal: { handled: 'accepted' },
      actor: () => CENTRE,
    },
    { label: 'close', input: { command: 'close' }, legal: { verified: 'closed' }, actor: () => CENTRE },
    {
      label: 'reopen',
      input: { command: 'reopen', reason: 'workshop is back' },
      legal: { closed: 'dispatched' },
      actor: () => CENTRE,
    },
    {
      label: 'cancel',
      input: { command: 'cancel', reason: 'duplicate' },
      legal: {
        reported: 'cancelled',
        registered: 'cancelled',
        dispatched: 'cancelled',
        accepted: 'cancelled',
        handled: 'cancelled',
        verified: 'cancelled',
      },
      actor: () => CENTRE,
    },
  ];

  const fixtures = Object.fromEntries(ALL_STATUSES.map((s) => [s, deepFreeze(caseIn(s))])) as Record<
    CaseStatus,
    Case
  >;
  /**
   * Reported and registered cases have no assignee, so no department may accept, return or resolve
   * them (403 before the status check). Give them one so the transition check itself is exercised.
   */
  const withAssignee = (c: Case): Case => (c.assignee ? c : deepFreeze({ ...c, assignee: MR }));

  const pairs = ROWS.flatMap((row) => ALL_STATUSES.map((status) => ({ row, status })));

  it('covers 10 commands × 8 statuses, with the legal cells as specified', () => {
    // Assess
    expect(pairs).toHaveLength(80);
    expect(pairs.filter(({ row, status }) => row.legal[status] !== undefined)).toHaveLength(20);
  });

  it('is the table the domain exports (and the pages import): each step starts from its legal statuses only', () => {
    // Prepare
    const commands = [...new Set(ROWS.map((row) => row.input.command))];
    const legalFrom = (command: string) =>
      [
        ...new Set(
          ROWS.filter((row) => row.input.command === command).flatMap((row) => Object.keys(row.legal)),
        ),
      ].sort();

    // Assess
    expect(Object.keys(ALLOWED_FROM).sort()).toEqual([...commands, 'register'].sort());
    for (const command of commands) {
      expect([...ALLOWED_FROM[command as StatusBoundStep]].sort(), command).toEqual(legalFrom(command));
    }
    expect(ALLOWED_FROM.register).toEqual(['reported']);
  });

  it('starts nothing from a cancelled or merged case, only reopen from a closed one', () => {
    // Prepare
    const stepsFrom = (status: CaseStatus) =>
      Object.entries(ALLOWED_FROM)
        .filter(([, statuses]) => (statuses as readonly CaseStatus[]).includes(status))
        .map(([step]) => step);

    // Assess
    expect(stepsFrom('cancelled')).toEqual([]);
    expect(stepsFrom('merged')).toEqual([]);
    expect(stepsFrom('closed')).toEqual(['reopen']);
    expect(stepsFrom('reported')).toEqual(['register', 'cancel']);
  });

  it.each(
    pairs.map(({ row, status }) => [row.label, status, row.legal[status] ?? 'IllegalTransitionError', row]),
  )('%s on %s → %s', (_label, status, _expected, row) => {
    // Prepare
    const c = withAssignee(fixtures[status as CaseStatus]);
    const before = structuredClone(c);
    const to = row.legal[status as CaseStatus];
    const act = () => run(c, row.input, row.actor(c), 120);

    if (to === undefined) {
      // Act
      const error = thrown(act);

      // Assess
      expect(error).toBeInstanceOf(IllegalTransitionError);
      expect(error).toMatchObject({ command: row.input.command, status, rule: 'illegal_transition' });
    } else {
      // Act
      const next = act();

      // Assess
      expect(next.status).toBe(to);
      expect(next.version).toBe(c.version + 1);
      expect(next.timeline).toHaveLength(c.timeline.length + 1);
      expect(next.timeline.at(-1)).toMatchObject({ from: status, to, at: at(120) });
      expect(verifyTimeline(next.timeline)).toEqual({ intact: true });
    }
    expect(c).toEqual(before);
  });

  it('no workflow command moves a reported case to registered: only the router does', () => {
    // Prepare
    const reported = withAssignee(fixtures.reported);

    // Act
    const outcomes = ROWS.map((row) => {
      try {
        return run(reported, row.input, row.actor(reported), 120).status;
      } catch (error) {
        return (error as Error).name;
      }
    });

    // Assess
    expect(outcomes).not.toContain('registered');
    expect(outcomes.filter((o) => o !== 'IllegalTransitionError')).toEqual(['cancelled']);
  });

  it('without an assignee, accept/return/resolve on a registered case are refused by permission first', () => {
    // Prepare
    const registered = fixtures.registered;

    // Act
    const errors = [
      thrown(() => run(registered, { command: 'accept' }, staff(MR), 5)),
      thrown(() => run(registered, { command: 'return', reason: 'x' }, staff(MR), 5)),
      thrown(() => run(registered, { command: 'resolve', result: 'x' }, staff(MR), 5)),
    ];

    // Assess
    for (const error of errors) expect(error).toBeInstanceOf(ForbiddenActionError);
  });
});

describe('permissions', () => {
  interface PermissionCase {
    command: string;
    status: CaseStatus;
    input: CommandInput;
    allowed: Actor[];
    refused: Actor[];
  }
  const SYSTEM: Actor = SYSTEM_ROUTER;
  const TABLE: PermissionCase[] = [
    {
      command: 'dispatch',
      status: 'registered',
      input: { command: 'dispatch' },
      allowed: [CENTRE, ZONE_CHIEF],
      refused: [OTHER_CHIEF, ZONELESS_CHIEF, staff(MR), worker(MR), ADMIN, CITIZEN, SYSTEM],
    },
    {
      command: 'verify',
      status: 'handled',
      input: { command: 'verify', passed: true },
      allowed: [CENTRE, ZONE_CHIEF],
      refused: [OTHER_CHIEF, ZONELESS_CHIEF, staff(MR), worker(MR), ADMIN, CITIZEN, SYSTEM],
    },
    {
      command: 'close',
      status: 'verified',
      input: { command: 'close' },
      allowed: [CENTRE, ZONE_CHIEF],
      refused: [OTHER_CHIEF, ZONELESS_CHIEF, staff(MR), worker(MR), ADMIN, CITIZEN, SYSTEM],
    },
    {
      command: 'accept',
      status: 'dispatched',
      input: { command: 'accept' },
      allowed: [staff(MR), worker(MR)],
      refused: [
        staff('fire'),
        worker('police'),
        { subject: 'chief-mr', role: 'area_chief', zone: 'zijingang', department: MR },
        { subject: 'admin-mr', role: 'admin', department: MR },
        CENTRE,
        ZONE_CHIEF,
        CITIZEN,
        SYSTEM,
      ],
    },
    {
      command: 'resolve',
      status: 'accepted',
      input: { command: 'resolve', result: 'done' },
      allowed: [staff(MR), worker(MR)],
      refused: [staff('fire'), worker('police'), CENTRE, ZONE_CHIEF, ADMIN, CITIZEN, SYSTEM],
    },
    {
      command: 'return',
      status: 'dispatched',
      input: { command: 'return', reason: 'not ours' },
      allowed: [staff(MR)],
      refused: [worker(MR), staff('fire'), CENTRE, ZONE_CHIEF, ADMIN, CITIZEN, SYSTEM],
    },
    {
      command: 'progress',
      status: 'accepted',
      input: { command: 'progress', note: 'inspected the wiring' },
      allowed: [staff(MR), worker(MR), staff('fire'), worker('police'), CENTRE, ZONE_CHIEF],
      refused: [
        staff('traffic-police'),
        worker('emergency-management'),
        OTHER_CHIEF,
        { subject: 'rep-fire', role: 'reporter', department: 'fire' },
        ADMIN,
        CITIZEN,
        SYSTEM,
      ],
    },
    {
      command: 'reopen',
      status: 'closed',
      input: { command: 'reopen', reason: 'came back' },
      allowed: [CENTRE],
      refused: [ZONE_CHIEF, staff(MR), worker(MR), ADMIN, CITIZEN, SYSTEM],
    },
    {
      command: 'cancel',
      status: 'registered',
      input: { command: 'cancel', reason: 'duplicate' },
      allowed: [CENTRE],
      refused: [ZONE_CHIEF, staff(MR), worker(MR), ADMIN, CITIZEN, SYSTEM],
    },
  ];

  const allowedCases = TABLE.flatMap((t) =>
    t.allowed.map((actor) => [t.command, actor.role, actor, t] as const),
  );
  const refusedCases = TABLE.flatMap((t) =>
    t.refused.map((actor) => [t.command, actor.role, actor, t] as const),
  );

  it.each(allowedCases)('%s is allowed for %s (%o)', (_command, _role, actor, t) => {
    // Prepare
    const c = deepFreeze(caseIn(t.status));

    // Act
    const next = run(c, t.input, actor, 120);

    // Assess
    expect(next.version).toBe(c.version + 1);
    expect(next.timeline.at(-1)?.actor).toEqual(actor);
  });

  it.each(refusedCases)('%s is refused for %s (%o)', (command, _role, actor, t) => {
    // Prepare
    const c = deepFreeze(caseIn(t.status));

    // Act
    const error = thrown(() => run(c, t.input, actor, 120));

    // Assess
    expect(error).toBeInstanceOf(ForbiddenActionError);
    expect(error).toMatchObject({ action: command, rule: 'forbidden', field: 'authorization' });
  });

  it('lets an area chief act only on cases of their own zone', () => {
    // Prepare
    const inShuangqiao = deepFreeze(
      register(report({ location: { lat: 30.3148, lng: 120.1216, crs: 'wgs84' } })),
    );

    // Act
    const byOwnChief = run(inShuangqiao, { command: 'dispatch' }, OTHER_CHIEF, 5);
    const byOtherChief = thrown(() => run(inShuangqiao, { command: 'dispatch' }, ZONE_CHIEF, 5));

    // Assess
    expect(inShuangqiao.zone?.id).toBe('shuangqiao');
    expect(byOwnChief.status).toBe('dispatched');
    expect(byOtherChief).toBeInstanceOf(ForbiddenActionError);
  });
});

describe('bookkeeping of every step', () => {
  it('bumps the version, appends one entry with actor/from/to/at, keeps history, and never mutates the input', () => {
    // Prepare
    const steps: [CommandInput, Actor][] = [
      [{ command: 'dispatch' }, ZONE_CHIEF],
      [{ command: 'progress', note: 'fire inspector on the way' }, worker('fire')],
      [{ command: 'accept', note: 'ours' }, staff(MR)],
      [{ command: 'resolve', result: 'sealed the workshop' }, worker(MR)],
      [{ command: 'verify', passed: false, note: 'still open at night' }, CENTRE],
      [{ command: 'resolve', result: 'equipment removed' }, worker(MR)],
      [{ command: 'verify', passed: true }, ZONE_CHIEF],
      [{ command: 'close', note: 'done' }, CENTRE],
      [{ command: 'reopen', reason: 'neighbours report it again' }, CENTRE],
      [{ command: 'cancel', reason: 'merged into another case' }, CENTRE],
    ];
    let c = deepFreeze(register(report()));

    for (const [index, [input, actor]] of steps.entries()) {
      const minutes = 10 * (index + 1);
      const before = structuredClone(c);

      // Act
      const next = run(c, input, actor, minutes);

      // Assess
      expect(c, `${input.command} must not change its input`).toEqual(before);
      expect(next).not.toBe(c);
      expect(next.version).toBe(c.version + 1);
      expect(next.updatedAt).toBe(at(minutes));
      expect(next.timeline).toHaveLength(c.timeline.length + 1);
      expect(next.timeline.slice(0, -1)).toEqual(c.timeline);
      expect(next.timeline.at(-1)).toMatchObject({
        seq: c.timeline.length + 1,
        actor,
        from: c.status,
        to: next.status,
        at: at(minutes),
      });
      c = deepFreeze(next);
    }
    expect(c.status).toBe('cancelled');
    expect(c.version).toBe(2 + steps.length);
    expect(c.timeline.map((e) => e.action)).toEqual([
      'reported',
      'registered',
      'dispatched',
      'progress',
      'accepted',
      'resolved',
      'rework',
      'resolved',
      'verified',
      'closed',
      'reopened',
      'cancelled',
    ]);
    expect(verifyTimeline(c.timeline)).toEqual({ intact: true });
  });

  it('records the correlation id, reason and note on the entry', () => {
    // Prepare
    const c = deepFreeze(caseIn('dispatched'));

    // Act
    const next = runCommand(
      c,
      { command: 'return', reason: 'a fire matter' },
      { district, actor: staff(MR), now: at(9), correlationId: 'corr-42' },
    );

    // Assess
    expect(next.timeline.at(-1)).toMatchObject({
      action: 'returned',
      reason: 'a fire matter',
      correlationId: 'corr-42',
      details: { department: MR },
    });
  });

  it.each([
    ['return', 'dispatched', { command: 'return', reason: '   ' }, 'reason'],
    ['progress', 'accepted', { command: 'progress', note: '' }, 'note'],
    ['resolve', 'accepted', { command: 'resolve', result: ' ' }, 'result'],
    ['verify (rework)', 'handled', { command: 'verify', passed: false }, 'note'],
    ['reopen', 'closed', { command: 'reopen', reason: '' }, 'reason'],
    ['cancel', 'registered', { command: 'cancel', reason: '\t' }, 'reason'],
  ] as [string, CaseStatus, CommandInput, string][])(
    '%s needs a non-blank %s',
    (_label, status, input, field) => {
      // Prepare
      const c = deepFreeze(caseIn(status));
      const actor = input.command === 'return' || input.command === 'resolve' ? staff(MR) : CENTRE;

      // Act
      const error = thrown(() => run(c, input, actor, 120));

      // Assess
      expect(error).toBeInstanceOf(InvalidInputError);
      expect(error).toMatchObject({ field, rule: 'required' });
    },
  );
});

describe('dispatch', () => {
  it('dispatches to the lead with deadlines from the dispatch time and the category minutes', () => {
    // Prepare
    const c = deepFreeze(caseIn('registered'));

    // Act
    const next = run(c, { command: 'dispatch' }, CENTRE, 7);

    // Assess
    expect(next).toMatchObject({
      status: 'dispatched',
      assignee: MR,
      dispatchedAt: at(7),
      deadlines: { acceptBy: at(7 + 60), handleBy: at(7 + 1440) },
      counters: { returns: 0, reassigns: 0, reworks: 0, reopens: 0 },
    });
    expect(next.timeline.at(-1)).toMatchObject({
      action: 'dispatched',
      details: { department: MR, acceptBy: at(67), handleBy: at(7 + 1440) },
    });
  });

  it('refuses to dispatch a triage case without a category', () => {
    // Prepare
    const triage = deepFreeze(register(report({ category: undefined })));

    // Act
    const error = thrown(() => run(triage, { command: 'dispatch', department: MR }, CENTRE, 5));

    // Assess
    expect(triage).toMatchObject({ triage: true, lead: 'command-centre' });
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error).toMatchObject({ field: 'category', rule: 'required' });
  });

  it('routes a triage case by the category given at dispatch', () => {
    // Prepare
    const triage = deepFreeze(register(report({ category: undefined })));

    // Act
    const next = run(triage, { command: 'dispatch', category: 'event.household-workshop' }, CENTRE, 5);

    // Assess
    expect(next).toMatchObject({
      triage: false,
      category: 'event.household-workshop',
      lead: MR,
      cooperating: ['fire', 'urban-management', 'police'],
      priority: 'high',
      assignee: MR,
      deadlines: { acceptBy: at(65), handleBy: at(5 + 1440) },
    });
  });

  it('re-categorising re-routes lead, co-operating departments and priority', () => {
    // Prepare
    const c = deepFreeze(caseIn('registered'));

    // Act
    const next = run(c, { command: 'dispatch', category: 'event.road-collapse' }, ZONE_CHIEF, 5);

    // Assess
    expect(next).toMatchObject({
      category: 'event.road-collapse',
      lead: 'joint-team',
      cooperating: ['urban-management', 'traffic-police', 'emergency-management', 'police'],
      priority: 'urgent',
      assignee: 'joint-team',
      deadlines: { acceptBy: at(10), handleBy: at(125) },
    });
    expect(next.timeline.at(-1)?.details).toMatchObject({ category: 'event.road-collapse' });
  });

  it('refuses the command centre as the handling department', () => {
    // Prepare
    const c = deepFreeze(caseIn('registered'));

    // Act
    const error = thrown(() => run(c, { command: 'dispatch', department: 'command-centre' }, CENTRE, 5));

    // Assess
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error).toMatchObject({ field: 'department', rule: 'not_a_handling_department' });
  });

  it('refuses an unknown department and an unknown category', () => {
    // Prepare
    const c = deepFreeze(caseIn('registered'));

    // Act
    const department = thrown(() => run(c, { command: 'dispatch', department: 'fisheries' }, CENTRE, 5));
    const category = thrown(() => run(c, { command: 'dispatch', category: 'event.nope' }, CENTRE, 5));

    // Assess
    expect(department).toMatchObject({ field: 'department', rule: 'unknown_department' });
    expect(category).toMatchObject({ field: 'category', rule: 'unknown_category' });
  });

  it.each(['dispatched', 'accepted'] as const)('a reassignment from %s needs a reason', (status) => {
    // Prepare
    const c = deepFreeze(caseIn(status));

    // Act
    const missing = thrown(() => run(c, { command: 'dispatch', department: 'fire' }, CENTRE, 60));
    const blank = thrown(() => run(c, { command: 'dispatch', department: 'fire', reason: '  ' }, CENTRE, 60));

    // Assess
    expect(missing).toBeInstanceOf(InvalidInputError);
    expect(missing).toMatchObject({ field: 'reason', rule: 'required' });
    expect(blank).toMatchObject({ field: 'reason', rule: 'required' });
  });

  it('a reassignment needs a different department', () => {
    // Prepare
    const c = deepFreeze(caseIn('dispatched'));

    // Act
    const explicit = thrown(() =>
      run(c, { command: 'dispatch', department: MR, reason: 'again' }, CENTRE, 60),
    );
    const implicit = thrown(() => run(c, { command: 'dispatch', reason: 'again' }, CENTRE, 60));

    // Assess
    expect(explicit).toBeInstanceOf(InvalidInputError);
    expect(explicit).toMatchObject({ field: 'department', rule: 'same_department' });
    expect(implicit).toMatchObject({ field: 'department', rule: 'same_department' });
  });

  it('reassigns an accepted case: counts it, restarts the clock and needs a new acceptance', () => {
    // Prepare
    const c = deepFreeze(caseIn('accepted'));

    // Act
    const next = run(
      c,
      { command: 'dispatch', department: 'fire', reason: 'fire risk dominates' },
      CENTRE,
      100,
    );

    // Assess
    expect(c.acceptedAt).toBe(at(3));
    expect(next).toMatchObject({
      status: 'dispatched',
      assignee: 'fire',
      lead: MR,
      dispatchedAt: at(100),
      deadlines: { acceptBy: at(160), handleBy: at(100 + 1440) },
      counters: { returns: 0, reassigns: 1, reworks: 0 },
    });
    expect(next).not.toHaveProperty('acceptedAt');
    expect(next.timeline.at(-1)).toMatchObject({
      action: 'reassigned',
      reason: 'fire risk dominates',
      details: { department: 'fire', previousDepartment: MR },
    });
  });

  it('counts returns, reassigns and reworks', () => {
    // Prepare
    let c = deepFreeze(caseIn('dispatched'));

    // Act
    c = run(c, { command: 'return', reason: 'not ours' }, staff(MR), 10);
    const afterReturn = c;
    c = run(c, { command: 'dispatch', department: 'police' }, CENTRE, 11);
    c = run(c, { command: 'dispatch', department: 'fire', reason: 'fire risk' }, CENTRE, 12);
    c = run(c, { command: 'accept' }, staff('fire'), 13);
    c = run(c, { command: 'resolve', result: 'done' }, staff('fire'), 14);
    c = run(c, { command: 'verify', passed: false, note: 'not done' }, CENTRE, 15);
    c = run(c, { command: 'resolve', result: 'done now' }, staff('fire'), 16);
    c = run(c, { command: 'verify', passed: false, note: 'still not done' }, CENTRE, 17);

    // Assess
    expect(afterReturn).toMatchObject({
      status: 'registered',
      counters: { returns: 1, reassigns: 0, reworks: 0 },
    });
    expect(afterReturn).not.toHaveProperty('assignee');
    expect(afterReturn).not.toHaveProperty('deadlines');
    expect(c.counters).toEqual({ returns: 1, reassigns: 1, reworks: 2, reopens: 0 });
  });

  it('a failed verification gives a fresh handling deadline and keeps the acceptance deadline', () => {
    // Prepare
    const handled = deepFreeze(caseIn('handled'));

    // Act
    const reworked = run(
      handled,
      { command: 'verify', passed: false, note: 'still producing' },
      CENTRE,
      2000,
    );

    // Assess
    // `schedule`: the case version that set the deadlines (it names the case's timer).
    expect(handled.deadlines).toEqual({ acceptBy: at(62), handleBy: at(2 + 1440), schedule: 3 });
    expect(reworked).toMatchObject({
      status: 'accepted',
      deadlines: { acceptBy: at(62), handleBy: at(2000 + 1440) },
      counters: { reworks: 1 },
    });
    expect(reworked).not.toHaveProperty('handledAt');
    expect(reworked.timeline.at(-1)).toMatchObject({ action: 'rework', details: { passed: false } });
  });

  it('reopening recomputes the deadlines and clears closedAt', () => {
    // Prepare
    const closed = deepFreeze(caseIn('closed'));

    // Act
    const reopened = run(closed, { command: 'reopen', reason: 'back again' }, CENTRE, 5000);

    // Assess
    expect(closed.closedAt).toBe(at(50));
    expect(reopened).toMatchObject({
      status: 'dispatched',
      assignee: MR,
      dispatchedAt: at(5000),
      deadlines: { acceptBy: at(5060), handleBy: at(5000 + 1440) },
      counters: { reopens: 1, reworks: closed.counters.reworks },
    });
    expect(reopened).not.toHaveProperty('closedAt');
    expect(reopened).not.toHaveProperty('acceptedAt');
    expect(reopened).not.toHaveProperty('handledAt');
  });

  it('auto-dispatches an urgent specialist event to its lead and an urgent non-specialist one to the joint team', () => {
    // Prepare
    const gas = deepFreeze(register(report({ category: 'event.gas-smell' })));
    const collapse = deepFreeze(register(report({ category: 'event.road-collapse' })));
    const ctx = { district, actor: SYSTEM_ROUTER, now: at(1) };

    // Act
    const gasDispatched = autoDispatch(gas, ctx);
    const collapseDispatched = autoDispatch(collapse, ctx);

    // Assess
    expect(gasDispatched).toMatchObject({
      status: 'dispatched',
      assignee: 'emergency-management',
      priority: 'urgent',
      deadlines: { acceptBy: at(6), handleBy: at(61) },
    });
    expect(collapseDispatched).toMatchObject({
      status: 'dispatched',
      assignee: 'joint-team',
      lead: 'joint-team',
      cooperating: ['urban-management', 'traffic-police', 'emergency-management', 'police'],
    });
    expect(collapseDispatched.timeline.at(-1)?.actor).toEqual(SYSTEM_ROUTER);
  });
});
