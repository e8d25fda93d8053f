import { type SpawnSyncReturns, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import type { DistrictSchemas } from '../../shared/district/schema';

/** A district file as written, before defaults are applied. */
type DistrictDocument = z.input<DistrictSchemas['DistrictConfig']>;

const root = fileURLToPath(new URL('../..', import.meta.url));
const tsx = join(root, 'node_modules/.bin/tsx');

/** Runs `district …` as the operator would, from the repository root. */
const district = (...args: string[]): SpawnSyncReturns<string> =>
  spawnSync(tsx, ['infra/cli/district.ts', ...args], { cwd: root, encoding: 'utf8' });

let workDir: string;
beforeAll(() => {
  workDir = mkdtempSync(join(tmpdir(), 'xietong-district-cli-'));
  // The shipped files extend the standard catalogue, which must sit beside them.
  copyFileSync(join(root, 'districts/catalogue.json'), join(workDir, 'catalogue.json'));
});
afterAll(() => {
  rmSync(workDir, { recursive: true, force: true });
});

const writeFixture = (name: string, content: string): string => {
  const file = join(workDir, name);
  writeFileSync(file, content);
  return file;
};

/** The shipped Sandun file with one change applied. */
const sandunWith = (name: string, change: (document: DistrictDocument) => void): string => {
  const document: DistrictDocument = JSON.parse(readFileSync(join(root, 'districts/sandun.json'), 'utf8'));
  change(document);
  return writeFixture(name, JSON.stringify(document));
};

describe('npm run district -- validate', () => {
  it('prints a summary line per valid file and exits 0', () => {
    // Act
    const result = district('validate', 'districts/sandun.json', 'districts/liangzhu.json');

    // Assess
    expect(result.status).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(
      /^✓ districts\/sandun\.json: 三墩镇 Sandun Town — 8 departments, 8 zones, \d+ categories, 3 escalation levels$/m,
    );
    expect(result.stdout).toMatch(
      /^✓ districts\/liangzhu\.json: 良渚街道 .* 6 zones, \d+ categories, 2 escalation levels$/m,
    );
  });

  it('names the file, path and rule of each schema problem on stderr and exits 1', () => {
    // Prepare
    const file = sandunWith('unknown-lead.json', (document) => {
      document.categories[2]!.lead = 'sanitation';
      document.zones[3]!.boundary.coordinates[0]!.pop();
    });

    // Act
    const result = district('validate', file);

    // Assess
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(file);
    expect(result.stderr).toContain('categories.2.lead: unknown department "sanitation" [custom]');
    expect(result.stderr).toContain('zones.3.boundary.coordinates.0: a GeoJSON ring must be closed');
  });

  it('refuses overlapping zones that the schema accepts', () => {
    // Prepare
    const file = sandunWith('overlap.json', (document) => {
      document.zones[1]!.boundary = document.zones[0]!.boundary;
    });

    // Act
    const result = district('validate', file);

    // Assess
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(file);
    expect(result.stderr).toMatch(
      /zones\.1\.boundary: zone ".*" overlaps zone ".*" \(zones\.0\).*\[zone-overlap\]/,
    );
  });

  it('reports a file that is not JSON with rule "json"', () => {
    // Prepare
    const file = writeFixture('not-json.json', 'id: sandun\n');

    // Act
    const result = district('validate', file);

    // Assess
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(file);
    expect(result.stderr).toContain('[json]');
  });

  it('checks every file and exits 1 when any of them is invalid', () => {
    // Prepare
    const broken = writeFixture('broken.json', '{}');

    // Act
    const result = district('validate', broken, 'districts/liangzhu.json');

    // Assess
    expect(result.status).toBe(1);
    expect(result.stdout).toContain('✓ districts/liangzhu.json');
    expect(result.stderr).toContain(broken);
    expect(result.stderr).toMatch(/timezone: .*\[invalid_type\]/);
  });

  describe('a borrowed calibration set (triage.calibrationSet)', () => {
    /** The shipped Liangzhu file under another name, naming `set`, with the given files beside it. */
    const liangzhuNaming = (name: string, set: string, beside: Record<string, string> = {}): string => {
      const document = JSON.parse(readFileSync(join(root, 'districts/liangzhu.json'), 'utf8'));
      document.triage = { calibrationSet: set };
      for (const [file, content] of Object.entries(beside)) writeFixture(file, content);
      return writeFixture(`${name}.json`, JSON.stringify(document));
    };
    const sandunSet = readFileSync(join(root, 'districts/sandun.calibration.json'), 'utf8');

    it('is checked beside the district file: there, of the district its name says, sharing a category', () => {
      // Prepare
      const missing = liangzhuNaming('lz-missing', 'nowhere.calibration.json');
      const foreign = liangzhuNaming('lz-foreign', 'other.calibration.json', {
        'other.calibration.json': sandunSet,
      });
      const unshared = liangzhuNaming('lz-unshared', 'far.calibration.json', {
        'far.calibration.json': JSON.stringify({
          district: 'far',
          examples: [{ text: '某处有情况', category: 'event.not-in-liangzhu' }],
        }),
      });
      const badName = liangzhuNaming('lz-bad-name', '../sandun.calibration.json');

      // Act
      const result = district('validate', missing, foreign, unshared, badName);

      // Assess
      expect(result.status).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(
        /lz-missing\.json[\s\S]*triage\.calibrationSet: no calibration set at .*\[missing\]/,
      );
      expect(result.stderr).toMatch(
        /triage\.calibrationSet: .* holds reports of "sandun", not "other" \[district_mismatch\]/,
      );
      expect(result.stderr).toMatch(
        /triage\.calibrationSet: no report of .* "liangzhu" \[no_shared_category\]/,
      );
      expect(result.stderr).toMatch(
        /triage\.calibrationSet: another district’s calibration set beside the district file/,
      );
    });

    it('is refused when the district has a calibration set of its own', () => {
      // Prepare: one district, one set.
      const file = liangzhuNaming('lz-own', 'sandun.calibration.json', {
        'sandun.calibration.json': sandunSet,
        'lz-own.calibration.json': sandunSet,
      });

      // Act
      const result = district('validate', file);

      // Assess
      expect(result.status).toBe(1);
      expect(result.stderr).toMatch(
        /triage\.calibrationSet: the district has its own calibration set .*\[own_calibration_set\]/,
      );
    });

    it('passes when it is there and shares categories', () => {
      // Prepare
      const file = liangzhuNaming('lz-borrows', 'sandun.calibration.json', {
        'sandun.calibration.json': sandunSet,
      });

      // Act
      const result = district('validate', file);

      // Assess
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
    });
  });

  it.each([
    ['no sub-command', []],
    ['an unknown sub-command', ['check', 'districts/sandun.json']],
    ['validate without files', ['validate']],
  ])('prints usage and exits 2 for %s', (_, args) => {
    // Act
    const result = district(...args);

    // Assess
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('usage: npm run district -- validate FILE');
  });
});
