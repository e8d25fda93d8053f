import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogueSchemas } from '../../shared/district/catalogue';
import { DistrictConfigError, type DistrictProblem, loadDistrict } from '../../shared/district/load';

const catalogue = catalogueSchemas().Catalogue.parse(
  JSON.parse(readFileSync('districts/catalogue.json', 'utf8')),
);
const sandun = loadDistrict('districts/sandun.json');

/** The category ids Sandun shipped before the catalogue: clients and tests use them, so they stay. */
const SANDUN_CONTRACT_IDS = [
  'component.manhole-cover-missing',
  'component.street-light-broken',
  'component.fire-hydrant-damaged',
  'component.traffic-signal-fault',
  'component.road-sign-damaged',
  'component.bench-railing-damaged',
  'component.billboard-unsafe',
  'event.household-workshop',
  'event.fire-lane-blocked',
  'event.gas-smell',
  'event.fire-smoke',
  'event.fire-safety-hazard',
  'event.street-vending',
  'event.garbage-overflow',
  'event.sewage-overflow',
  'event.illegal-parking',
  'event.night-construction-noise',
  'event.unlicensed-business',
  'event.food-safety',
  'event.construction-dust',
  'event.fallen-tree',
  'event.road-collapse',
  'event.road-flooding',
  'event.group-rental-safety',
  'event.dispute',
  'event.illegal-posting',
];

let workDir: string;
beforeAll(() => {
  workDir = mkdtempSync(join(tmpdir(), 'xietong-catalogue-'));
  copyFileSync('districts/catalogue.json', join(workDir, 'catalogue.json'));
});
afterAll(() => {
  rmSync(workDir, { recursive: true, force: true });
});

/** The shipped Sandun file with one change applied, written beside a copy of the catalogue. */
interface SandunDocument {
  catalogue: {
    extends: string;
    roles: Record<string, string>;
    off: string[];
    overrides: Record<string, unknown>;
  };
  categories: { code: string }[];
}
const sandunWith = (change: (document: SandunDocument) => void): string => {
  const document: SandunDocument = JSON.parse(readFileSync('districts/sandun.json', 'utf8'));
  change(document);
  const file = join(workDir, `sandun-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify(document));
  return file;
};

const problemsOf = (file: string): DistrictProblem[] => {
  try {
    loadDistrict(file);
  } catch (error) {
    if (error instanceof DistrictConfigError) return error.problems;
    throw error;
  }
  throw new Error(`expected ${file} to be refused`);
};

describe('the standard catalogue', () => {
  it('covers the standard’s component and event classes and the common 12345 matters', () => {
    // Assess
    const subgroups = (group: string) =>
      new Set(catalogue.entries.filter((e) => e.group === group).map((e) => e.subgroup.zh));
    expect(subgroups('component')).toEqual(
      new Set(['公用设施', '道路交通', '市容环境', '园林绿化', '房屋土地', '其他设施']),
    );
    for (const name of ['市容环境', '宣传广告', '施工管理', '突发事件', '街面秩序'])
      expect(subgroups('event'), name).toContain(name);
    for (const name of ['社会治安', '交通管理', '市场监管', '安全生产', '消防安全', '生态环境'])
      expect(subgroups('event'), name).toContain(name);
    expect(catalogue.entries.length).toBeGreaterThanOrEqual(120);
  });

  it('gives every entry a one-line description in both languages and 3–8 keywords', () => {
    for (const entry of catalogue.entries) {
      expect(entry.description.length, entry.code).toBeGreaterThan(5);
      expect(entry.descriptionEn?.length ?? 0, entry.code).toBeGreaterThan(10);
      expect(entry.keywords.length, entry.code).toBeGreaterThanOrEqual(3);
      expect(entry.keywords.length, entry.code).toBeLessThanOrEqual(8);
      if (entry.standardCode)
        expect(entry.standardCode[0], entry.code).toBe(entry.group === 'component' ? 'C' : 'E');
    }
  });

  it('keeps every category id Sandun had before the catalogue', () => {
    const codes = new Set(sandun.categories.map((c) => c.code));
    for (const id of SANDUN_CONTRACT_IDS) expect(codes, id).toContain(id);
  });
});

describe('a district extending the catalogue', () => {
  it('maps roles to its departments and drops co-operation that lands on the lead', () => {
    // Sandun maps the catalogue's "municipal" and "transport" roles onto its own squads.
    const byCode = new Map(sandun.categories.map((c) => [c.code, c]));
    expect(byCode.get('component.road-surface-damaged')).toMatchObject({
      lead: 'urban-management',
      cooperating: ['traffic-police'],
    });
    expect(byCode.get('event.illegal-taxi')?.lead).toBe('traffic-police');
    // green-space-occupation: landscaping leads, urban management co-operates; both are one squad here.
    expect(byCode.get('event.green-space-occupation')).toMatchObject({
      lead: 'urban-management',
      cooperating: [],
    });
  });

  it('switches entries off, overrides fields and appends its own categories', () => {
    const codes = sandun.categories.map((c) => c.code);
    expect(codes).not.toContain('event.landslide');
    const byCode = new Map(sandun.categories.map((c) => [c.code, c]));
    expect(byCode.get('event.shop-noise')).toMatchObject({
      lead: 'police',
      cooperating: ['urban-management'],
    });
    expect(byCode.get('event.snow-ice')?.deadlines).toEqual({ acceptMinutes: 60, handleMinutes: 480 });
    expect(codes.slice(-3)).toEqual([
      'event.waste-sorting-violation',
      'event.rental-unregistered',
      'event.rural-house-building',
    ]);
  });

  it('names a role without a department, an unknown entry and a clash with a catalogue id', () => {
    // Prepare
    const file = sandunWith((document) => {
      delete document.catalogue.roles.water;
      document.catalogue.off.push('event.no-such-thing');
      document.catalogue.overrides['event.nothing'] = { priority: 'low' };
      document.categories[1]!.code = 'event.gas-smell';
    });

    // Act
    const problems = problemsOf(file);

    // Assess
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: 'catalogue.roles', rule: 'unmapped_role' }),
        expect.objectContaining({ path: 'catalogue.off.1', rule: 'unknown_category' }),
        expect.objectContaining({ path: 'catalogue.overrides.event.nothing', rule: 'unknown_category' }),
        expect.objectContaining({ path: 'categories.1.code', rule: 'catalogue_entry' }),
      ]),
    );
    expect(problems.find((p) => p.rule === 'unmapped_role')?.message).toContain('"water"');
  });

  it('names an override that breaks a rule by the entry’s code', () => {
    // Prepare
    const file = sandunWith((document) => {
      document.catalogue.overrides['event.gas-smell'] = { lead: 'sanitation' };
      document.catalogue.overrides['event.theft'] = { deadlines: { handleMinutes: 1 } };
    });

    // Act
    const problems = problemsOf(file);

    // Assess
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: 'catalogue.overrides.event.gas-smell.lead', rule: 'custom' }),
        expect.objectContaining({
          path: 'catalogue.overrides.event.theft.deadlines.handleMinutes',
          rule: 'custom',
        }),
      ]),
    );
  });

  it('names a catalogue that is not beside the district file', () => {
    // Prepare
    const file = sandunWith((document) => {
      document.catalogue.extends = 'missing.json';
    });

    // Act + Assess
    expect(problemsOf(file)).toEqual([
      expect.objectContaining({ path: 'catalogue.extends', rule: 'readable' }),
    ]);
  });
});
