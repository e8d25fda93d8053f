/**
 * The story that started the town's cockpit, over HTTP against the local cloud: a household
 * workshop reported by a neighbour (12345), a patrol officer 40 m away in other words, and a camera;
 * market regulation and fire both have their own concern at the same address. It must end as one
 * case carrying three reports, and one joint visit (综合查一次) led by the joint team with market
 * regulation and fire co-operating — not three cases and three visits.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type SpawnedCloud, spawnLocalCloud } from '../../infra/local/spawn';

interface DemoUser {
  role: string;
  department?: string;
  zone?: string;
  token: string;
}

const dataDir = mkdtempSync(join(tmpdir(), 'xietong-workshop-'));
let cloud: SpawnedCloud;
let users: DemoUser[];

const HOME = { lat: 30.2858, lng: 120.0688 }; // in 紫金港 zone
const ADDRESS = '三墩镇古墩路 1185 号';
const north = (metres: number) => metres / 111_195;

const tokenOf = (role: string, department?: string) => {
  const user = users.find(
    (u) => u.role === role && (department === undefined || u.department === department),
  );
  if (!user) throw new Error(`no demo ${role} ${department ?? ''}`);
  return user.token;
};

// biome-ignore lint/suspicious/noExplicitAny: the test reads the API's JSON as it comes
const call = async (path: string, token: string, body?: unknown): Promise<{ status: number; body: any }> => {
  const response = await fetch(`${cloud.info.url}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: await response.json() };
};

/** Reports and waits until the router has dealt with it (registered, or merged into another case). */
const reportAndWait = async (token: string, body: Record<string, unknown>) => {
  const accepted = await call('/v1/cases', token, body);
  expect(accepted.status, JSON.stringify(accepted.body)).toBe(202);
  const centre = tokenOf('command_centre');
  for (let i = 0; i < 100; i++) {
    const current = await call(`/v1/cases/${accepted.body.id}`, centre);
    if (current.body.status !== 'reported') return current.body;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`report ${accepted.body.id} was not routed within 10 s`);
};

beforeAll(async () => {
  cloud = await spawnLocalCloud({ dataDir });
  const response = await fetch(`${cloud.info.url}/local/tokens`);
  users = ((await response.json()) as { users: DemoUser[] }).users;
});

afterAll(async () => {
  await cloud?.kill('SIGTERM');
  rmSync(dataDir, { recursive: true, force: true });
});

it('ends as one case with three reports and one joint visit with market regulation and fire co-operating', async () => {
  const centre = tokenOf('command_centre');
  const neighbour = await reportAndWait(centre, {
    source: 'hotline',
    category: 'event.household-workshop',
    description: '邻居反映楼下有人开家庭作坊生产，噪音和异味很大',
    location: { ...HOME, crs: 'wgs84', address: ADDRESS },
    reporter: { name: '李阿姨', phone: '13900001111' },
    externalRef: { system: '12345', id: 'HZ-20261130-0910' },
  });
  expect(neighbour).toMatchObject({ status: 'registered', lead: 'market-regulation' });

  const patrol = await reportAndWait(tokenOf('field_worker', 'joint-team'), {
    source: 'patrol',
    category: 'event.household-workshop',
    description: '巡查发现民房内疑似无证加工点，堆放大量原料',
    location: { lat: HOME.lat + north(40), lng: HOME.lng, crs: 'wgs84' },
  });
  const camera = await reportAndWait(centre, {
    source: 'camera',
    category: 'event.household-workshop',
    description: '视频告警：疑似违规生产',
    location: { lat: HOME.lat - north(15), lng: HOME.lng, crs: 'wgs84' },
  });
  expect(patrol).toMatchObject({ status: 'merged', mergedInto: neighbour.id });
  expect(camera).toMatchObject({ status: 'merged', mergedInto: neighbour.id });

  // Two departments' own concerns at the same address: their own cases, one visit.
  const unlicensed = await reportAndWait(tokenOf('department_staff', 'market-regulation'), {
    source: 'department',
    category: 'event.unlicensed-business',
    description: '计划检查：该地址涉嫌无证生产经营',
    location: { ...HOME, crs: 'wgs84', address: '古墩路1185號' },
  });
  const fireSafety = await reportAndWait(tokenOf('department_staff', 'fire'), {
    source: 'department',
    category: 'event.fire-safety-hazard',
    description: '计划检查：安全出口堵塞，疑似违规住人',
    location: { ...HOME, crs: 'wgs84', address: ADDRESS },
  });
  expect(unlicensed.premisesId).toBe(neighbour.premisesId);
  expect(fireSafety.premisesId).toBe(neighbour.premisesId);

  const theCase = (await call(`/v1/cases/${neighbour.id}`, centre)).body;
  expect(1 + theCase.linkedReports.length).toBe(3);
  expect(theCase.linkedReports.map((r: { source: string }) => r.source)).toEqual(['patrol', 'camera']);

  // The router plans the visit right after it saves the routed case (and its effects): a case seen
  // as registered may be a moment ahead of its visit, so look until the last case routed is in it.
  type Visit = { lead: string; cooperating: string[]; caseIds: string[]; premisesId: string };
  let atPremises: Visit[] = [];
  const planned = () => atPremises.some((v) => v.caseIds.includes(fireSafety.id));
  for (let i = 0; i < 100 && !planned(); i++) {
    if (i > 0) await new Promise((resolve) => setTimeout(resolve, 100));
    const visits = (await call('/v1/joint-visits?status=planned', centre)).body.items as Visit[];
    atPremises = visits.filter((v) => v.premisesId === neighbour.premisesId);
  }
  expect(atPremises).toHaveLength(1);
  const [visit] = atPremises;
  expect(visit?.lead).toBe('joint-team');
  expect(visit?.cooperating).toEqual(expect.arrayContaining(['market-regulation', 'fire']));
  expect(visit?.caseIds).toEqual(expect.arrayContaining([neighbour.id, fireSafety.id]));
  expect(visit?.caseIds).not.toContain(patrol.id);

  // 一户一档: the premises shows its cases and the visit.
  const history = (await call(`/v1/premises/${neighbour.premisesId}`, tokenOf('department_staff', 'fire')))
    .body;
  expect(JSON.stringify(history)).toContain(neighbour.id);
  expect(JSON.stringify(history)).not.toContain('13900001111');
}, 90_000);
