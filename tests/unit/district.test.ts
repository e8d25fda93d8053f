import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import {
  findGeometryProblems,
  findShortRings,
  findZoneOverlaps,
} from '../../shared/district/geometry-checks';
import {
  DistrictConfigError,
  type DistrictProblem,
  loadDistrict,
  parsedDistrictDocument,
} from '../../shared/district/load';
import { loadDistrict as loadInFunction } from '../../shared/district/load-parsed';
import type { DistrictSchemas, Zone } from '../../shared/district/schema';

/** A district file as written, before defaults are applied. */
type DistrictDocument = z.input<DistrictSchemas['DistrictConfig']>;

const shipped = {
  sandun: fileURLToPath(new URL('../../districts/sandun.json', import.meta.url)),
  liangzhu: fileURLToPath(new URL('../../districts/liangzhu.json', import.meta.url)),
};

const readDocument = (file: string): DistrictDocument => JSON.parse(readFileSync(file, 'utf8'));

/** Loads a file expecting it to fail, and hands back the error for assertions. */
const loadFailure = (file: string): DistrictConfigError => {
  try {
    loadDistrict(file);
  } catch (error) {
    if (error instanceof DistrictConfigError) return error;
    throw error;
  }
  throw new Error(`expected ${file} to be refused`);
};

const problem = (path: string, rule: string) =>
  expect.objectContaining<Partial<DistrictProblem>>({ path, rule });

/** An axis-aligned square zone, counter-clockwise, closed. */
const square = (
  id: string,
  [x, y]: [number, number],
  size: number,
  holes: [number, number][][] = [],
): Zone => ({
  id,
  name: { zh: id, en: id },
  areaChief: { name: '测试', title: '测试', department: 'joint-team' },
  boundary: {
    type: 'Polygon',
    coordinates: [
      [
        [x, y],
        [x + size, y],
        [x + size, y + size],
        [x, y + size],
        [x, y],
      ],
      ...holes,
    ],
  },
});

let workDir: string;
beforeAll(() => {
  workDir = mkdtempSync(join(tmpdir(), 'xietong-district-'));
  // The shipped files extend the standard catalogue, which must sit beside them.
  copyFileSync(
    fileURLToPath(new URL('../../districts/catalogue.json', import.meta.url)),
    join(workDir, 'catalogue.json'),
  );
});
afterAll(() => {
  rmSync(workDir, { recursive: true, force: true });
});

const writeFixture = (name: string, content: unknown): string => {
  const file = join(workDir, name);
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
};

describe('shipped districts', () => {
  it('Sandun loads with its departments, 8 zones, categories and a 3-level ladder', () => {
    // Act
    const sandun = loadDistrict(shipped.sandun);

    // Assess
    expect(sandun.name).toEqual({ zh: '三墩镇', en: 'Sandun Town' });
    expect(sandun.timezone).toBe('Asia/Shanghai');
    expect(sandun.departments).toHaveLength(8);
    expect(sandun.zones).toHaveLength(8);
    // The standard catalogue less what Sandun switches off, plus its own categories.
    expect(sandun.categories.length).toBeGreaterThanOrEqual(120);
    expect(sandun.escalation.map((level) => [level.notify, level.afterMinutes])).toEqual([
      ['area_chief', 0],
      ['command_centre', 60],
      ['town_leader', 240],
    ]);
    expect(sandun.jointTeam).toMatchObject({ department: 'joint-team', priorities: ['urgent'] });
    expect(new Set(sandun.categories.map((c) => c.group))).toEqual(new Set(['component', 'event']));
    expect(findGeometryProblems(sandun)).toEqual([]);
  });

  it('Liangzhu loads with 6 zones, a 2-level ladder and its own OIDC provider', () => {
    // Act
    const liangzhu = loadDistrict(shipped.liangzhu);

    // Assess
    expect(liangzhu.zones).toHaveLength(6);
    expect(liangzhu.categories.length).toBeGreaterThanOrEqual(120);
    expect(liangzhu.categories.map((c) => c.code)).toContain('event.heritage-zone-construction');
    expect(liangzhu.escalation).toHaveLength(2);
    expect(liangzhu.identity).toEqual({
      issuer: 'https://id.liangzhu.example.gov.cn/oidc',
      audience: ['xietong'],
      claims: { role: 'xt_role', department: 'xt_department', zone: 'xt_zone' },
    });
    expect(findGeometryProblems(liangzhu)).toEqual([]);
  });

  it.each(Object.entries(shipped))('%s dispatches automatically only urgent categories', (_, file) => {
    // Act
    const district = loadDistrict(file);

    // Assess
    const autoDispatched = district.categories.filter((c) => c.autoDispatch);
    expect(autoDispatched.length).toBeGreaterThan(0);
    expect(autoDispatched.every((c) => c.priority === 'urgent')).toBe(true);
    for (const category of district.categories) {
      expect(category.keywords.length, category.code).toBeGreaterThanOrEqual(3);
      expect(category.keywords.length, category.code).toBeLessThanOrEqual(8);
    }
  });
});

describe('the parsed form bundled into functions', () => {
  it.each(Object.entries(shipped))('loads %s exactly as its validated file', (name, file) => {
    // Prepare
    const validated = loadDistrict(file);
    const parsedFile = writeFixture(`${name}.parsed.json`, parsedDistrictDocument(validated));
    // Act
    const loaded = loadDistrict(parsedFile);
    // Assess
    expect(loaded).toEqual(validated);
  });

  it('is only taken as parsed with its mark: a file without it is still validated', () => {
    const { district } = JSON.parse(parsedDistrictDocument(loadDistrict(shipped.sandun))) as {
      district: Record<string, unknown>;
    };
    const file = writeFixture('unmarked.json', { form: 'something else', district });
    expect(() => loadDistrict(file)).toThrow(DistrictConfigError);
  });

  it('is what a function reads: the same district, and any other form refused by name', () => {
    const validated = loadDistrict(shipped.sandun);
    const parsedFile = writeFixture('in-function.parsed.json', parsedDistrictDocument(validated));
    expect(loadInFunction(parsedFile)).toEqual(validated);

    // A function has no schema to check a district file as written: it refuses one.
    const error = (() => {
      try {
        loadInFunction(shipped.sandun);
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(DistrictConfigError);
    expect((error as DistrictConfigError).problems.map((p) => p.rule)).toEqual(['parsed_form']);
  });
});

describe('loadDistrict refusing a broken file', () => {
  it('names the file and every broken reference, ring and duplicate with path and rule', () => {
    // Prepare
    const document = readDocument(shipped.sandun);
    document.categories[0]!.lead = 'sanitation';
    document.zones[1]!.boundary.coordinates[0]!.pop();
    document.zones[2]!.id = document.zones[0]!.id;
    const file = writeFixture('broken.json', document);

    // Act
    const error = loadFailure(file);

    // Assess
    expect(error.file).toBe(file);
    expect(error.problems).toEqual(
      expect.arrayContaining([
        problem('categories.0.lead', 'custom'),
        problem('zones.1.boundary.coordinates.0', 'custom'),
        problem('zones.2', 'custom'),
      ]),
    );
    expect(error.message).toContain(file);
    expect(error.message).toContain('categories.0.lead: unknown department "sanitation" [custom]');
    expect(error.message).toContain('zones.1.boundary.coordinates.0: a GeoJSON ring must be closed');
    expect(error.message).toContain(`zones.2: duplicate "${document.zones[0]!.id}" [custom]`);
  });

  it('reports a missing field with its path and rule', () => {
    // Prepare
    // Zod skips the cross-reference checks while the shape is wrong, so this file only lacks fields.
    const { timezone: _, ...document } = readDocument(shipped.liangzhu);
    Reflect.deleteProperty(document.categories[0]!, 'deadlines');
    const file = writeFixture('missing-field.json', document);

    // Act
    const error = loadFailure(file);

    // Assess
    expect(error.problems).toEqual(
      expect.arrayContaining([
        problem('timezone', 'invalid_type'),
        problem('categories.0.deadlines', 'invalid_type'),
      ]),
    );
    expect(error.message).toContain('timezone: ');
    expect(error.message).toContain('[invalid_type]');
  });

  it('refuses a file that is not JSON with rule "json"', () => {
    // Prepare
    const file = writeFixture('not-json.json', '{ "id": "sandun", ');

    // Act
    const error = loadFailure(file);

    // Assess
    expect(error.file).toBe(file);
    expect(error.problems).toEqual([problem('', 'json')]);
    expect(error.message).toContain('(root): not valid JSON');
  });

  it('refuses a file that does not exist with rule "readable"', () => {
    // Act
    const error = loadFailure(join(workDir, 'absent.json'));

    // Assess
    expect(error.problems).toEqual([problem('', 'readable')]);
  });
});

describe('findZoneOverlaps', () => {
  it('reports two zones whose interiors overlap, at the later zone', () => {
    // Prepare
    const zones = [square('west', [0, 0], 1), square('east', [0.5, 0.2], 1)];

    // Act
    const problems = findZoneOverlaps({ zones });

    // Assess
    expect(problems).toEqual([problem('zones.1.boundary', 'zone-overlap')]);
    expect(problems[0]?.message).toContain('"east" overlaps zone "west"');
  });

  it('accepts zones that only share an edge or a corner', () => {
    // Prepare
    const zones = [
      square('a', [0, 0], 1),
      square('b', [1, 0], 1),
      square('c', [1, 1], 1),
      square('d', [0, 1], 0.5),
    ];

    // Act + Assess
    expect(findZoneOverlaps({ zones })).toEqual([]);
  });

  it('catches a duplicated zone (no vertex strictly inside, but the centre is)', () => {
    // Prepare
    const zones = [square('a', [0, 0], 1), square('a-copy', [0, 0], 1)];

    // Act + Assess
    expect(findZoneOverlaps({ zones })).toEqual([problem('zones.1.boundary', 'zone-overlap')]);
  });

  it('catches a cross-shaped overlap where neither a vertex nor a centre lies inside the other zone', () => {
    // Prepare
    const wide: Zone = {
      ...square('wide', [0, 0], 1),
      boundary: {
        type: 'Polygon',
        coordinates: [
          [
            [0, 1],
            [4, 1],
            [4, 2],
            [0, 2],
            [0, 1],
          ],
        ],
      },
    };
    const tall: Zone = {
      ...square('tall', [0, 0], 1),
      boundary: {
        type: 'Polygon',
        coordinates: [
          [
            [0.5, -2],
            [1.5, -2],
            [1.5, 3],
            [0.5, 3],
            [0.5, -2],
          ],
        ],
      },
    };

    // Act
    const problems = findZoneOverlaps({ zones: [wide, tall] });

    // Assess
    expect(problems).toEqual([problem('zones.1.boundary', 'zone-overlap')]);
    expect(problems[0]?.message).toContain('borders cross');
  });

  it('accepts a zone that fills the hole of another', () => {
    // Prepare
    const hole: [number, number][] = [
      [1, 1],
      [1, 2],
      [2, 2],
      [2, 1],
      [1, 1],
    ];
    const zones = [square('ring', [0, 0], 3, [hole]), square('core', [1, 1], 1)];

    // Act + Assess
    expect(findZoneOverlaps({ zones })).toEqual([]);
  });

  it('passes the shipped districts', () => {
    for (const file of Object.values(shipped)) {
      expect(findZoneOverlaps(loadDistrict(file)), file).toEqual([]);
    }
  });

  it('catches a shipped zone moved onto its neighbour', () => {
    // Prepare
    const sandun = loadDistrict(shipped.sandun);
    const moved = sandun.zones[1]!;
    moved.boundary.coordinates = moved.boundary.coordinates.map((ring) =>
      ring.map(([lng, lat]) => [lng - 0.005, lat] as [number, number]),
    );

    // Act
    const problems = findZoneOverlaps(sandun);

    // Assess
    expect(problems).toEqual(expect.arrayContaining([problem('zones.1.boundary', 'zone-overlap')]));
  });
});

describe('findShortRings', () => {
  it('reports a ring with fewer than 4 positions', () => {
    // Prepare
    const zone = square('tiny', [0, 0], 1);
    zone.boundary.coordinates = [
      [
        [0, 0],
        [1, 0],
        [0, 0],
      ],
    ];

    // Act + Assess
    expect(findShortRings({ zones: [square('ok', [5, 5], 1), zone] })).toEqual([
      problem('zones.1.boundary.coordinates.0', 'ring-positions'),
    ]);
  });
});
