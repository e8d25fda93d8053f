import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../shared/domain/canonical-json';
import type { Actor, TimelineEntry } from '../../shared/domain/case';
import {
  appendToTimeline,
  GENESIS_HASH,
  type NewTimelineEntry,
  verifyTimeline,
} from '../../shared/domain/timeline';

const CENTRE: Actor = { subject: 'cc-1', role: 'command_centre' };
const STAFF: Actor = { subject: 'mr-1', role: 'department_staff', department: 'market-regulation' };

const STEPS: NewTimelineEntry[] = [
  {
    at: '2024-05-01T08:00:00.000Z',
    action: 'reported',
    actor: { subject: 'c-1', role: 'reporter' },
    to: 'reported',
  },
  {
    at: '2024-05-01T08:01:00.000Z',
    action: 'registered',
    actor: { subject: 'system:router', role: 'system' },
    from: 'reported',
    to: 'registered',
    details: { zone: 'zijingang', cooperating: ['fire', 'police'] },
  },
  {
    at: '2024-05-01T08:02:00.000Z',
    action: 'dispatched',
    actor: CENTRE,
    from: 'registered',
    to: 'dispatched',
    details: { department: 'market-regulation' },
  },
  {
    at: '2024-05-01T08:03:00.000Z',
    action: 'returned',
    actor: STAFF,
    from: 'dispatched',
    to: 'registered',
    reason: 'a fire matter',
  },
  {
    at: '2024-05-01T08:04:00.000Z',
    action: 'dispatched',
    actor: CENTRE,
    from: 'registered',
    to: 'dispatched',
    details: { department: 'fire' },
  },
];

const build = (steps: NewTimelineEntry[] = STEPS): TimelineEntry[] =>
  steps.reduce<TimelineEntry[]>((timeline, step) => appendToTimeline(timeline, step), []);

const deepFreeze = <T>(value: T): T => {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
};

describe('appendToTimeline', () => {
  it('numbers entries from 1 and chains each to the one before, starting at the genesis hash', () => {
    // Act
    const timeline = build();

    // Assess
    expect(timeline.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(timeline[0]!.prevHash).toBe(GENESIS_HASH);
    expect(GENESIS_HASH).toMatch(/^0{64}$/);
    for (let i = 1; i < timeline.length; i++) expect(timeline[i]!.prevHash).toBe(timeline[i - 1]!.hash);
    for (const entry of timeline) expect(entry.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(new Set(timeline.map((e) => e.hash)).size).toBe(timeline.length);
  });

  it('never mutates the timeline or the entry it is given', () => {
    // Prepare
    const timeline = deepFreeze(build(STEPS.slice(0, 3)));
    const entry = deepFreeze({ ...STEPS[3]! });
    const before = structuredClone(timeline);

    // Act
    const next = appendToTimeline(timeline, entry);

    // Assess
    expect(timeline).toEqual(before);
    expect(timeline).toHaveLength(3);
    expect(next).not.toBe(timeline);
    expect(next).toHaveLength(4);
    expect(next.slice(0, 3)).toEqual(before);
    expect(next[3]).toMatchObject({ ...STEPS[3], seq: 4, prevHash: before[2]!.hash });
  });

  it('is deterministic: the same steps give the same hashes', () => {
    // Act & Assess
    expect(build().map((e) => e.hash)).toEqual(build().map((e) => e.hash));
  });
});

describe('verifyTimeline', () => {
  it('accepts an intact chain and an empty one', () => {
    // Act & Assess
    expect(verifyTimeline(build())).toEqual({ intact: true });
    expect(verifyTimeline([])).toEqual({ intact: true });
  });

  it('survives a JSON round trip (as after storage)', () => {
    // Prepare
    const stored = JSON.parse(JSON.stringify(build())) as TimelineEntry[];

    // Act & Assess
    expect(verifyTimeline(stored)).toEqual({ intact: true });
  });

  it('detects an edited reason at that entry', () => {
    // Prepare
    const timeline = build();
    timeline[3] = { ...timeline[3]!, reason: 'it was never ours' };

    // Act & Assess
    expect(verifyTimeline(timeline)).toEqual({ intact: false, brokenAt: 4 });
  });

  it('detects an edit whose hash was recomputed, at the following entry', () => {
    // Prepare: the forger rewrites entry 2 and its hash, but entry 3 still links to the old hash
    const timeline = build();
    const forged = appendToTimeline(timeline.slice(0, 1), {
      ...STEPS[1]!,
      details: { zone: 'gudun', cooperating: [] },
    })[1]!;
    timeline[1] = forged;

    // Act & Assess
    expect(verifyTimeline(timeline)).toEqual({ intact: false, brokenAt: 3 });
  });

  it('detects an edited actor or details', () => {
    // Prepare
    const actorEdited = build();
    actorEdited[2] = { ...actorEdited[2]!, actor: { ...CENTRE, subject: 'someone-else' } };
    const detailsEdited = build();
    detailsEdited[1] = { ...detailsEdited[1]!, details: { zone: 'zijingang', cooperating: ['fire'] } };

    // Act & Assess
    expect(verifyTimeline(actorEdited)).toEqual({ intact: false, brokenAt: 3 });
    expect(verifyTimeline(detailsEdited)).toEqual({ intact: false, brokenAt: 2 });
  });

  it('detects a removed entry where it was', () => {
    // Prepare
    const timeline = build();
    timeline.splice(2, 1);

    // Act & Assess
    expect(verifyTimeline(timeline)).toEqual({ intact: false, brokenAt: 3 });
  });

  it('detects a removed first entry', () => {
    // Prepare
    const timeline = build().slice(1);

    // Act & Assess
    expect(verifyTimeline(timeline)).toEqual({ intact: false, brokenAt: 1 });
  });

  it('detects two reordered entries at the first of them', () => {
    // Prepare
    const timeline = build();
    [timeline[2], timeline[3]] = [timeline[3]!, timeline[2]!];

    // Act & Assess
    expect(verifyTimeline(timeline)).toEqual({ intact: false, brokenAt: 3 });
  });

  it('detects a reordering even when the seq numbers are rewritten to look right', () => {
    // Prepare
    const timeline = build();
    const third = timeline[2]!;
    const fourth = timeline[3]!;
    timeline[2] = { ...fourth, seq: 3 };
    timeline[3] = { ...third, seq: 4 };

    // Act & Assess
    expect(verifyTimeline(timeline)).toEqual({ intact: false, brokenAt: 3 });
  });

  it('detects a changed seq at that entry', () => {
    // Prepare
    const timeline = build();
    timeline[4] = { ...timeline[4]!, seq: 9 };

    // Act & Assess
    expect(verifyTimeline(timeline)).toEqual({ intact: false, brokenAt: 5 });
  });

  it('detects a changed prevHash', () => {
    // Prepare
    const timeline = build();
    timeline[0] = { ...timeline[0]!, prevHash: 'f'.repeat(64) };

    // Act & Assess
    expect(verifyTimeline(timeline)).toEqual({ intact: false, brokenAt: 1 });
  });
});

describe('canonicalJson', () => {
  it('is independent of key order, at every depth', () => {
    // Prepare
    const a = { b: 1, a: { y: [1, { q: 2, p: 3 }], x: 'x' } };
    const b = { a: { x: 'x', y: [1, { p: 3, q: 2 }] }, b: 1 };

    // Act
    const text = canonicalJson(a);

    // Assess
    expect(text).toBe(canonicalJson(b));
    expect(text).toBe('{"a":{"x":"x","y":[1,{"p":3,"q":2}]},"b":1}');
  });

  it('keeps array order', () => {
    // Act & Assess
    expect(canonicalJson([1, 2])).not.toBe(canonicalJson([2, 1]));
  });

  it('drops undefined properties like JSON.stringify does', () => {
    // Prepare
    const withUndefined = { a: 1, b: undefined, c: { d: undefined, e: null } };

    // Act
    const text = canonicalJson(withUndefined);

    // Assess
    expect(text).toBe('{"a":1,"c":{"e":null}}');
    expect(text).toBe(canonicalJson({ c: { e: null }, a: 1 }));
  });

  it('serialises primitives and escapes keys and strings as JSON', () => {
    // Act & Assess
    expect(canonicalJson('三墩 "x"')).toBe('"三墩 \\"x\\""');
    expect(canonicalJson(null)).toBe('null');
    expect(canonicalJson(true)).toBe('true');
    expect(canonicalJson(1.5)).toBe('1.5');
    expect(canonicalJson({ 'k"': 1 })).toBe('{"k\\"":1}');
    expect(JSON.parse(canonicalJson({ z: [1, 'a'], y: { x: false } }))).toEqual({
      z: [1, 'a'],
      y: { x: false },
    });
  });
});
