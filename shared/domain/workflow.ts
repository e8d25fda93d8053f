import type { Category } from '../district/schema';
import { authorize } from './authorization';
import type { Actor, Case, CaseStatus, TimelineAction } from './case';
import { verdictOf } from './classifier/feedback';
import { clockFor, clockOfDeadlines, deadlinesFrom, reworkDeadlines, runningDeadline } from './deadlines';
import type { DistrictIndex } from './district-index';
import { IllegalTransitionError, InvalidInputError } from './errors';
import { escalateByHand, sameTimer, timerKeyOf } from './escalation';
import { type RoutingDecision, responsibilityFor } from './routing';
import { appendToTimeline } from './timeline';
import { allowedFrom, type StatusBoundStep } from './transitions';

/**
 * The standard workflow (GB/T 30428): reported → registered → dispatched → accepted → handled →
 * verified → closed, with return, reassign, rework, reopen and cancel; the statuses each step may
 * start from are the table in `transitions.ts`. Every function here is pure:
 * it takes a case and returns the next one (version + 1, one more timeline entry) or throws a named error.
 */

export type CommandInput =
  | { command: 'dispatch'; department?: string; category?: string; reason?: string }
  | { command: 'accept'; note?: string }
  | { command: 'return'; reason: string }
  | { command: 'progress'; note: string }
  | { command: 'resolve'; result: string }
  | { command: 'verify'; passed: boolean; note?: string }
  | { command: 'close'; note?: string }
  | { command: 'reopen'; reason: string }
  | { command: 'cancel'; reason: string }
  | { command: 'escalate'; reason: string }
  | { command: 'hold'; reason: string }
  | { command: 'resume'; note?: string };

export interface CommandContext {
  district: DistrictIndex;
  actor: Actor;
  /** ISO instant, injected so the domain never reads the clock. */
  now: string;
  correlationId?: string;
  /**
   * The joint visit (综合查一次) this step is taken for: the visit's own permission check stands in
   * for the case's (the joint team acts on other departments' cases), and the entry names the visit.
   */
  forJointVisit?: string;
  /**
   * A district rule takes this step, not a person (e.g. `satisfaction.reopenOnDissatisfied`): the
   * rule stands in for the permission check, and the entry names it.
   */
  byDistrictRule?: string;
}

export interface Step {
  action: TimelineAction;
  to: CaseStatus;
  reason?: string;
  note?: string;
  details?: Record<string, unknown>;
}

/** Applies a step: the status, the patch, one timeline entry, and the next version. */
export const advance = (
  c: Case,
  step: Step,
  ctx: Pick<CommandContext, 'actor' | 'now' | 'correlationId' | 'forJointVisit' | 'byDistrictRule'>,
  patch: Partial<Case> = {},
): Case => ({
  ...c,
  ...patch,
  status: step.to,
  version: c.version + 1,
  updatedAt: ctx.now,
  timeline: appendToTimeline(c.timeline, {
    at: ctx.now,
    action: step.action,
    actor: ctx.actor,
    from: c.status,
    to: step.to,
    ...(step.reason !== undefined && { reason: step.reason }),
    ...(step.note !== undefined && { note: step.note }),
    ...((step.details !== undefined ||
      ctx.forJointVisit !== undefined ||
      ctx.byDistrictRule !== undefined) && {
      details: {
        ...step.details,
        ...(ctx.forJointVisit !== undefined && { jointVisitId: ctx.forJointVisit }),
        ...(ctx.byDistrictRule !== undefined && { rule: ctx.byDistrictRule }),
      },
    }),
    ...(ctx.correlationId !== undefined && { correlationId: ctx.correlationId }),
  }),
});

const requireStatus = (c: Case, step: StatusBoundStep) => {
  if (!allowedFrom(step, c.status)) throw new IllegalTransitionError(step, c.status);
};

const requireText = (value: string | undefined, field: string, command: string): string => {
  const text = value?.trim();
  if (!text) throw new InvalidInputError(field, 'required', `${command} needs a ${field}`);
  return text;
};

const categoryOf = (
  district: DistrictIndex,
  code: string | undefined,
  field = 'category',
): Category | undefined => {
  if (code === undefined) return undefined;
  const category = district.category(code);
  if (!category)
    throw new InvalidInputError(field, 'unknown_category', `no category "${code}" in this district`);
  return category;
};

const handlingDepartment = (district: DistrictIndex, id: string): string => {
  const department = district.department(id);
  if (!department)
    throw new InvalidInputError('department', 'unknown_department', `no department "${id}" in this district`);
  if (department.kind === 'command-centre') {
    throw new InvalidInputError(
      'department',
      'not_a_handling_department',
      'the command centre coordinates; it does not handle cases',
    );
  }
  return department.id;
};

/** The router's step: 立案 with the routing decision (zone, area chief, lead, co-operating). */
export const registerReport = (
  c: Case,
  routing: RoutingDecision,
  ctx: Pick<CommandContext, 'actor' | 'now' | 'correlationId'>,
  /** More facts for the entry, e.g. the triage classifier's categorisation. */
  extraDetails: Record<string, unknown> = {},
): Case => {
  requireStatus(c, 'register');
  return advance(
    c,
    {
      action: 'registered',
      to: 'registered',
      details: {
        rule: routing.rule,
        zone: routing.zone.id,
        lead: routing.lead,
        cooperating: routing.cooperating,
        priority: routing.priority,
        triage: routing.triage,
        ...extraDetails,
      },
    },
    ctx,
    {
      zone: routing.zone,
      areaChief: routing.areaChief,
      lead: routing.lead,
      cooperating: routing.cooperating,
      priority: routing.priority,
      triage: routing.triage,
    },
  );
};

const dispatch = (
  c: Case,
  input: Extract<CommandInput, { command: 'dispatch' }>,
  ctx: CommandContext,
): Case => {
  requireStatus(c, 'dispatch');
  const recategorised = categoryOf(ctx.district, input.category);
  const category = recategorised ?? categoryOf(ctx.district, c.category);
  if (!category) {
    throw new InvalidInputError(
      'category',
      'required',
      'a case in triage needs a category before it is dispatched',
    );
  }
  const responsibility = recategorised || c.triage ? responsibilityFor(ctx.district, category) : undefined;
  const lead = responsibility?.lead ?? c.lead ?? category.lead;
  const department = handlingDepartment(ctx.district, input.department ?? lead);
  const reassigning = c.status !== 'registered';
  if (reassigning) {
    requireText(input.reason, 'reason', 'a reassignment');
    if (department === c.assignee && !recategorised) {
      throw new InvalidInputError('department', 'same_department', `the case is already with ${department}`);
    }
  }
  const patch: Partial<Case> = {
    category: category.code,
    priority: recategorised ? category.priority : c.priority,
    triage: false,
    assignee: department,
    deadlines: deadlinesFrom(category, ctx.now, clockFor(category, ctx.district.config), c.version + 1),
    dispatchedAt: ctx.now,
    ...(responsibility && { lead: responsibility.lead, cooperating: responsibility.cooperating }),
    counters: reassigning ? { ...c.counters, reassigns: c.counters.reassigns + 1 } : c.counters,
  };
  const next = advance(
    c,
    {
      action: reassigning ? 'reassigned' : 'dispatched',
      to: 'dispatched',
      ...(input.reason !== undefined && { reason: input.reason }),
      details: {
        department,
        ...(c.assignee && reassigning && { previousDepartment: c.assignee }),
        ...(recategorised && { category: category.code }),
        // A person chose the category of a report the classifier looked at: the confirmation or
        // correction goes on the timeline and becomes a labelled example (`triageFeedbackOf`).
        ...(recategorised && c.suggestions !== undefined && verdictOf(c, category.code)),
        ...patch.deadlines,
      },
    },
    ctx,
    patch,
  );
  // A reassigned case must be accepted again by its new department.
  delete next.acceptedAt;
  return next;
};

/** The router's automatic dispatch for categories where minutes matter (the district says which). */
export const autoDispatch = (c: Case, ctx: CommandContext): Case => dispatch(c, { command: 'dispatch' }, ctx);

/** Commands that leave the ladder where it is although the running deadline stops or moves. */
const KEEPS_ESCALATION: ReadonlySet<CommandInput['command']> = new Set(['escalate', 'hold', 'resume']);

/**
 * Runs one workflow command as `ctx.actor`, after checking that they may. The escalation state
 * describes the deadline that runs: when a command meets or replaces it, the state goes (the
 * timeline keeps the history); holding and resuming keep it.
 */
export const runCommand = (c: Case, input: CommandInput, ctx: CommandContext): Case => {
  const next = applyCommand(c, input, ctx);
  if (
    next.escalation &&
    !KEEPS_ESCALATION.has(input.command) &&
    !sameTimer(timerKeyOf(c), timerKeyOf(next))
  ) {
    delete next.escalation;
  }
  return next;
};

/** A held case must be resumed before its department takes, returns or finishes it. */
const HELD_REFUSES: ReadonlySet<CommandInput['command']> = new Set([
  'dispatch',
  'accept',
  'return',
  'resolve',
  'hold',
]);

const hold = (c: Case, input: Extract<CommandInput, { command: 'hold' }>, ctx: CommandContext): Case => {
  const running = runningDeadline(c);
  if (!running || !c.deadlines) throw new IllegalTransitionError('hold', c.status);
  const reason = requireText(input.reason, 'reason', 'a hold');
  const clock = clockOfDeadlines(c.deadlines, ctx.district.config);
  const remaining = {
    ...(running.kind === 'accept' && {
      acceptMinutes: Math.round(clock.between(ctx.now, c.deadlines.acceptBy)),
    }),
    handleMinutes: Math.round(clock.between(ctx.now, c.deadlines.handleBy)),
  };
  return advance(c, { action: 'held', to: c.status, reason, details: { remaining } }, ctx, {
    hold: { since: ctx.now, reason, remaining },
  });
};

const resume = (c: Case, input: Extract<CommandInput, { command: 'resume' }>, ctx: CommandContext): Case => {
  if (!c.hold || !c.deadlines) throw new IllegalTransitionError('resume', c.status);
  const clock = clockOfDeadlines(c.deadlines, ctx.district.config);
  const { remaining } = c.hold;
  const deadlines = {
    ...c.deadlines,
    ...(remaining.acceptMinutes !== undefined && { acceptBy: clock.add(ctx.now, remaining.acceptMinutes) }),
    handleBy: clock.add(ctx.now, remaining.handleMinutes),
    schedule: c.version + 1,
  };
  const next = advance(
    c,
    {
      action: 'resumed',
      to: c.status,
      ...(input.note !== undefined && { note: input.note }),
      details: { heldSince: c.hold.since, acceptBy: deadlines.acceptBy, handleBy: deadlines.handleBy },
    },
    ctx,
    { deadlines },
  );
  delete next.hold;
  return next;
};

const applyCommand = (c: Case, input: CommandInput, ctx: CommandContext): Case => {
  if (ctx.forJointVisit === undefined && ctx.byDistrictRule === undefined) {
    authorize(ctx.actor, input.command, c);
  }
  if (c.hold && HELD_REFUSES.has(input.command)) throw new IllegalTransitionError(input.command, 'on hold');
  switch (input.command) {
    case 'escalate': {
      const reason = requireText(input.reason, 'reason', 'an escalation');
      const next = escalateByHand(c, ctx.district.config, { ...ctx, reason });
      if (!next) throw new IllegalTransitionError('escalate', c.hold ? 'on hold' : c.status);
      return next;
    }
    case 'hold':
      return hold(c, input, ctx);
    case 'resume':
      return resume(c, input, ctx);
    case 'dispatch':
      return dispatch(c, input, ctx);
    case 'accept':
      requireStatus(c, 'accept');
      return advance(
        c,
        { action: 'accepted', to: 'accepted', ...(input.note && { note: input.note }) },
        ctx,
        {
          acceptedAt: ctx.now,
        },
      );
    case 'return': {
      requireStatus(c, 'return');
      const reason = requireText(input.reason, 'reason', 'a return');
      const next = advance(
        c,
        { action: 'returned', to: 'registered', reason, details: { department: c.assignee } },
        ctx,
        {
          counters: { ...c.counters, returns: c.counters.returns + 1 },
        },
      );
      delete next.assignee;
      delete next.deadlines;
      delete next.acceptedAt;
      return next;
    }
    case 'progress':
      requireStatus(c, 'progress');
      return advance(
        c,
        { action: 'progress', to: c.status, note: requireText(input.note, 'note', 'progress') },
        ctx,
      );
    case 'resolve':
      requireStatus(c, 'resolve');
      // The district may ask for proof on site: a verified photo taken after dispatch.
      if (ctx.district.config.evidence.requireAfterPhotoToResolve && !(c.evidence?.afterPhotos ?? 0)) {
        throw new InvalidInputError(
          'evidence',
          'after_photo_required',
          'this district needs at least one verified photo taken after dispatch before a case is resolved',
        );
      }
      return advance(
        c,
        { action: 'resolved', to: 'handled', note: requireText(input.result, 'result', 'resolve') },
        ctx,
        {
          handledAt: ctx.now,
        },
      );
    case 'verify': {
      requireStatus(c, 'verify');
      if (input.passed) {
        return advance(
          c,
          {
            action: 'verified',
            to: 'verified',
            ...(input.note && { note: input.note }),
            details: { passed: true },
          },
          ctx,
        );
      }
      // 返工: back to the same department, with a fresh handling period.
      const note = requireText(input.note, 'note', 'a failed verification');
      const category = categoryOf(ctx.district, c.category);
      const next = advance(c, { action: 'rework', to: 'accepted', note, details: { passed: false } }, ctx, {
        counters: { ...c.counters, reworks: c.counters.reworks + 1 },
        ...(category &&
          c.deadlines && {
            deadlines: reworkDeadlines(
              category,
              c.deadlines,
              ctx.now,
              clockFor(category, ctx.district.config),
              c.version + 1,
            ),
          }),
      });
      delete next.handledAt;
      return next;
    }
    case 'close':
      requireStatus(c, 'close');
      return advance(c, { action: 'closed', to: 'closed', ...(input.note && { note: input.note }) }, ctx, {
        closedAt: ctx.now,
      });
    case 'reopen': {
      requireStatus(c, 'reopen');
      const reason = requireText(input.reason, 'reason', 'reopening');
      const category = categoryOf(ctx.district, c.category);
      const next = advance(
        c,
        { action: 'reopened', to: 'dispatched', reason, details: { department: c.assignee } },
        ctx,
        {
          ...(category && {
            deadlines: deadlinesFrom(
              category,
              ctx.now,
              clockFor(category, ctx.district.config),
              c.version + 1,
            ),
          }),
          dispatchedAt: ctx.now,
          counters: { ...c.counters, reopens: c.counters.reopens + 1 },
        },
      );
      delete next.closedAt;
      delete next.acceptedAt;
      delete next.handledAt;
      return next;
    }
    case 'cancel':
      requireStatus(c, 'cancel');
      return advance(
        c,
        {
          action: 'cancelled',
          to: 'cancelled',
          reason: requireText(input.reason, 'reason', 'a cancellation'),
        },
        ctx,
      );
  }
};
