import { describe, expect, it } from 'vitest';
import { jsonText, writeJsonPieces } from '../../shared/http/json-pieces';

// JSON made in pieces must be exactly JSON.stringify's text, whatever the data's shape.

const samples: Record<string, unknown> = {
  'a page of cases': {
    items: Array.from({ length: 60 }, (_, i) => ({
      id: `C${i}`,
      description: `第${i}号上报：小广告贴在电线杆上 "quoted" \\ back\nline`,
      location: { lat: 30.29 + i / 1000, lng: 120.08, crs: 'wgs84' },
      timeline: [{ at: '2026-12-07T10:00:00.000Z', actor: { name: '值班员' }, details: { score: 0.5 } }],
      skipped: undefined,
      nothing: null,
    })),
    cursor: 'abc',
  },
  'holes in arrays and objects': {
    list: [1, undefined, () => 1, Symbol('s'), null, 'x', [undefined, { a: undefined, b: 2 }]],
    fn: () => 1,
    sym: Symbol('s'),
    nested: { deeper: { deepest: { value: [1, 2, { x: 'y' }] } } },
  },
  'values with toJSON': { at: new Date(0), items: [new Date(1), { toJSON: () => 'custom' }] },
  'special numbers and keys': {
    'key "with" quotes': Number.NaN,
    '\u2028': Number.POSITIVE_INFINITY,
    n: -0,
    e: 1e21,
    '': true,
  },
  'a bare array': [1, 'two', { three: 3 }, [4]],
  'a bare string': 'just "text" 中文',
  'a number': 42,
  null: null,
  'an empty object': {},
  'an empty array': [],
};

describe('JSON made in pieces', () => {
  for (const [name, value] of Object.entries(samples)) {
    it(`is JSON.stringify's text for ${name}, at every depth`, () => {
      for (const depth of [0, 1, 2, 3, 6]) {
        const pieces: string[] = [];
        writeJsonPieces(value, depth, (piece) => pieces.push(piece));
        expect(pieces.join('')).toBe(JSON.stringify(value));
      }
      expect(jsonText(value)).toBe(JSON.stringify(value));
    });
  }

  it('takes a long page apart into pieces far shorter than the whole', () => {
    const pieces: string[] = [];
    writeJsonPieces(samples['a page of cases'], 3, (piece) => pieces.push(piece));
    const longest = Math.max(...pieces.map((p) => p.length));
    expect(longest).toBeLessThan(JSON.stringify(samples['a page of cases']).length / 20);
  });
});
