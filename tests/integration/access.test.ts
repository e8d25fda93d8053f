import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caseKey } from '../../shared/adapters/aws/case-item';
import { casesHarness, claimsFor, insideZone, sandun, TEST_ISSUER } from '../support/cases-harness';
import { type Emulators, startEmulators } from '../support/emulators';

let emulators: Emulators;
let api: ReturnType<typeof casesHarness>;
let caseId: string;

const PHONE = '13812341234';

beforeAll(async () => {
  emulators = await startEmulators();
  api = casesHarness(emulators);
  const accepted = await api.report(
    {
      source: 'hotline',
      category: 'event.household-workshop',
      description: `邻居反映有作坊违规生产，回电 ${PHONE}`,
      location: { ...insideZone(sandun.zone('zhenhua')!), crs: 'wgs84' },
      reporter: { name: '王秀英', phone: PHONE },
    },
    claimsFor.commandCentre(),
  );
  caseId = accepted.body.id;
  await api.drainQueue();
  await api.command(caseId, 'dispatch', {}, claimsFor.commandCentre());
});

afterAll(async () => {
  await emulators.stop();
});

describe('personal data', () => {
  it.each([
    ['the command centre', claimsFor.commandCentre(), false],
    ['the assigned department', claimsFor.staff('market-regulation'), false],
    ['the area chief', claimsFor.areaChief('zhenhua'), true],
    ['a co-operating department', claimsFor.fieldWorker('fire'), true],
  ])('%s sees the reporter masked: %s', async (_who, claims, masked) => {
    const reply = await api.get(caseId, claims);
    expect(reply.status).toBe(200);
    expect(reply.body.personalDataMasked).toBe(masked);
    if (masked) {
      expect(reply.body.reporter).toEqual({ name: '王**', phone: '138****1234' });
      expect(reply.body.description).toContain('138****1234');
      expect(JSON.stringify(reply.body)).not.toContain(PHONE);
    } else {
      expect(reply.body.reporter).toEqual({ name: '王秀英', phone: PHONE });
    }
  });

  it('masks lists the same way', async () => {
    const reply = await api.list({}, claimsFor.areaChief('zhenhua'));
    expect(reply.body.items.length).toBeGreaterThan(0);
    expect(JSON.stringify(reply.body)).not.toContain(PHONE);
  });
});

describe('scopes', () => {
  it('an area chief lists their zone only and is refused another zone', async () => {
    const own = await api.list({}, claimsFor.areaChief('zhenhua'));
    expect(own.body.items.every((c: { zone: { id: string } }) => c.zone.id === 'zhenhua')).toBe(true);
    const other = await api.list({ zone: 'gudun' }, claimsFor.areaChief('zhenhua'));
    expect(other.status).toBe(403);
    expect(await api.list({}, claimsFor.areaChief('gudun')).then((r) => r.body.items)).toEqual([]);
  });

  it('department staff list their own department only', async () => {
    const own = await api.list({}, claimsFor.staff('market-regulation'));
    expect(own.body.items.map((c: { id: string }) => c.id)).toContain(caseId);
    expect((await api.list({ department: 'police' }, claimsFor.staff('market-regulation'))).status).toBe(403);
  });

  it('an administrator runs the platform but reads no cases', async () => {
    const admin = { iss: TEST_ISSUER, sub: 'admin-1', role: 'admin' };
    expect((await api.list({}, admin)).status).toBe(403);
    expect((await api.get(caseId, admin)).status).toBe(404);
  });
});

describe('audit', () => {
  it('verifies an intact chain and finds an edited entry', async () => {
    const intact = await api.audit(caseId, claimsFor.commandCentre());
    expect(intact.status).toBe(200);
    expect(intact.body).toMatchObject({ caseId, intact: true, entries: 3, version: 3 });

    // Someone with table access rewrites who dispatched the case, behind the platform's back.
    await emulators.documents.send(
      new UpdateCommand({
        TableName: emulators.tableName,
        Key: caseKey(caseId),
        UpdateExpression: 'SET timeline[2].actor.subject = :someoneElse',
        ExpressionAttributeValues: { ':someoneElse': 'chief-gudun' },
      }),
    );
    const broken = await api.audit(caseId, claimsFor.commandCentre());
    expect(broken.body).toMatchObject({ intact: false, brokenAt: 3 });
    expect(broken.body.reason).toMatch(/edited/);

    expect((await api.audit(caseId, claimsFor.staff('market-regulation'))).status).toBe(403);
  });
});
