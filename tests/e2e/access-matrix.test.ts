import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPair, importJWK, type JWK, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type IssuedUser, LOCAL_AUDIENCE, LOCAL_ISSUER } from '../../infra/local/issuer';
import { REPO_ROOT } from '../../infra/local/paths';
import { type SpawnedCloud, spawnLocalCloud } from '../../infra/local/spawn';
import { loadDistrict } from '../../shared/district/load';
import {
  ACTIONS,
  type Action,
  AUTHORIZATION_MATRIX,
  inScope,
  type Scope,
} from '../../shared/domain/authorization';
import type { Actor, Case, CaseStatus, Reporter, Role } from '../../shared/domain/case';
import { DUPLICATE_COMMANDS, FUNCTIONS, WORKFLOW_COMMANDS } from '../../shared/runtime/functions';
import { isGatewayRefusal } from '../support/gateway-refusal';
import {
  type Api,
  httpClient,
  inChunks,
  pointInZone,
  type Reply,
  sleep,
  spreadPointInZone,
} from '../support/matrix-client';
import { CITIZEN_LIMITS_OFF } from '../support/prove/citizen-limits';

/**
 * The authorization matrix (shared/domain/authorization.ts) checked over HTTP against the real local
 * cloud: every demo user × every case-level route × a case inside and a case outside their scopes,
 * the list, report, district and public routes, personal-data masking, tokens the gateway must
 * refuse, and the local cloud's own logs. Expectations are computed from AUTHORIZATION_MATRIX and
 * inScope, so changing the table changes what this test expects.
 *
 * Order of checks in the cases function (functions/cases/app.ts, shared/usecases/run-command.ts,
 * shared/domain/workflow.ts): not in the read scope → 404; then, for commands, a stale
 * expectedVersion → 409 BEFORE the permission check; then authorize → 403; then the status → 409.
 * So the matrix cells send no expectedVersion (a refused or illegal command changes nothing), and a
 * cell whose command is allowed and legal runs for real on its own fresh copy of the fixture. The
 * stale-version cells are checked apart.
 */

type WorkflowCommand = (typeof WORKFLOW_COMMANDS)[number];
type Facts = Pick<Case, 'zone' | 'lead' | 'assignee' | 'cooperating' | 'submittedBy'>;

interface CaseView extends Facts {
  id: string;
  status: CaseStatus;
  version: number;
  description: string;
  reporter?: Reporter;
  personalDataMasked: boolean;
  timeline: unknown[];
}

interface Page {
  items: CaseView[];
  cursor?: string;
}

interface ProblemBody {
  type: string;
  status: number;
  title: string;
}

/** Statuses each command is legal in: the `requireStatus` lists of shared/domain/workflow.ts. */
const LEGAL_FROM: Record<WorkflowCommand, readonly CaseStatus[]> = {
  dispatch: ['registered', 'dispatched', 'accepted'],
  accept: ['dispatched'],
  return: ['dispatched', 'accepted'],
  progress: ['dispatched', 'accepted', 'handled'],
  resolve: ['accepted'],
  verify: ['handled'],
  close: ['verified'],
  reopen: ['closed'],
  cancel: ['reported', 'registered', 'dispatched', 'accepted', 'handled', 'verified'],
  // A running deadline (not on hold); resume needs a held case, which no fixture is.
  escalate: ['dispatched', 'accepted'],
  hold: ['dispatched', 'accepted'],
  resume: [],
};

const district = loadDistrict(join(REPO_ROOT, 'districts/sandun.json'));
const zoneOf = (id: string) => {
  const zone = district.zones.find((z) => z.id === id);
  if (!zone) throw new Error(`sandun has no zone ${id}`);
  return zone;
};

/** A body each command's schema accepts (a dispatch of a dispatched case is a reassignment). */
const bodyFor = (command: WorkflowCommand, c: CaseView): Record<string, unknown> => {
  switch (command) {
    case 'dispatch': {
      const other =
        c.cooperating.find((d) => d !== c.assignee) ??
        district.departments.find((d) => d.id !== c.assignee && d.id !== district.commandCentre)?.id;
      return { department: other, reason: '矩阵测试：改派协办部门' };
    }
    case 'accept':
      return { note: '已签收' };
    case 'return':
      return { reason: '不属于本部门职责' };
    case 'progress':
      return { note: '已到现场，正在处置' };
    case 'resolve':
      return { result: '已处置完毕' };
    case 'verify':
      return { passed: true, note: '核查通过' };
    case 'close':
      return { note: '结案' };
    case 'reopen':
      return { reason: '市民反映问题仍在' };
    case 'cancel':
      return { reason: '重复上报' };
    case 'escalate':
      return { reason: '矩阵测试：督办' };
    case 'hold':
      return { reason: '等待市民补充材料' };
    case 'resume':
      return { note: '材料已补充' };
  }
};

/**
 * The duplicate commands, each with a body its schema accepts and that the platform must refuse on
 * the merits once the actor is allowed: merging a case into itself (422), unmerging a case that was
 * never merged (409), dismissing a flag the case doesn't carry (422). The fixtures stay untouched.
 */
const DUPLICATE_PROBES: Record<
  (typeof DUPLICATE_COMMANDS)[number],
  { body: (c: CaseView) => object; allowed: number }
> = {
  merge: { body: (c) => ({ into: c.id, reason: '矩阵测试' }), allowed: 422 },
  unmerge: { body: () => ({ reason: '矩阵测试' }), allowed: 409 },
  'dismiss-duplicate': { body: () => ({ reason: '矩阵测试' }), allowed: 422 },
};

/**
 * Evidence: listing needs `download`, an upload form needs `upload` (a valid request, so an allowed
 * actor gets 201, except on a case that takes no evidence any more).
 */
const UPLOAD_FORM_BODY = { kind: 'photo', contentType: 'image/jpeg', size: 1000 };
const NO_EVIDENCE: CaseStatus[] = ['closed', 'cancelled', 'merged'];

interface CaseEndpoint {
  label: string;
  method: 'GET' | 'POST';
  kind: 'read' | 'audit' | 'command' | 'duplicate' | 'attachments' | 'satisfaction';
  action: Action;
  command?: WorkflowCommand;
  duplicate?: (typeof DUPLICATE_COMMANDS)[number];
  path: (id: string) => string;
}

/** Every case-level route of FUNCTIONS; a route this test doesn't know fails it rather than going untested. */
const CASE_ENDPOINTS: CaseEndpoint[] = FUNCTIONS.flatMap((f) => f.routes)
  .filter((route) => route.path.startsWith('/v1/cases/{id}'))
  .map((route): CaseEndpoint => {
    const rest = route.path.slice('/v1/cases/{id}'.length);
    const label = `${route.method} ${route.path}`;
    if (route.method === 'GET' && rest === '') {
      return { label, method: 'GET', kind: 'read', action: 'read', path: (id) => `/v1/cases/${id}` };
    }
    // The cameras near a case: shown to whoever may read the case, 404 to everyone else.
    if (route.method === 'GET' && rest === '/cameras') {
      return { label, method: 'GET', kind: 'read', action: 'read', path: (id) => `/v1/cases/${id}/cameras` };
    }
    if (route.method === 'GET' && rest === '/audit') {
      return { label, method: 'GET', kind: 'audit', action: 'audit', path: (id) => `/v1/cases/${id}/audit` };
    }
    const command = WORKFLOW_COMMANDS.find((c) => `/${c}` === rest);
    const action = ACTIONS.find((a) => a === command);
    if (route.method === 'POST' && command && action) {
      return {
        label,
        method: 'POST',
        kind: 'command',
        action,
        command,
        path: (id) => `/v1/cases/${id}/${command}`,
      };
    }
    if (rest === '/attachments' && (route.method === 'GET' || route.method === 'POST')) {
      return {
        label,
        method: route.method,
        kind: 'attachments',
        action: route.method === 'GET' ? 'download' : 'upload',
        path: (id) => `/v1/cases/${id}/attachments`,
      };
    }
    // 回访: the reporter (own) and the command centre (all) may; a case not closed answers 409.
    if (route.method === 'POST' && rest === '/satisfaction') {
      return {
        label,
        method: 'POST',
        kind: 'satisfaction',
        action: 'satisfaction',
        path: (id) => `/v1/cases/${id}/satisfaction`,
      };
    }
    const duplicate = DUPLICATE_COMMANDS.find((c) => `/${c}` === rest);
    if (route.method === 'POST' && duplicate) {
      return {
        label,
        method: 'POST',
        kind: 'duplicate',
        action: 'merge',
        duplicate,
        path: (id) => `/v1/cases/${id}/${duplicate}`,
      };
    }
    throw new Error(`the access matrix test does not know ${label}: add it`);
  });

interface FixtureSpec {
  key: 'A' | 'B';
  zone: string;
  category: string;
  submitter: (users: IssuedUser[]) => IssuedUser;
  reporter: { name: string; phone: string };
  description: string;
  /** A phrase of the description that no refusal may repeat. */
  marker: string;
  maskedName: string;
  maskedPhone: string;
}

interface Fixture {
  spec: FixtureSpec;
  view: CaseView;
}

const one = (users: IssuedUser[], sub: string) => {
  const found = users.find((u) => u.sub === sub);
  if (!found) throw new Error(`no demo user ${sub}`);
  return found;
};

const SPEC_A: FixtureSpec = {
  key: 'A',
  zone: 'zhenhua',
  category: 'event.household-workshop',
  submitter: (users) => one(users, 'local:reporter'),
  reporter: { name: '王秀英', phone: '13812341234' },
  description: '居民楼内有人开设家庭作坊违规生产，夜间住人，存在消防隐患。回电13812341234',
  marker: '夜间住人',
  maskedName: '王**',
  maskedPhone: '138****1234',
};

const SPEC_B: FixtureSpec = {
  key: 'B',
  zone: 'gudun',
  category: 'event.illegal-parking',
  submitter: (users) => one(users, 'local:command_centre'),
  reporter: { name: '赵大海', phone: '13900001111' },
  description: '学校门口人行道上长期违法停车，堵塞通行。联系人13900001111',
  marker: '堵塞通行',
  maskedName: '赵**',
  maskedPhone: '139****1111',
};

let reportsMade = 0;
/** Every report at its own point: fixtures and their copies are separate events, not duplicates. */
const reportBody = (spec: FixtureSpec, withPersonalData: boolean) => ({
  source: 'hotline',
  category: spec.category,
  description: withPersonalData ? spec.description : `${spec.description.split('。')[0]}。（矩阵副本）`,
  location: { ...spreadPointInZone(zoneOf(spec.zone), reportsMade++), crs: 'wgs84' },
  ...(withPersonalData && { reporter: spec.reporter }),
});

const actorOf = (user: IssuedUser): Actor => ({
  subject: user.sub,
  role: user.role,
  ...(user.department && { department: user.department }),
  ...(user.zone && { zone: user.zone }),
});

const scopeOf = (user: IssuedUser, action: Action): Scope | undefined =>
  AUTHORIZATION_MATRIX[user.role as Role][action];

const covers = (user: IssuedUser, action: Action, facts: Facts): boolean => {
  const scope = scopeOf(user, action);
  return scope !== undefined && inScope(scope, actorOf(user), facts);
};

/** What the matrix says a case-level request must answer. */
const expectCell = (
  user: IssuedUser,
  endpoint: CaseEndpoint,
  c: CaseView,
): { status: number; why: string } => {
  if (!covers(user, 'read', c)) return { status: 404, why: 'outside the read scope' };
  if (endpoint.kind === 'read') return { status: 200, why: 'readable' };
  if (!covers(user, endpoint.action, c))
    return { status: 403, why: `no ${endpoint.action} grant for this case` };
  if (endpoint.duplicate) {
    return {
      status: DUPLICATE_PROBES[endpoint.duplicate].allowed,
      why: 'merge granted, refused on the merits',
    };
  }
  if (endpoint.kind === 'attachments') {
    if (endpoint.method === 'GET') return { status: 200, why: 'download granted' };
    if (NO_EVIDENCE.includes(c.status)) return { status: 409, why: `no evidence on a ${c.status} case` };
    return { status: 201, why: 'upload granted: a form' };
  }
  if (endpoint.kind === 'satisfaction') {
    return c.status === 'closed'
      ? { status: 200, why: 'verdict granted' }
      : { status: 409, why: `no verdict on a ${c.status} case` };
  }
  if (endpoint.kind === 'audit' || !endpoint.command) return { status: 200, why: 'audit granted' };
  if (!LEGAL_FROM[endpoint.command].includes(c.status)) return { status: 409, why: `illegal in ${c.status}` };
  return { status: 200, why: 'allowed and legal' };
};

/**
 * Who may see a citizen's name and phone (the rule in the brief, written out independently of
 * shared/domain/personal-data.ts): the command centre, the reporter, the assigned department's people.
 */
const entitledToPersonalData = (user: IssuedUser, c: Facts): boolean =>
  user.role === 'command_centre' ||
  user.sub === c.submittedBy.subject ||
  ((user.role === 'department_staff' || user.role === 'field_worker') &&
    !!user.department &&
    user.department === c.assignee);

describe('access matrix over HTTP (local cloud)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'xietong-matrix-'));
  const startedAt = Date.now();
  let cloud: SpawnedCloud | undefined;
  let api: Api;
  let users: IssuedUser[] = [];
  let commandCentre: IssuedUser;
  const fixtures: Fixture[] = [];
  /** A fresh copy of a fixture for each matrix cell whose command is allowed and legal. */
  const copies = new Map<string, CaseView>();
  const copyKey = (user: IssuedUser, command: string, spec: FixtureSpec) =>
    `${user.sub}|${command}|${spec.key}`;
  const allCaseIds = () => [...fixtures.map((f) => f.view.id), ...[...copies.values()].map((c) => c.id)];
  const forgedTokens: string[] = [];

  const summary = {
    cells: 0,
    /** Per area: cells by status. */
    byArea: {} as Record<string, Record<string, number>>,
    byStatus: {} as Record<string, number>,
    leaks: [] as string[],
    mismatches: [] as { area: string; message: string }[],
  };
  const mismatchesIn = (area: string) =>
    summary.mismatches.filter((m) => m.area === area).map((m) => m.message);
  const leaksIn = (area: string) => summary.leaks.filter((m) => m.startsWith(`${area}:`));

  interface CheckRequest {
    area: string;
    user?: IssuedUser;
    what: string;
    expected: number[];
    reply: Reply;
    /** Reads: a 2xx where a refusal was expected is a leak, not only a wrong answer. */
    reads: boolean;
    /** The case the request named: its id may appear in a refusal, no other case's may. */
    caseId?: string;
  }

  /** Counts one cell and checks its status, its problem+json, and that it gives nothing away. */
  const check = ({ area, user, what, expected, reply, reads, caseId }: CheckRequest): boolean => {
    summary.cells++;
    const inArea = summary.byArea[area] ?? {};
    inArea[reply.status] = (inArea[reply.status] ?? 0) + 1;
    summary.byArea[area] = inArea;
    summary.byStatus[reply.status] = (summary.byStatus[reply.status] ?? 0) + 1;
    const who = user?.sub ?? 'anonymous';
    const label = `${area}: ${who} ${what}`;
    const mismatch = (message: string) => summary.mismatches.push({ area, message: `${label}: ${message}` });
    const leak = (message: string) => summary.leaks.push(`${label}: ${message}`);
    const ok = expected.includes(reply.status);
    if (!ok) mismatch(`expected ${expected.join(' or ')}, got ${reply.status} ${reply.text.slice(0, 300)}`);
    const success = reply.status >= 200 && reply.status < 300;
    if (success && reads && expected.every((s) => s >= 400))
      leak(`answered ${reply.status} where it must refuse`);

    for (const { spec, view } of fixtures) {
      if (user && entitledToPersonalData(user, view)) continue;
      if (reply.text.includes(spec.reporter.phone)) leak(`raw reporter phone of case ${spec.key}`);
      if (reply.text.includes(spec.reporter.name)) leak(`raw reporter name of case ${spec.key}`);
    }
    // The HTTP API's own refusals (a bad token's 401) have its fixed JSON body; every other is a problem.
    if (reply.status >= 400 && !isGatewayRefusal(reply)) {
      if (!reply.contentType.includes('application/problem+json')) {
        mismatch(`a ${reply.status} must be application/problem+json, not "${reply.contentType}"`);
      }
      const problem = reply.body as Partial<ProblemBody> | undefined;
      if (problem?.status !== reply.status)
        mismatch(`problem body status ${problem?.status} ≠ ${reply.status}`);
    }
    if ([401, 403, 404].includes(reply.status)) {
      const forbidden = fixtures.flatMap(({ spec }) => [
        spec.marker,
        spec.reporter.phone,
        spec.reporter.name,
        spec.maskedPhone,
        spec.maskedName,
      ]);
      for (const text of forbidden) if (reply.text.includes(text)) leak(`refusal repeats "${text}"`);
      for (const id of allCaseIds()) {
        if (id !== caseId && reply.text.includes(id)) leak(`refusal names another case ${id}`);
      }
    }
    return ok;
  };

  const getCase = async (id: string, user: IssuedUser = commandCentre) => {
    const reply = await api<CaseView>(`/v1/cases/${id}`, { token: user.token });
    if (reply.status !== 200) throw new Error(`GET ${id} as ${user.sub}: ${reply.status} ${reply.text}`);
    return reply.body;
  };

  /** Reports each body, waits until the router registered them, dispatches them (command centre). */
  const createDispatched = async (
    reports: { submitter: IssuedUser; body: unknown }[],
  ): Promise<CaseView[]> => {
    const ids = await inChunks(
      reports.map(({ submitter, body }) => async () => {
        const reply = await api<CaseView>('/v1/cases', { method: 'POST', token: submitter.token, body });
        if (reply.status !== 202) throw new Error(`report refused: ${reply.status} ${reply.text}`);
        return reply.body.id;
      }),
    );
    const deadline = Date.now() + 30_000;
    let pending = ids;
    while (pending.length > 0) {
      if (Date.now() > deadline) throw new Error(`not routed within 30 s: ${pending.join(', ')}`);
      const views = await inChunks(pending.map((id) => () => getCase(id)));
      pending = views.filter((v) => v.status === 'reported').map((v) => v.id);
      if (pending.length > 0) await sleep(100);
    }
    return inChunks(
      ids.map((id) => async () => {
        const reply = await api<CaseView>(`/v1/cases/${id}/dispatch`, {
          method: 'POST',
          token: commandCentre.token,
          body: {},
        });
        if (reply.status !== 200) throw new Error(`dispatch of ${id}: ${reply.status} ${reply.text}`);
        return getCase(id);
      }),
    );
  };

  const factsOf = (c: CaseView) => ({
    status: c.status,
    zone: c.zone?.id,
    lead: c.lead,
    assignee: c.assignee,
    cooperating: [...c.cooperating].sort(),
    submittedBy: c.submittedBy.subject,
  });

  beforeAll(async () => {
    cloud = await spawnLocalCloud({ dataDir, args: ['--log-level', 'DEBUG'], env: CITIZEN_LIMITS_OFF });
    api = httpClient(cloud.info.url);
    const tokens = await api<{ users: IssuedUser[] }>('/local/tokens');
    users = tokens.body.users;
    commandCentre = one(users, 'local:command_centre');

    const [a, b] = await createDispatched(
      [SPEC_A, SPEC_B].map((spec) => ({ submitter: spec.submitter(users), body: reportBody(spec, true) })),
    );
    if (!a || !b) throw new Error('fixtures missing');
    fixtures.push({ spec: SPEC_A, view: a }, { spec: SPEC_B, view: b });

    // One fresh copy per allowed-and-legal command cell, so the fixtures themselves never change.
    const wanted: { key: string; spec: FixtureSpec }[] = [];
    for (const user of users) {
      for (const endpoint of CASE_ENDPOINTS) {
        for (const { spec, view } of fixtures) {
          if (endpoint.command && expectCell(user, endpoint, view).status === 200) {
            wanted.push({ key: copyKey(user, endpoint.command, spec), spec });
          }
        }
      }
    }
    const created = await createDispatched(
      wanted.map(({ spec }) => ({ submitter: spec.submitter(users), body: reportBody(spec, false) })),
    );
    wanted.forEach(({ key }, i) => {
      const view = created[i];
      if (view) copies.set(key, view);
    });
  }, 90_000);

  afterAll(async () => {
    const counts = summary.byStatus;
    const sum = (filter: (status: number) => boolean) =>
      Object.entries(counts)
        .filter(([status]) => filter(Number(status)))
        .reduce((total, [, n]) => total + n, 0);
    console.log(
      JSON.stringify({
        accessMatrix: {
          cells: summary.cells,
          allows: sum((s) => s >= 200 && s < 300),
          denials403: counts[403] ?? 0,
          denials404: counts[404] ?? 0,
          conflicts409: counts[409] ?? 0,
          unauthorized401: counts[401] ?? 0,
          leaks: summary.leaks.length,
          mismatches: summary.mismatches.length,
          byArea: summary.byArea,
          byStatus: counts,
          users: users.length,
          fixtureCopies: copies.size,
          durationMs: Date.now() - startedAt,
        },
      }),
    );
    if (cloud) {
      const running = cloud;
      await Promise.race([running.kill('SIGTERM'), sleep(10_000).then(() => running.kill('SIGKILL'))]);
    }
    rmSync(dataDir, { recursive: true, force: true });
  }, 30_000);

  it('has a demo user for every role of the matrix, every zone and every department', () => {
    const roles = new Set(users.map((u) => u.role));
    for (const role of Object.keys(AUTHORIZATION_MATRIX)) expect(roles, role).toContain(role);
    expect(users.filter((u) => u.role === 'area_chief').map((u) => u.zone)).toEqual(
      district.zones.map((z) => z.id),
    );
    const handling = district.departments.filter((d) => d.id !== district.commandCentre).map((d) => d.id);
    for (const role of ['department_staff', 'field_worker']) {
      expect(users.filter((u) => u.role === role).map((u) => u.department)).toEqual(handling);
    }
    // The fixtures are what the cells assume: A led by market regulation in zhenhua, B elsewhere.
    const [a, b] = fixtures.map((f) => f.view);
    expect(factsOf(a as CaseView)).toEqual({
      status: 'dispatched',
      zone: 'zhenhua',
      lead: 'market-regulation',
      assignee: 'market-regulation',
      cooperating: ['fire', 'police', 'urban-management'],
      submittedBy: 'local:reporter',
    });
    expect(factsOf(b as CaseView)).toMatchObject({
      status: 'dispatched',
      zone: 'gudun',
      lead: 'traffic-police',
      assignee: 'traffic-police',
      submittedBy: 'local:command_centre',
    });
    // Each copy has its fixture's facts, so a cell run on a copy means the same as on the fixture.
    for (const [key, copy] of copies) {
      const fixture = fixtures.find((f) => key.endsWith(`|${f.spec.key}`));
      expect(factsOf(copy), key).toEqual(factsOf(fixture?.view as CaseView));
    }
  });

  it('answers every user × case route × case as the matrix says (404 outside read, 403, 409, 2xx)', async () => {
    const before = fixtures.map((f) => f.view.version);
    const tasks: (() => Promise<void>)[] = [];
    for (const user of users) {
      for (const endpoint of CASE_ENDPOINTS) {
        for (const { spec, view } of fixtures) {
          const expected = expectCell(user, endpoint, view);
          const target =
            endpoint.command && expected.status === 200
              ? copies.get(copyKey(user, endpoint.command, spec))
              : view;
          tasks.push(async () => {
            if (!target) throw new Error(`no copy for ${copyKey(user, endpoint.label, spec)}`);
            const reply = await api<CaseView>(endpoint.path(target.id), {
              method: endpoint.method,
              token: user.token,
              ...(endpoint.command && { body: bodyFor(endpoint.command, target) }),
              ...(endpoint.duplicate && { body: DUPLICATE_PROBES[endpoint.duplicate].body(target) }),
              ...(endpoint.kind === 'attachments' &&
                endpoint.method === 'POST' && { body: UPLOAD_FORM_BODY }),
              ...(endpoint.kind === 'satisfaction' && { body: { rating: 'satisfied' } }),
            });
            const ok = check({
              area: 'case',
              user,
              what: `${endpoint.label} on ${spec.key}${target === view ? '' : ' (copy)'} [${expected.why}]`,
              expected: [expected.status],
              reply,
              reads: endpoint.method === 'GET',
              caseId: target.id,
            });
            // An allowed command adds exactly one version (one timeline entry).
            if (ok && endpoint.command && reply.status === 200 && reply.body.version !== target.version + 1) {
              summary.mismatches.push({
                area: 'case',
                message: `${user.sub} ${endpoint.label}: version ${reply.body.version}, expected ${target.version + 1}`,
              });
            }
          });
        }
      }
    }
    await inChunks(tasks, 20);
    // Nothing refused or illegal changed the fixtures.
    const after = await Promise.all(fixtures.map((f) => getCase(f.view.id)));
    expect(after.map((c) => c.version)).toEqual(before);
    expect(leaksIn('case')).toEqual([]);
    expect(mismatchesIn('case')).toEqual([]);
  }, 60_000);

  it('refuses a stale expectedVersion without revealing cases outside the read scope', async () => {
    const tasks: (() => Promise<void>)[] = [];
    for (const user of users) {
      for (const endpoint of CASE_ENDPOINTS) {
        if (!endpoint.command) continue;
        const command = endpoint.command;
        for (const { spec, view } of fixtures) {
          // The version check runs before authorize(): a reader without the grant may get 409 or 403.
          const expected = !covers(user, 'read', view)
            ? [404]
            : covers(user, endpoint.action, view)
              ? [409]
              : [403, 409];
          tasks.push(async () => {
            const reply = await api(endpoint.path(view.id), {
              method: 'POST',
              token: user.token,
              body: { ...bodyFor(command, view), expectedVersion: 999_999 },
            });
            check({
              area: 'stale-version',
              user,
              what: `${endpoint.label} on ${spec.key} with expectedVersion 999999`,
              expected,
              reply,
              reads: false,
              caseId: view.id,
            });
          });
        }
      }
    }
    await inChunks(tasks, 20);
    const after = await Promise.all(fixtures.map((f) => getCase(f.view.id)));
    expect(after.map((c) => c.version)).toEqual(fixtures.map((f) => f.view.version));
    expect(leaksIn('stale-version')).toEqual([]);
    expect(mismatchesIn('stale-version')).toEqual([]);
  }, 60_000);

  it('applies the list scope in the query and refuses other zones and departments', async () => {
    const otherZone = (user: IssuedUser) => district.zones.find((z) => z.id !== user.zone)?.id ?? 'gudun';
    const otherDepartment = (user: IssuedUser) =>
      district.departments.find((d) => d.id !== user.department && d.id !== district.commandCentre)?.id ??
      'police';
    const tasks: (() => Promise<void>)[] = [];
    for (const user of users) {
      const scope = scopeOf(user, 'list');
      const variants: { label: string; zone?: string; department?: string }[] = [
        { label: 'unfiltered' },
        { label: 'another zone', zone: otherZone(user) },
        { label: 'another department', department: otherDepartment(user) },
        ...(user.zone ? [{ label: 'own zone', zone: user.zone }] : []),
        ...(user.department ? [{ label: 'own department', department: user.department }] : []),
      ];
      for (const variant of variants) {
        const refused =
          scope === undefined ||
          (scope === 'zone' && variant.zone !== undefined && variant.zone !== user.zone) ||
          (scope === 'zone' && !user.zone) ||
          ((scope === 'department' || scope === 'responsible' || scope === 'assigned') &&
            (!user.department ||
              (variant.department !== undefined && variant.department !== user.department)));
        tasks.push(async () => {
          const query = new URLSearchParams({
            limit: '100',
            ...(variant.zone && { zone: variant.zone }),
            ...(variant.department && { department: variant.department }),
          });
          const what = `GET /v1/cases ${variant.label} (${query})`;
          const items: CaseView[] = [];
          let cursor: string | undefined;
          for (let page = 0; page < 10; page++) {
            if (cursor) query.set('cursor', cursor);
            const reply = await api<Page>(`/v1/cases?${query}`, { token: user.token });
            const ok = check({
              area: 'list',
              user,
              what,
              expected: [refused ? 403 : 200],
              reply,
              reads: true,
            });
            if (!ok || reply.status !== 200) return;
            items.push(...reply.body.items);
            cursor = reply.body.cursor;
            if (!cursor) break;
          }
          const actor = actorOf(user);
          for (const item of items) {
            if (!scope || !inScope(scope, actor, item)) {
              summary.leaks.push(`list: ${user.sub} ${what}: case ${item.id} is outside the ${scope} scope`);
            }
            if (variant.zone && item.zone?.id !== variant.zone) {
              summary.mismatches.push({
                area: 'list',
                message: `${user.sub} ${what}: case ${item.id} in zone ${item.zone?.id}`,
              });
            }
          }
          // Complete as well as safe: a fixture in the list scope is listed (no filter, or one's own).
          const completeness =
            variant.label === 'unfiltered' ||
            (variant.label === 'own zone' && scope === 'zone') ||
            (variant.label === 'own department' &&
              (scope === 'department' || scope === 'responsible' || scope === 'assigned'));
          if (!completeness || !scope) return;
          for (const { spec, view } of fixtures) {
            if (inScope(scope, actor, view) && !items.some((item) => item.id === view.id)) {
              summary.mismatches.push({
                area: 'list',
                message: `${user.sub} ${what}: case ${spec.key} (lead ${view.lead}, assignee ${view.assignee}, co-operating ${view.cooperating.join('/')}, zone ${view.zone?.id}) is in the ${scope} list scope but missing`,
              });
            }
          }
        });
      }
    }
    await inChunks(tasks, 20);
    expect(leaksIn('list')).toEqual([]);
    expect(mismatchesIn('list')).toEqual([]);
  }, 60_000);

  it('lets every role with a report grant report (202) and refuses the others (403)', async () => {
    const body = {
      source: 'patrol',
      category: 'event.illegal-parking',
      description: '路口有车辆违停（矩阵测试上报）',
      location: { ...pointInZone(zoneOf('xingzhou')), crs: 'wgs84' },
    };
    await inChunks(
      users.map((user) => async () => {
        const reply = await api('/v1/cases', { method: 'POST', token: user.token, body });
        check({
          area: 'report',
          user,
          what: `POST /v1/cases [report: ${scopeOf(user, 'report') ?? 'none'}]`,
          expected: [scopeOf(user, 'report') ? 202 : 403],
          reply,
          reads: false,
        });
      }),
    );
    expect(leaksIn('report')).toEqual([]);
    expect(mismatchesIn('report')).toEqual([]);
  });

  it('serves the district to every authenticated role, health and OpenAPI to anyone', async () => {
    await inChunks(
      users.map((user) => async () => {
        const reply = await api('/v1/district', { token: user.token });
        check({ area: 'meta', user, what: 'GET /v1/district', expected: [200], reply, reads: true });
      }),
    );
    const anonymous = [
      { path: '/v1/district', expected: 401 },
      { path: '/health', expected: 200 },
      { path: '/openapi.json', expected: 200 },
    ];
    for (const { path, expected } of anonymous) {
      const reply = await api(path);
      check({ area: 'meta', what: `GET ${path} without a token`, expected: [expected], reply, reads: true });
    }
    for (const path of ['/health', '/openapi.json']) {
      const reply = await api(path, { authorization: 'Bearer not-a-token' });
      check({ area: 'meta', what: `GET ${path} with a bad token`, expected: [200], reply, reads: true });
    }
    expect(leaksIn('meta')).toEqual([]);
    expect(mismatchesIn('meta')).toEqual([]);
  });

  it('shows the reporter unmasked only to the command centre, the assigned department and the reporter', async () => {
    const seesUnmasked: Record<string, string[]> = { A: [], B: [] };
    await inChunks(
      users.flatMap((user) =>
        fixtures.map(({ spec, view }) => async () => {
          const reply = await api<CaseView>(`/v1/cases/${view.id}`, { token: user.token });
          const readable = covers(user, 'read', view);
          check({
            area: 'pii',
            user,
            what: `GET /v1/cases/{${spec.key}}`,
            expected: [readable ? 200 : 404],
            reply,
            reads: true,
            caseId: view.id,
          });
          if (reply.status !== 200) return;
          const got = reply.body;
          if (entitledToPersonalData(user, view)) {
            seesUnmasked[spec.key]?.push(user.sub);
            expect(got.personalDataMasked, user.sub).toBe(false);
            expect(got.reporter, user.sub).toEqual(spec.reporter);
            expect(got.description, user.sub).toContain(spec.reporter.phone);
          } else {
            expect(got.personalDataMasked, user.sub).toBe(true);
            expect(got.reporter, user.sub).toEqual({ name: spec.maskedName, phone: spec.maskedPhone });
            expect(got.description, user.sub).toContain(spec.maskedPhone);
            expect(reply.text, user.sub).not.toContain(spec.reporter.phone);
          }
        }),
      ),
    );
    expect(seesUnmasked.A?.sort()).toEqual(
      [
        'local:command_centre',
        'local:department_staff:market-regulation',
        'local:field_worker:market-regulation',
        'local:reporter',
      ].sort(),
    );
    expect(seesUnmasked.B?.sort()).toEqual(
      [
        'local:command_centre',
        'local:department_staff:traffic-police',
        'local:field_worker:traffic-police',
      ].sort(),
    );
    // Lists: the raw phone only in the lists of those entitled to it.
    await inChunks(
      users.map((user) => async () => {
        const reply = await api<Page>('/v1/cases?limit=100', { token: user.token });
        check({
          area: 'pii',
          user,
          what: 'GET /v1/cases',
          expected: [scopeOf(user, 'list') ? 200 : 403],
          reply,
          reads: true,
        });
        for (const { spec, view } of fixtures) {
          const listed = reply.status === 200 ? reply.body.items.find((c) => c.id === view.id) : undefined;
          if (!listed) continue;
          expect(listed.reporter, `${user.sub} lists ${spec.key}`).toEqual(
            entitledToPersonalData(user, view)
              ? spec.reporter
              : { name: spec.maskedName, phone: spec.maskedPhone },
          );
        }
      }),
    );
    expect(leaksIn('pii')).toEqual([]);
    expect(mismatchesIn('pii')).toEqual([]);
  });

  it('refuses bad tokens at the gateway with the HTTP API 401 {"message":"Unauthorized"} (the handler never runs)', async () => {
    const a = fixtures[0]?.view as CaseView;
    const keys = JSON.parse(readFileSync(join(dataDir, 'local-issuer.json'), 'utf8')) as {
      kid: string;
      privateJwk: JWK;
      publicJwk: JWK;
    };
    const realKey = await importJWK(keys.privateJwk, 'ES256');
    const otherKey = (await generateKeyPair('ES256')).privateKey;
    const now = Math.floor(Date.now() / 1000);
    const claims = { name: '伪造', role: 'command_centre', department: district.commandCentre };
    const forge = (
      key: Parameters<SignJWT['sign']>[0],
      { iss = LOCAL_ISSUER, aud = LOCAL_AUDIENCE, iat = now, exp = now + 600, alg = 'ES256' } = {},
    ) =>
      new SignJWT(claims)
        .setProtectedHeader({ alg, kid: keys.kid, typ: 'JWT' })
        .setIssuer(iss)
        .setAudience(aud)
        .setSubject(commandCentre.sub)
        .setIssuedAt(iat)
        .setExpirationTime(exp)
        .sign(key);
    const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const unsigned = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({
      ...claims,
      iss: LOCAL_ISSUER,
      aud: LOCAL_AUDIENCE,
      sub: commandCentre.sub,
      iat: now,
      exp: now + 600,
    })}.`;
    const reporterToken = one(users, 'local:reporter').token;
    const [header, , signature] = reporterToken.split('.');
    const promoted = `${header}.${b64({
      ...JSON.parse(Buffer.from(reporterToken.split('.')[1] ?? '', 'base64url').toString('utf8')),
      role: 'command_centre',
    })}.${signature}`;

    const valid = await forge(realKey);
    const bad: Record<string, string> = {
      expired: `Bearer ${await forge(realKey, { iat: now - 7200, exp: now - 3600 })}`,
      'wrong issuer': `Bearer ${await forge(realKey, { iss: 'urn:xietong:elsewhere' })}`,
      'wrong audience': `Bearer ${await forge(realKey, { aud: 'someone-else' })}`,
      'alg none (unsigned)': `Bearer ${unsigned}`,
      'signed with another key': `Bearer ${await forge(otherKey)}`,
      'HS256 with the public key as secret': `Bearer ${await forge(
        new TextEncoder().encode(JSON.stringify(keys.publicJwk)),
        { alg: 'HS256' },
      )}`,
      'payload edited (reporter promoted)': `Bearer ${promoted}`,
      'signature cut short': `Bearer ${valid.slice(0, -6)}`,
      malformed: 'Bearer not.a.jwt',
      'not a JWT at all': 'Bearer garbage',
      'missing Bearer scheme': valid,
      'Basic scheme': `Basic ${Buffer.from('admin:admin').toString('base64')}`,
      'empty header': '',
    };
    forgedTokens.push(valid, ...Object.values(bad).map((h) => h.replace(/^\w+\s+/, '')));

    // The forged control token is accepted: the refusals below are for the one defect each carries.
    const control = await api<CaseView>(`/v1/cases/${a.id}`, { authorization: `Bearer ${valid}` });
    expect(control.status).toBe(200);
    expect(control.headers.get('x-correlation-id'), 'handlers stamp every reply').toBeTruthy();

    const requests = [
      { what: `GET /v1/cases/{A}`, path: `/v1/cases/${a.id}`, method: 'GET' as const },
      { what: 'GET /v1/cases', path: '/v1/cases', method: 'GET' as const },
      {
        what: 'POST /v1/cases/{A}/cancel',
        path: `/v1/cases/${a.id}/cancel`,
        method: 'POST' as const,
        body: { reason: '伪造令牌' },
      },
      {
        what: 'POST /v1/cases',
        path: '/v1/cases',
        method: 'POST' as const,
        body: reportBody(SPEC_B, false),
      },
    ];
    const tasks = Object.entries(bad).flatMap(([kind, authorization]) =>
      requests.map((request) => async () => {
        const reply = await api<ProblemBody>(request.path, {
          method: request.method,
          authorization,
          ...(request.body && { body: request.body }),
        });
        const what = `${request.what} with a token: ${kind}`;
        check({ area: 'token', what, expected: [401], reply, reads: request.method === 'GET' });
        if (reply.status !== 401) return;
        // The gateway's own refusal, not the handler's (urn:xietong:problem:unauthenticated, correlation id).
        if (
          !isGatewayRefusal(reply) ||
          !reply.headers.get('www-authenticate')?.startsWith('Bearer scope="" error="invalid_token"')
        ) {
          summary.mismatches.push({ area: 'token', message: `${what}: a handler answered: ${reply.text}` });
        }
      }),
    );
    await inChunks(tasks, 20);
    expect((await getCase(a.id)).version).toBe(a.version);
    expect(leaksIn('token')).toEqual([]);
    expect(mismatchesIn('token')).toEqual([]);
  });

  it('audits case A as intact for the command centre', async () => {
    const a = fixtures[0]?.view as CaseView;
    const reply = await api<{ caseId: string; version: number; entries: number; intact: boolean }>(
      `/v1/cases/${a.id}/audit`,
      { token: commandCentre.token },
    );
    check({
      area: 'audit',
      user: commandCentre,
      what: 'GET /v1/cases/{A}/audit',
      expected: [200],
      reply,
      reads: true,
    });
    expect(reply.body).toMatchObject({ caseId: a.id, version: a.version, entries: a.version, intact: true });
  });

  it('keeps bearer tokens and citizens’ phone numbers out of the local cloud’s logs; no leak anywhere', () => {
    const logs = cloud?.output() ?? '';
    // DEBUG logging was on: every request was logged, so absence below means something.
    expect(logs).toMatch(/GET \/v1\/cases/);
    const found: string[] = [];
    for (const user of users) if (logs.includes(user.token)) found.push(`token of ${user.sub}`);
    for (const token of forgedTokens) if (token && logs.includes(token)) found.push('a forged token');
    const jwt = /eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*\.?/.exec(logs);
    if (jwt) found.push(`something JWT-shaped: ${jwt[0].slice(0, 20)}…`);
    for (const { spec } of fixtures) {
      if (logs.includes(spec.reporter.phone)) found.push(`the phone of case ${spec.key}`);
      if (logs.includes(spec.reporter.name)) found.push(`the reporter name of case ${spec.key}`);
    }
    summary.leaks.push(...found.map((f) => `logs: ${f}`));
    summary.cells++;
    summary.byArea.logs = { checked: 1 };
    expect(found).toEqual([]);
    expect(summary.leaks).toEqual([]);
  });
});
