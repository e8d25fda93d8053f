import { fileURLToPath } from 'node:url';
import { beforeEach, describe, expect, it } from 'vitest';
import { loadDistrict } from '../../shared/district/load';
import { type Actor, type Case, SYSTEM_ROUTER } from '../../shared/domain/case';
import { indexDistrict } from '../../shared/domain/district-index';
import {
  CaseNotFoundError,
  ForbiddenActionError,
  InvalidInputError,
  VersionConflictError,
} from '../../shared/domain/errors';
import { newReportedCase } from '../../shared/domain/report';
import { routeReport } from '../../shared/domain/routing';
import { registerReport } from '../../shared/domain/workflow';
import type { CaseStore, StoredCase } from '../../shared/ports';
import { type DuplicateCommand, runDuplicateCommand } from '../../shared/usecases/merge-cases';

const district = indexDistrict(
  loadDistrict(fileURLToPath(new URL('../../districts/sandun.json', import.meta.url))),
);
const NOW = '2026-11-30T02:00:00.000Z';
const CENTRE: Actor = { subject: 'cc-1', role: 'command_centre', department: 'command-centre' };
const OTHER_CHIEF: Actor = {
  subject: 'chief-sq',
  role: 'area_chief',
  zone: 'shuangqiao',
  department: 'market-regulation',
};

/** A registered household-workshop case in zijingang. */
const registered = (id: string): Case =>
  registerReport(
    newReportedCase(
      {
        source: 'hotline',
        category: 'event.household-workshop',
        description: '出租房内有人加工服装，堆满布料',
        location: { lat: 30.28525, lng: 120.0688, crs: 'wgs84', address: '紫金港路 88 号' },
      },
      { id, district, actor: CENTRE, now: '2026-11-30T01:00:00.000Z' },
    ),
    routeReport(district, {
      category: 'event.household-workshop',
      location: { lat: 30.28525, lng: 120.0688 },
    }),
    { actor: SYSTEM_ROUTER, now: '2026-11-30T01:01:00.000Z' },
  );

/** Cases in a map with the store's version check; what the use case does not use is not there. */
const memoryStore = (cases: Case[]) => {
  const items = new Map<string, StoredCase>(cases.map((c) => [c.id, { case: c }]));
  let writes = 0;
  const store = {
    get: async (id: string) => items.get(id),
    save: async (next: StoredCase, expectedVersion: number) => {
      const current = items.get(next.case.id);
      if (current && current.case.version !== expectedVersion) {
        throw new VersionConflictError(next.case.id, expectedVersion, current.case.version);
      }
      writes++;
      items.set(next.case.id, next);
    },
  } as unknown as CaseStore;
  return { store, items, writes: () => writes };
};

const A = 'C01HZXTESTCASE00000000000A';
const B = 'C01HZXTESTCASE00000000000B';

describe('runDuplicateCommand', () => {
  let world: ReturnType<typeof memoryStore>;
  const deps = () => ({ store: world.store, clock: { now: () => NOW } });
  const command = (overrides: Partial<DuplicateCommand> = {}): DuplicateCommand => ({
    caseId: A,
    decision: { command: 'merge', into: B },
    actor: CENTRE,
    visibleTo: () => true,
    correlationId: 'corr-1',
    reason: '同一处作坊',
    ...overrides,
  });

  beforeEach(() => {
    world = memoryStore([registered(A), registered(B)]);
  });

  it('merges a report into the case it names, and unmerge takes it out again', async () => {
    // Act
    const merged = await runDuplicateCommand(deps(), command());

    // Assess
    expect(merged).toMatchObject({ id: A, status: 'merged', mergedInto: B });
    expect(world.items.get(B)?.case.linkedReports.map((l) => l.caseId)).toEqual([A]);

    // Act
    const restored = await runDuplicateCommand(deps(), command({ decision: { command: 'unmerge' } }));

    // Assess
    expect(restored.status).not.toBe('merged');
    expect(restored.mergedInto).toBeUndefined();
    expect(world.items.get(B)?.case.linkedReports).toEqual([]);
  });

  it('refuses a decision taken on another version (409) before anything is written', async () => {
    // Prepare
    const version = world.items.get(A)?.case.version ?? 0;

    // Act
    const stale = runDuplicateCommand(deps(), command({ expectedVersion: version - 1 }));

    // Assess
    await expect(stale).rejects.toThrow(VersionConflictError);
    expect(world.writes()).toBe(0);
  });

  it('answers a case outside the reader’s scope as missing, and a target outside it as no target', async () => {
    // Act
    const hiddenCase = runDuplicateCommand(deps(), command({ visibleTo: (c) => c.id !== A }));
    const hiddenTarget = runDuplicateCommand(deps(), command({ visibleTo: (c) => c.id !== B }));

    // Assess
    await expect(hiddenCase).rejects.toThrow(CaseNotFoundError);
    await expect(hiddenTarget).rejects.toThrow(InvalidInputError);
    await expect(hiddenTarget).rejects.toMatchObject({ field: 'into', rule: 'case_not_found' });
    expect(world.writes()).toBe(0);
  });

  it('lets an area chief decide only within their zone', async () => {
    // Act
    const refused = runDuplicateCommand(deps(), command({ actor: OTHER_CHIEF }));

    // Assess
    await expect(refused).rejects.toThrow(ForbiddenActionError);
    expect(world.writes()).toBe(0);
  });
});
