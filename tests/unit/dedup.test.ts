import { describe, expect, it } from 'vitest';
import { loadDistrict } from '../../shared/district/load';
import type { Case } from '../../shared/domain/case';
import {
  isDuplicateTarget,
  isRepeatTarget,
  judgeDuplicates,
  scoreDuplicate,
  textSimilarity,
} from '../../shared/domain/dedup';
import { indexDistrict } from '../../shared/domain/district-index';
import { distanceMetres } from '../../shared/domain/geo';
import { cellsWithin, geohash, geohashBounds } from '../../shared/domain/geohash';
import { normalizeAddress, premisesIdOf } from '../../shared/domain/premises';

const district = indexDistrict(loadDistrict('districts/sandun.json'));
const settings = district.config.dedup;
const HERE = { lat: 30.2905, lng: 120.0851 };
const north = (metres: number) => metres / 111_195;

const facts = (overrides: Partial<Case> = {}): Case =>
  ({
    id: 'C-a',
    category: 'event.household-workshop',
    location: { ...HERE, crs: 'wgs84', reported: { ...HERE, crs: 'wgs84' } },
    reportedAt: '2026-11-30T01:10:00.000Z',
    description: '邻居反映楼下有人开家庭作坊生产，噪音和异味很大',
    status: 'registered',
    ...overrides,
  }) as Case;

/** Another report of the same facts, `metres` due north of the first (as pinned on the map). */
const northOfHere = (metres: number, overrides: Partial<Case> = {}): Case =>
  facts({
    id: 'C-b',
    location: {
      lat: HERE.lat + north(metres),
      lng: HERE.lng,
      crs: 'wgs84',
      reported: { ...HERE, crs: 'wgs84' },
    },
    ...overrides,
  });

describe('scoreDuplicate', () => {
  it('scores the same category 40 m away half an hour later above the auto threshold', () => {
    const patrol = northOfHere(40, {
      reportedAt: '2026-11-30T01:40:00.000Z',
      description: '巡查发现民房内疑似无证加工点',
    });
    const result = scoreDuplicate(patrol, facts(), district, settings);
    expect(result.distanceMetres).toBe(40);
    expect(result.score).toBeGreaterThanOrEqual(settings.autoMergeScore);
  });

  it('fades with distance and is zero beyond the radius, whatever the words', () => {
    const at = (metres: number) => scoreDuplicate(northOfHere(metres), facts(), district, settings).score;
    expect(at(10)).toBeGreaterThan(at(70));
    expect(at(70)).toBeGreaterThan(at(95));
    expect(at(150)).toBe(0);
  });

  it('treats the same external ticket as the same event', () => {
    const ref = { system: '12345', id: 'T-1' };
    const result = scoreDuplicate(
      facts({ id: 'C-b', externalRef: ref, category: 'event.dispute', description: '完全不同' }),
      facts({ externalRef: ref }),
      district,
      settings,
    );
    expect(result.score).toBe(1);
  });

  it('still knows the same external ticket beyond the radius, where it leaves the words uncompared', () => {
    const ref = { system: '12345', id: 'T-1' };
    const far = (overrides: Partial<Case>) =>
      scoreDuplicate(northOfHere(300, overrides), facts({ externalRef: ref }), district, settings);
    expect(far({ externalRef: ref }).score).toBe(1);
    const sameWords = far({});
    expect(sameWords.score).toBe(0);
    expect(sameWords.parts.text).toBe(0);
  });

  it('gives another category of the same group less than the same category', () => {
    const same = scoreDuplicate(facts({ id: 'C-b' }), facts(), district, settings).score;
    const other = scoreDuplicate(
      facts({ id: 'C-b', category: 'event.unlicensed-business', description: '小店无照经营' }),
      facts(),
      district,
      settings,
    ).score;
    expect(other).toBeLessThan(same);
    expect(other).toBeLessThan(settings.autoMergeScore);
  });
});

describe('judgeDuplicates', () => {
  it('picks the best target, the older case on a tie, and never an unregistered report or a merged case', () => {
    const report = facts({ id: 'C-new', reportedAt: '2026-11-30T02:00:00.000Z' });
    const older = facts({ id: 'C-old', reportedAt: '2026-11-30T01:00:00.000Z' });
    const newer = facts({ id: 'C-newer', reportedAt: '2026-11-30T01:00:00.000Z' });
    const unrouted = facts({ id: 'C-reported', status: 'reported' });
    const merged = facts({ id: 'C-merged', status: 'merged' });
    const verdict = judgeDuplicates(
      report,
      [newer, unrouted, merged, older],
      district,
      settings,
      report.reportedAt,
    );
    expect(verdict.decision).toBe('merge');
    expect(verdict.flagged.map((f) => f.caseId).sort()).toEqual(['C-newer', 'C-old']);
    expect(['C-old', 'C-newer']).toContain(verdict.best?.case.id);
  });

  it('never merges into a closed case: a repeat soon after closure is linked, a later one is new', () => {
    const closed = facts({ id: 'C-closed', status: 'closed', closedAt: '2026-11-29T00:00:00.000Z' });
    expect(isDuplicateTarget(closed)).toBe(false);
    expect(isRepeatTarget(closed, '2026-11-29T12:00:00.000Z', settings)).toBe(true);
    expect(isRepeatTarget(closed, '2026-11-30T12:00:00.000Z', settings)).toBe(false);

    // First reported days before the closure: the repeat's time counts from the closure.
    const old = { ...closed, reportedAt: '2026-11-26T00:00:00.000Z' };
    const report = facts({ id: 'C-again', reportedAt: '2026-11-29T10:00:00.000Z' });
    const soon = judgeDuplicates(report, [old], district, settings, report.reportedAt);
    expect(soon.decision).toBe('none');
    expect(soon.repeatOf?.case.id).toBe('C-closed');
    const late = judgeDuplicates(report, [old], district, settings, '2026-11-30T12:00:00.000Z');
    expect(late.repeatOf).toBeUndefined();
  });

  it('does not judge a case the report was already refused by', () => {
    const report = facts({ id: 'C-new' });
    const target = facts({ id: 'C-target' });
    expect(judgeDuplicates(report, [target], district, settings, report.reportedAt).decision).toBe('merge');
    const again = judgeDuplicates(
      report,
      [target],
      district,
      settings,
      report.reportedAt,
      new Set(['C-target']),
    );
    expect(again.decision).toBe('none');
  });

  it('still links a report to the case that refused it for being closed meanwhile', () => {
    const report = facts({ id: 'C-new' });
    const closedSince = facts({ id: 'C-target', status: 'closed', closedAt: report.reportedAt });
    const verdict = judgeDuplicates(
      report,
      [closedSince],
      district,
      settings,
      report.reportedAt,
      new Set(['C-target']),
    );
    expect(verdict.decision).toBe('none');
    expect(verdict.repeatOf?.case.id).toBe('C-target');
  });
});

describe('text similarity', () => {
  it('is 1 for the same text, 0 for nothing in common, and ignores punctuation and width', () => {
    expect(textSimilarity('污水外溢', '污水外溢！')).toBe(1);
    expect(textSimilarity('污水外溢', '路灯不亮')).toBe(0);
    expect(textSimilarity('ＡＢＣ', 'abc')).toBe(1);
  });
});

describe('geohash cells', () => {
  it('encodes a known point and decodes to bounds around it', () => {
    expect(geohash({ lat: 57.64911, lng: 10.40744 }, 11)).toBe('u4pruydqqvj');
    const bounds = geohashBounds(geohash(HERE));
    expect(bounds.latMin).toBeLessThanOrEqual(HERE.lat);
    expect(bounds.lngMax).toBeGreaterThanOrEqual(HERE.lng);
  });

  it('covers every point within the radius with the cells it returns', () => {
    const cells = new Set(cellsWithin(HERE, 100));
    expect(cells.size).toBeGreaterThanOrEqual(1);
    expect(cells.size).toBeLessThanOrEqual(9);
    for (let i = 0; i < 200; i++) {
      const angle = (i / 200) * 2 * Math.PI;
      const metres = 100 * Math.sqrt((i % 10) / 9);
      const point = {
        lat: HERE.lat + north(metres * Math.sin(angle)),
        lng: HERE.lng + north(metres * Math.cos(angle)) / Math.cos((HERE.lat * Math.PI) / 180),
      };
      expect(distanceMetres(point, HERE)).toBeLessThanOrEqual(100.5);
      expect(cells.has(geohash(point))).toBe(true);
    }
    expect(cellsWithin(HERE, 400).length).toBeGreaterThan(9);
  });

  it('leaves out the corner cells the circle misses, and still covers its whole edge, anywhere', () => {
    let seed = 7;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed / 2_147_483_648;
    };
    for (let n = 0; n < 300; n++) {
      const centre = { lat: 30.25 + random() * 0.1, lng: 120.0 + random() * 0.15 };
      const radius = [50, 100, 400][n % 3]!;
      const cells = cellsWithin(centre, radius);
      for (let i = 0; i < 72; i++) {
        const angle = (i / 72) * 2 * Math.PI;
        const edge = {
          lat: centre.lat + north(radius * 0.999 * Math.sin(angle)),
          lng: centre.lng + north(radius * 0.999 * Math.cos(angle)) / Math.cos((centre.lat * Math.PI) / 180),
        };
        expect(cells).toContain(geohash(edge));
      }
      for (const cell of cells) {
        const b = geohashBounds(cell);
        const nearest = {
          lat: Math.min(Math.max(centre.lat, b.latMin), b.latMax),
          lng: Math.min(Math.max(centre.lng, b.lngMin), b.lngMax),
        };
        expect(distanceMetres(nearest, centre)).toBeLessThanOrEqual(radius + 2);
      }
    }
  });
});

describe('premises', () => {
  it('treats differently typed forms of one address as one premises', () => {
    expect(normalizeAddress('浙江省杭州市西湖区三墩镇 古墩路 1185 號')).toBe(
      normalizeAddress('古墩路１１８５号'),
    );
    const a = premisesIdOf({ location: { ...HERE, address: '古墩路 1185 号' } });
    const b = premisesIdOf({ location: { lat: HERE.lat + 0.01, lng: HERE.lng, address: '古墩路1185號' } });
    expect(a).toBe(b);
    expect(a.startsWith('P-addr-')).toBe(true);
  });

  it('prefers a department’s premises id, and falls back to a small cell without a house number', () => {
    expect(premisesIdOf({ premisesId: 'LIC-330106-001', location: HERE }).startsWith('P-ref-')).toBe(true);
    expect(premisesIdOf({ location: { ...HERE, address: '古墩路' } })).toBe(`P-cell-${geohash(HERE, 8)}`);
  });
});
