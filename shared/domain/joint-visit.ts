import { createHash } from 'node:crypto';
import type { DistrictConfig } from '../district/schema';
import type { Actor, Case, CaseStatus, ZoneRef } from './case';
import { IllegalVisitTransitionError, InvalidInputError } from './errors';
import { appendChained } from './timeline';
import { advance, type CommandInput } from './workflow';

/**
 * 综合查一次: when open cases at one premises belong to two or more lead departments, one joint
 * visit covers them all — the joint team leads, the cases' departments co-operate — and each case
 * stays its own department's case. Pure: clock, actor and the cases at the premises are passed in.
 */

export const JOINT_VISIT_STATUSES = ['proposed', 'planned', 'accepted', 'handled', 'cancelled'] as const;
export type JointVisitStatus = (typeof JOINT_VISIT_STATUSES)[number];

/** A visit still to be made (or being made): later cases at the premises join it. */
export const OPEN_VISIT_STATUSES: readonly JointVisitStatus[] = ['proposed', 'planned', 'accepted'];

/** Visits that count as made (or being made) in the figures: proposed and cancelled ones don't. */
export const MADE_VISIT_STATUSES: readonly JointVisitStatus[] = ['planned', 'accepted', 'handled'];

/** Cases whose department still has to go there; handled, verified and closed ones don't need a visit. */
export const AWAITING_VISIT: readonly CaseStatus[] = ['registered', 'dispatched', 'accepted'];

export type JointVisitAction = 'proposed' | 'planned' | 'extended' | 'confirmed' | 'accepted' | 'resolved';

export interface JointVisitEntry {
  seq: number;
  at: string;
  action: JointVisitAction;
  actor: Actor;
  from?: JointVisitStatus;
  to: JointVisitStatus;
  note?: string;
  details?: Record<string, unknown>;
  correlationId?: string;
  prevHash: string;
  hash: string;
}

export interface JointVisit {
  /** Derived from the premises and the visit's generation there, so concurrent planners meet on one id. */
  id: string;
  district: string;
  premisesId: string;
  /** 1 for the first visit at the premises, 2 for the one after it ended, … */
  generation: number;
  status: JointVisitStatus;
  /** The lead department: the district's joint team. */
  lead: string;
  /** The covered cases' lead departments. */
  cooperating: string[];
  caseIds: string[];
  /** Who goes: the joint team. */
  assigneeTeam: string;
  address?: string;
  zone?: ZoneRef;
  createdAt: string;
  updatedAt: string;
  confirmedAt?: string;
  acceptedAt?: string;
  handledAt?: string;
  /** What the team found and did, copied onto every covered case when resolved. */
  result?: string;
  version: number;
  timeline: JointVisitEntry[];
}

export interface VisitContext {
  actor: Actor;
  now: string;
  correlationId?: string;
}

/** The planner acting on its own (visits made at routing time). */
export const SYSTEM_PLANNER: Actor = {
  subject: 'system:joint-visits',
  role: 'system',
  name: 'xietong joint-visit planner',
};

export const isOpenVisit = (v: Pick<JointVisit, 'status'>): boolean => OPEN_VISIT_STATUSES.includes(v.status);

/** Cases a visit can cover: routed to a department (not in triage), work not yet done, at a premises. */
export const awaitsVisit = (c: Pick<Case, 'status' | 'triage' | 'lead' | 'premisesId'>): boolean =>
  AWAITING_VISIT.includes(c.status) && !c.triage && !!c.lead && !!c.premisesId;

export const jointVisitIdFor = (premisesId: string, generation: number): string =>
  `V-${createHash('sha256').update(premisesId).digest('base64url').slice(0, 16)}-${generation}`;

export const JOINT_VISIT_ID_PATTERN = /^V-[A-Za-z0-9_-]{16}-[0-9]{1,6}$/;

/** Visits saved: one visit instead of one per case. */
export const visitsSavedBy = (v: Pick<JointVisit, 'caseIds'>): number => Math.max(0, v.caseIds.length - 1);

/** What the authorization matrix checks a visit against (it reads like a case led by the joint team). */
export const visitFacts = (
  v: JointVisit,
): Pick<Case, 'zone' | 'lead' | 'assignee' | 'cooperating' | 'submittedBy'> => ({
  ...(v.zone && { zone: v.zone }),
  lead: v.lead,
  assignee: v.assigneeTeam,
  cooperating: v.cooperating,
  submittedBy: SYSTEM_PLANNER,
});

export type PlanDecision =
  | { kind: 'none'; why: 'off' | 'one-department' }
  | { kind: 'create'; id: string; generation: number; cases: Case[] }
  | { kind: 'extend'; visit: JointVisit; cases: Case[] };

/**
 * What the planner should do at a premises, given its cases and visits. A case already covered by
 * an open visit stays there; one covered by a finished visit (reopened, say) may join a new one.
 */
export const decideJointVisit = (
  mode: DistrictConfig['jointVisits']['mode'],
  premisesId: string,
  cases: readonly Case[],
  visits: readonly JointVisit[],
): PlanDecision => {
  if (mode === 'off') return { kind: 'none', why: 'off' };
  const open = visits
    .filter(isOpenVisit)
    .sort((a, b) => a.generation - b.generation || a.id.localeCompare(b.id))[0];
  const openIds = new Set(visits.filter(isOpenVisit).map((v) => v.id));
  const candidates = cases
    .filter((c) => c.premisesId === premisesId && awaitsVisit(c))
    .filter((c) => !c.jointVisitId || c.jointVisitId === open?.id || !openIds.has(c.jointVisitId))
    .sort((a, b) => a.reportedAt.localeCompare(b.reportedAt) || a.id.localeCompare(b.id));
  if (open)
    return { kind: 'extend', visit: open, cases: candidates.filter((c) => !open.caseIds.includes(c.id)) };
  if (new Set(candidates.map((c) => c.lead)).size < 2) return { kind: 'none', why: 'one-department' };
  const generation = Math.max(0, ...visits.map((v) => v.generation)) + 1;
  return { kind: 'create', id: jointVisitIdFor(premisesId, generation), generation, cases: candidates };
};

const cooperatingOf = (lead: string, existing: readonly string[], cases: readonly Case[]): string[] => [
  ...new Set([...existing, ...cases.flatMap((c) => (c.lead ? [c.lead] : []))].filter((d) => d !== lead)),
];

const step = (
  v: JointVisit,
  entry: { action: JointVisitAction; to: JointVisitStatus; note?: string; details?: Record<string, unknown> },
  ctx: VisitContext,
  patch: Partial<JointVisit> = {},
): JointVisit => ({
  ...v,
  ...patch,
  status: entry.to,
  version: v.version + 1,
  updatedAt: ctx.now,
  timeline: appendChained<JointVisitEntry>(v.timeline, {
    at: ctx.now,
    action: entry.action,
    actor: ctx.actor,
    ...(v.version > 0 && { from: v.status }),
    to: entry.to,
    ...(entry.note !== undefined && { note: entry.note }),
    ...(entry.details !== undefined && { details: entry.details }),
    ...(ctx.correlationId !== undefined && { correlationId: ctx.correlationId }),
  }),
});

/** A new visit over the cases: planned at once (mode create) or proposed for the command centre. */
export const createJointVisit = (
  district: Pick<DistrictConfig, 'id' | 'jointTeam' | 'jointVisits'>,
  plan: { id: string; generation: number; premisesId: string; cases: readonly Case[] },
  ctx: VisitContext,
): JointVisit => {
  const first = plan.cases[0];
  if (!first) throw new InvalidInputError('caseIds', 'required', 'a joint visit covers at least one case');
  const lead = district.jointTeam.department;
  const status: JointVisitStatus = district.jointVisits.mode === 'propose' ? 'proposed' : 'planned';
  const seed: JointVisit = {
    id: plan.id,
    district: district.id,
    premisesId: plan.premisesId,
    generation: plan.generation,
    status,
    lead,
    cooperating: cooperatingOf(lead, [], plan.cases),
    caseIds: plan.cases.map((c) => c.id),
    assigneeTeam: lead,
    ...(first.location.address && { address: first.location.address }),
    ...(first.zone && { zone: first.zone }),
    createdAt: ctx.now,
    updatedAt: ctx.now,
    version: 0,
    timeline: [],
  };
  return step(
    seed,
    { action: status, to: status, details: { caseIds: seed.caseIds, cooperating: seed.cooperating } },
    ctx,
  );
};

/** A later case at the premises joins the open visit; the visit is returned unchanged if none is new. */
export const extendJointVisit = (v: JointVisit, cases: readonly Case[], ctx: VisitContext): JointVisit => {
  const added = cases.filter((c) => !v.caseIds.includes(c.id));
  if (added.length === 0) return v;
  const cooperating = cooperatingOf(v.lead, v.cooperating, added);
  return step(
    v,
    { action: 'extended', to: v.status, details: { added: added.map((c) => c.id), cooperating } },
    ctx,
    { caseIds: [...v.caseIds, ...added.map((c) => c.id)], cooperating },
  );
};

/** The command centre confirms a proposed visit. */
export const confirmJointVisit = (v: JointVisit, ctx: VisitContext): JointVisit => {
  if (v.status !== 'proposed') throw new IllegalVisitTransitionError('confirm', v.status);
  return step(v, { action: 'confirmed', to: 'planned' }, ctx, { confirmedAt: ctx.now });
};

/** The team takes the visit on. Accepting an accepted visit changes nothing (a retry finishes the fan-out). */
export const acceptJointVisit = (v: JointVisit, ctx: VisitContext & { note?: string }): JointVisit => {
  if (v.status === 'accepted') return v;
  if (v.status !== 'planned') throw new IllegalVisitTransitionError('accept', v.status);
  return step(v, { action: 'accepted', to: 'accepted', ...(ctx.note && { note: ctx.note }) }, ctx, {
    acceptedAt: ctx.now,
  });
};

/** The team reports what it found and did. Resolving a handled visit changes nothing (a retry). */
export const resolveJointVisit = (v: JointVisit, result: string, ctx: VisitContext): JointVisit => {
  if (v.status === 'handled') return v;
  if (v.status !== 'accepted') throw new IllegalVisitTransitionError('resolve', v.status);
  const text = result.trim();
  if (!text) throw new InvalidInputError('result', 'required', 'resolving a joint visit needs a result');
  return step(v, { action: 'resolved', to: 'handled', note: text }, ctx, {
    handledAt: ctx.now,
    result: text,
  });
};

/** Marks a case as covered by the visit (one timeline entry, status unchanged); unchanged if it already is. */
export const markCovered = (c: Case, v: JointVisit, ctx: VisitContext): Case => {
  if (c.jointVisitId === v.id) return c;
  return advance(
    c,
    {
      action: 'joint-visit',
      to: c.status,
      details: {
        jointVisitId: v.id,
        lead: v.lead,
        cooperating: v.cooperating,
        visitStatus: v.status,
        // The evaluation counts a visit once, on its first case (shared/domain/evaluation.ts).
        firstCase: v.caseIds[0],
      },
    },
    ctx,
    { jointVisitId: v.id },
  );
};

export type FanOutTarget = 'accepted' | 'handled';

/** Where a case already is relative to a target: done when it is there or past it. */
const PAST: Record<FanOutTarget, readonly CaseStatus[]> = {
  accepted: ['accepted', 'handled', 'verified', 'closed'],
  handled: ['handled', 'verified', 'closed'],
};

/**
 * The workflow commands that bring a covered case to the visit's state, each case staying with its
 * own lead: registered → dispatched (to its lead) → accepted → handled. `[]` when it is there already;
 * `undefined` when the case can't follow (merged, cancelled, on hold, not yet routed).
 */
export const fanOutSteps = (c: Case, target: FanOutTarget, result?: string): CommandInput[] | undefined => {
  if (PAST[target].includes(c.status)) return [];
  if (c.hold || !['registered', 'dispatched', 'accepted'].includes(c.status) || c.triage) return undefined;
  const steps: CommandInput[] = [];
  if (c.status === 'registered') steps.push({ command: 'dispatch' });
  if (c.status !== 'accepted') steps.push({ command: 'accept' });
  if (target === 'handled') steps.push({ command: 'resolve', result: result ?? '' });
  return steps;
};
