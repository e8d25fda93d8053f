import type { DistrictConfig } from '../../../shared/district/schema';
import { httpClient, pointInZone, sleep } from '../matrix-client';
import type { Caller, FuzzFixtures, OpenApiDocument } from './api-fuzzer';

/**
 * What the fuzzer needs from a running local cloud: its OpenAPI document, a caller per demo user
 * (plus no token, a forged token and an integration key), and real ids and codes to mix into
 * generated requests so they reach past the first lookup.
 */

interface DemoUser {
  sub: string;
  role: string;
  token: string;
}

interface CaseView {
  id: string;
  status: string;
  premisesId?: string;
}

export interface PreparedFuzz {
  document: OpenApiDocument;
  fixtures: FuzzFixtures;
}

export const prepareFuzz = async (baseUrl: string, cases = 6): Promise<PreparedFuzz> => {
  const api = httpClient(baseUrl);
  const document = (await api<OpenApiDocument>('/openapi.json')).body;
  const users = (await api<{ users: DemoUser[] }>('/local/tokens')).body.users;
  const as = (role: string) => {
    const user = users.find((u) => u.role === role);
    if (!user) throw new Error(`no demo user with role ${role}`);
    return user.token;
  };
  const district = (await api<DistrictConfig>('/v1/district', { token: as('command_centre') })).body;

  const key = await api<{ id: string; key: string }>('/v1/integration-keys', {
    method: 'POST',
    token: as('admin'),
    body: { name: '模糊测试 hotline', source: 'hotline', rateLimitPerMinute: 6000 },
  });
  if (key.status !== 201) throw new Error(`could not issue an integration key: ${key.status} ${key.text}`);

  const ids: string[] = [];
  for (let i = 0; i < cases; i++) {
    const zone = district.zones[i % district.zones.length]!;
    const category = district.categories[i % district.categories.length]!;
    const reply = await api<{ id: string }>('/v1/cases', {
      method: 'POST',
      token: as('reporter'),
      body: {
        source: 'citizen',
        category: category.code,
        description: `模糊测试种子案件 ${i}：${category.name.zh}`,
        location: { ...pointInZone(zone), address: `三墩镇测试路${i + 1}号` },
      },
    });
    if (reply.status !== 202) throw new Error(`could not submit a seed case: ${reply.status} ${reply.text}`);
    ids.push(reply.body.id);
  }
  const views: CaseView[] = [];
  for (const id of ids) {
    for (let attempt = 0; ; attempt++) {
      const view = await api<CaseView>(`/v1/cases/${id}`, { token: as('command_centre') });
      if (view.status === 200 && view.body.status !== 'reported') {
        views.push(view.body);
        break;
      }
      if (attempt > 100) throw new Error(`seed case ${id} was not routed`);
      await sleep(100);
    }
  }
  const visits = await api<{ items: { id: string }[] }>('/v1/joint-visits', { token: as('command_centre') });
  const visitIds = visits.status === 200 ? visits.body.items.map((v) => v.id) : [];

  const callers: Caller[] = [
    ...users.map((u) => ({ name: `${u.role}:${u.sub}`, headers: { authorization: `Bearer ${u.token}` } })),
    { name: 'anonymous', headers: {} },
    {
      name: 'forged-token',
      headers: { authorization: 'Bearer eyJhbGciOiJub25lIn0.eyJyb2xlIjoiYWRtaW4ifQ.' },
    },
    { name: 'integration-key', headers: { 'x-api-key': key.body.key } },
    { name: 'wrong-integration-key', headers: { 'x-api-key': `xtk_${'0'.repeat(40)}` } },
  ];
  const serviceFiles = district.categories.slice(0, 5).flatMap((c) => [`${c.code}.json`, `${c.code}.xml`]);
  return {
    document,
    fixtures: {
      callers,
      known: {
        category: district.categories.map((c) => c.code),
        department: district.departments.map((d) => d.id),
        zone: district.zones.map((z) => z.id),
        into: ids,
        location: district.zones.map((z) => ({ ...pointInZone(z), address: '三墩镇模糊路1号' })),
        source: ['citizen', 'hotline'],
        service_code: district.categories.map((c) => c.code),
        service_request_id: ids,
      },
      pathValues: {
        cases: ids,
        'joint-visits': visitIds,
        premises: views.flatMap((v) => (v.premisesId ? [v.premisesId] : [])),
        'integration-keys': [key.body.id],
        v2: [
          'discovery.json',
          'discovery.xml',
          'services.json',
          'services.xml',
          'requests.json',
          'requests.xml',
        ],
        services: serviceFiles,
        requests: ids.flatMap((id) => [`${id}.json`, `${id}.xml`]),
        tokens: ids.map((id) => `${id}.json`),
      },
    },
  };
};
