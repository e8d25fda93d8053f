import type { DistrictConfig, EscalationLevel } from '../district/schema';
import type { Actor, Case, DeadlineKind, EscalationState } from './case';
import { clockOfDeadlines, runningDeadline } from './deadlines';
import { appendToTimeline } from './timeline';

/**
 * The escalation ladder (督办): once the running deadline is missed, each level is reached a set
 * time after it (in the deadline's own clock: working hours for working-hours categories), and the
 * last level may remind again a few times. Pure: the timer's check and the manual command both
 * call in here, and both record one timeline entry per step reached.
 */

export const SYSTEM_TIMER: Actor = {
  subject: 'system:timer',
  role: 'system',
  name: 'xietong deadline timer',
};

/** A timer never sleeps longer than this: a weekly look also bounds every wait (and local timers). */
export const MAX_TIMER_SLEEP_MINUTES = 7 * 24 * 60;

type District = Pick<DistrictConfig, 'escalation' | 'calendar' | 'timezone'>;

/** One step of the ladder: a level, or a reminder at the last level. */
export interface LadderStep {
  /** 1-based position among all steps. */
  index: number;
  level: EscalationLevel;
  /** 0 for reaching the level, n for its n-th reminder. */
  repeat: number;
  at: string;
}

/** The steps of the ladder for the deadline that runs now, in order; none when no deadline runs. */
export const ladderFor = (c: Case, district: District): LadderStep[] => {
  const running = runningDeadline(c);
  if (!running) return [];
  const clock = clockOfDeadlines(c.deadlines, district);
  const steps: LadderStep[] = district.escalation.map((level, i) => ({
    index: i + 1,
    level,
    repeat: 0,
    at: clock.add(running.at, level.afterMinutes),
  }));
  const last = district.escalation[district.escalation.length - 1];
  if (last?.repeat) {
    for (let n = 1; n <= last.repeat.times; n++) {
      steps.push({
        index: steps.length + 1,
        level: last,
        repeat: n,
        at: clock.add(running.at, last.afterMinutes + n * last.repeat.everyMinutes),
      });
    }
  }
  return steps;
};

/** How many steps the case has taken for the deadline that runs now. */
export const stepsTaken = (c: Case): number => {
  const running = runningDeadline(c);
  if (!running || !c.escalation || c.escalation.deadline !== running.kind) return 0;
  return c.escalation.level + c.escalation.repeats;
};

/** The timer's identity: the deadlines' version and which of them runs. Changes supersede the timer. */
export interface TimerKey {
  caseId: string;
  schedule: number;
  deadline: DeadlineKind;
}

export const timerKeyOf = (c: Case): TimerKey | undefined => {
  const running = runningDeadline(c);
  if (!running || !c.deadlines) return undefined;
  return { caseId: c.id, schedule: c.deadlines.schedule ?? 0, deadline: running.kind };
};

export const sameTimer = (a: TimerKey | undefined, b: TimerKey | undefined): boolean =>
  a !== undefined &&
  b !== undefined &&
  a.caseId === b.caseId &&
  a.schedule === b.schedule &&
  a.deadline === b.deadline;

/** Deterministic execution name: a retried start is refused as already existing, never a second timer. */
export const timerName = (key: TimerKey): string => `${key.caseId}-${key.schedule}-${key.deadline}`;

/**
 * When the timer must look at the case next: the next step of the ladder, at most a week ahead;
 * undefined when no deadline runs or the ladder is done (the timer stops).
 */
export const nextWakeAt = (c: Case, district: District, now: string): string | undefined => {
  const next = ladderFor(c, district)[stepsTaken(c)];
  if (!next) return undefined;
  const cap = Date.parse(now) + MAX_TIMER_SLEEP_MINUTES * 60_000;
  return Date.parse(next.at) > cap ? new Date(cap).toISOString() : next.at;
};

const escalationEntry = (
  c: Case,
  step: LadderStep,
  deadline: DeadlineKind,
  dueAt: string,
  ctx: { actor: Actor; now: string; reason?: string; correlationId?: string },
): Case => {
  const escalation: EscalationState = {
    deadline,
    level: step.level.level,
    repeats: step.repeat,
    lastEscalatedAt: ctx.now,
  };
  return {
    ...c,
    escalation,
    version: c.version,
    updatedAt: ctx.now,
    timeline: appendToTimeline(c.timeline, {
      at: ctx.now,
      action: 'escalated',
      actor: ctx.actor,
      from: c.status,
      to: c.status,
      ...(ctx.reason !== undefined && { reason: ctx.reason }),
      details: {
        deadline,
        dueAt,
        level: step.level.level,
        levelName: step.level.name.zh,
        notify: step.level.notify,
        ...(step.repeat > 0 && { repeat: step.repeat }),
        scheduledAt: step.at,
        manual: ctx.actor.role !== 'system',
      },
      ...(ctx.correlationId !== undefined && { correlationId: ctx.correlationId }),
    }),
  };
};

/**
 * The timer's check: every step whose time has come and that the case has not taken yet, in
 * order, one timeline entry each (a platform that was down through two levels reaches both).
 * Returns undefined when there is nothing to do, e.g. the case was accepted or closed meanwhile.
 */
export const escalateOverdue = (
  c: Case,
  district: District,
  ctx: { now: string; correlationId?: string },
): Case | undefined => {
  const running = runningDeadline(c);
  if (!running) return undefined;
  const due = ladderFor(c, district).filter((step) => Date.parse(step.at) <= Date.parse(ctx.now));
  const taken = stepsTaken(c);
  if (due.length <= taken) return undefined;
  let next = c;
  for (const step of due.slice(taken)) {
    next = escalationEntry(next, step, running.kind, running.at, { ...ctx, actor: SYSTEM_TIMER });
  }
  return { ...next, version: c.version + 1 };
};

/**
 * 督办 by hand: the next level now, before its time (at the last level, one more reminder to it).
 * The timer carries on from there: it never repeats a level already reached.
 */
export const escalateByHand = (
  c: Case,
  district: District,
  ctx: { actor: Actor; now: string; reason: string; correlationId?: string },
): Case | undefined => {
  const running = runningDeadline(c);
  if (!running) return undefined;
  const taken = stepsTaken(c);
  const top = district.escalation.length;
  const last = district.escalation[top - 1] as EscalationLevel;
  const reached = taken < top ? (district.escalation[taken] as EscalationLevel) : last;
  // Past the last level a manual escalation is one more reminder of it.
  const repeat = taken < top ? 0 : taken - top + 1;
  const step: LadderStep = { index: taken + 1, level: reached, repeat, at: ctx.now };
  const next = escalationEntry(c, step, running.kind, running.at, ctx);
  return { ...next, version: c.version + 1 };
};
