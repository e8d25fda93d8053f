import { describe, expect, it } from 'vitest';
import { loadDistrict, parseDistrict } from '../../shared/district/load';
import { wallClock, workingHoursClock } from '../../shared/domain/calendar';

const sandun = loadDistrict('districts/sandun.json');
const calendar = sandun.calendar!;
const clock = workingHoursClock(calendar, 'Asia/Shanghai');
/** Beijing time, written as people read it. */
const bj = (local: string) => new Date(`${local}+08:00`).toISOString();

describe('working hours (Sandun: Mon–Fri 08:30–12:00, 13:30–17:30, Asia/Shanghai)', () => {
  it('skips the lunch break', () => {
    expect(clock.add(bj('2026-11-26T11:30:00'), 60)).toBe(bj('2026-11-26T14:00:00'));
  });

  it('carries over a weekend: Friday 16:30 + 2 h is Monday 09:30', () => {
    expect(clock.add(bj('2026-11-27T16:30:00'), 120)).toBe(bj('2026-11-30T09:30:00'));
    expect(clock.between(bj('2026-11-27T16:30:00'), bj('2026-11-30T09:30:00'))).toBe(120);
  });

  it('skips a holiday: Thursday 17:00 + 1 h before Mid-Autumn (Fri 25 – Sun 27 Sep) is Monday 09:00', () => {
    expect(clock.add(bj('2026-09-24T17:00:00'), 60)).toBe(bj('2026-09-28T09:00:00'));
  });

  it('works a make-up Saturday (调休): Friday 9 Oct 17:00 + 1 h is Saturday 10 Oct 09:00', () => {
    expect(clock.add(bj('2026-10-09T17:00:00'), 60)).toBe(bj('2026-10-10T09:00:00'));
  });

  it('starts counting at the next opening when started outside hours', () => {
    expect(clock.add(bj('2026-11-28T22:00:00'), 30)).toBe(bj('2026-11-30T09:00:00'));
    expect(clock.between(bj('2026-11-28T22:00:00'), bj('2026-11-29T23:00:00'))).toBe(0);
  });

  it('measures what it adds, across weeks and a golden week', () => {
    const from = bj('2026-09-21T10:17:00');
    for (const minutes of [1, 59, 450, 3 * 450, 10 * 450 + 7]) {
      expect(clock.between(from, clock.add(from, minutes))).toBeCloseTo(minutes, 6);
    }
  });

  it('leaves the wall clock alone', () => {
    expect(wallClock.add(bj('2026-11-27T16:30:00'), 120)).toBe(bj('2026-11-27T18:30:00'));
  });
});

describe('district calendar and ladder validation', () => {
  const withChanges = (change: (d: Record<string, unknown>) => void) => {
    const document = structuredClone(JSON.parse(JSON.stringify(sandun))) as Record<string, unknown>;
    change(document);
    return () => parseDistrict(document, 'districts/test.json');
  };

  it('refuses overlapping or reversed working periods, a holiday that is also a working day, an unknown timezone', () => {
    expect(
      withChanges((d) => {
        (d.calendar as { hours: unknown }).hours = [
          { start: '08:30', end: '12:00' },
          { start: '11:00', end: '10:00' },
        ];
        (d.calendar as { extraWorkingDays: string[] }).extraWorkingDays = ['2026-10-01'];
        d.timezone = 'Asia/Atlantis';
      }),
    ).toThrow(
      /calendar\.hours\.1\.end: a period must end after it starts[\s\S]*calendar\.hours\.1\.start: periods must be in order[\s\S]*calendar\.extraWorkingDays\.0: "2026-10-01" is also listed as a holiday[\s\S]*timezone: unknown IANA timezone/,
    );
  });

  it('refuses working-hours categories without a calendar, a town leader nobody names, a repeat before the last level', () => {
    expect(
      withChanges((d) => {
        delete d.calendar;
        delete d.townLeader;
        (d.categories as { workingHours?: boolean }[])[0]!.workingHours = true;
        const ladder = d.escalation as { repeat?: unknown }[];
        ladder[0]!.repeat = { everyMinutes: 30, times: 2 };
      }),
    ).toThrow(
      /categories\.0\.workingHours: working-hours deadlines need the district calendar[\s\S]*escalation\.0\.repeat: only the last level may repeat[\s\S]*escalation\.2\.notify: the ladder notifies the town leader/,
    );
  });

  it('refuses a ladder out of order', () => {
    expect(
      withChanges((d) => {
        (d.escalation as { afterMinutes: number }[])[2]!.afterMinutes = 30;
      }),
    ).toThrow(/escalation\.2\.afterMinutes: each level must come later than the one before/);
  });
});
