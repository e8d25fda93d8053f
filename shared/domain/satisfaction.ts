import { authorize, scopeOf } from './authorization';
import type { Actor, Case, Rating, Satisfaction, TimelineEntry, VerdictChannel } from './case';
import type { DistrictIndex } from './district-index';
import { CaseNotClosedError, ForbiddenActionError } from './errors';
import { advance, runCommand } from './workflow';

/**
 * 回访: the reporter's verdict on a closed case — 满意, 基本满意 or 不满意, with an optional
 * comment — given on the citizen page, through the 12345 platform's callback, by a department
 * system, or by an operator who called the reporter back.
 *
 * One verdict stands per report and closure (12345 practice: one callback result per ticket): a
 * new verdict on the same report while the case stays closed replaces the earlier one (the timeline
 * keeps both; the figures count the last). Reopening ends the closure; a verdict on the next
 * closure is a new one. The same verdict sent again (a retry, an offline queue) changes nothing.
 */

/** The 12345 platform's own words for a callback result. */
export const HOTLINE_RATINGS = {
  满意: 'satisfied',
  基本满意: 'basically_satisfied',
  不满意: 'dissatisfied',
} as const satisfies Record<string, Rating>;
export type HotlineRating = keyof typeof HOTLINE_RATINGS;

/** 满意率 counts 满意 and 基本满意 as satisfied, as 12345 centres commonly do. */
export const isSatisfied = (rating: Rating): boolean => rating !== 'dissatisfied';

/** The platform acting on a district rule after a verdict (the reopen 不满意 may cause). */
export const SATISFACTION_RULE_ACTOR: Actor = {
  subject: 'system:satisfaction',
  role: 'system',
  name: 'xietong 回访',
};

export const REOPEN_ON_DISSATISFIED_RULE = 'satisfaction.reopenOnDissatisfied';

export interface Verdict {
  rating: Rating;
  comment?: string;
  channel: VerdictChannel;
  /**
   * The report the verdict speaks for: the case's own (its id), or a report merged into it (the
   * 12345 ticket whose caller was called back). One verdict stands per report and closure.
   */
  reportId?: string;
  /** When the 12345 platform called the caller back (its callback's own time). */
  calledBackAt?: string;
}

export interface VerdictContext {
  district: DistrictIndex;
  actor: Actor;
  now: string;
  correlationId?: string;
  /**
   * The 12345 ticket the verdict is delivered for: the platform filed it, which stands in for the
   * case's permission check (a hotline key acts for no department).
   */
  forTicket?: string;
}

const isVerdict = (entry: TimelineEntry) => entry.action === 'satisfaction-recorded';

const reportOf = (entry: TimelineEntry, c: Pick<Case, 'id'>): string =>
  typeof entry.details?.reportId === 'string' ? entry.details.reportId : c.id;

/**
 * The verdicts that stand: per closure of the case, the last one given on each report. Verdicts
 * are only given on a closed case, so each belongs to the closure before it.
 */
export const standingVerdicts = (c: Pick<Case, 'id' | 'timeline'>): TimelineEntry[] => {
  const standing: TimelineEntry[] = [];
  let closure = new Map<string, TimelineEntry>();
  for (const entry of c.timeline) {
    if (entry.action === 'closed') {
      standing.push(...closure.values());
      closure = new Map();
    } else if (isVerdict(entry)) {
      closure.set(reportOf(entry, c), entry);
    }
  }
  standing.push(...closure.values());
  return standing;
};

/** The verdicts given since the case was last closed (none when it is not closed now). */
export const verdictsOnCurrentClosure = (c: Pick<Case, 'status' | 'timeline'>): TimelineEntry[] =>
  c.status === 'closed' ? verdictsSinceLastClosure(c) : [];

/** The verdicts after the last `closed` entry, whatever happened since (a reopen included). */
const verdictsSinceLastClosure = (c: Pick<Case, 'timeline'>): TimelineEntry[] => {
  const verdicts: TimelineEntry[] = [];
  for (let i = c.timeline.length - 1; i >= 0; i--) {
    const entry = c.timeline[i];
    if (!entry || entry.action === 'closed') break;
    if (isVerdict(entry)) verdicts.unshift(entry);
  }
  return verdicts;
};

/** The rating an entry records (as written by `recordSatisfaction`). */
export const ratingOf = (entry: TimelineEntry): Rating | undefined => {
  const rating = entry.details?.rating;
  return rating === 'satisfied' || rating === 'basically_satisfied' || rating === 'dissatisfied'
    ? rating
    : undefined;
};

/** Who recorded a verdict on the reporter's behalf, as the case field names them. */
const recorderOf = (actor: Actor, channel: VerdictChannel): string | undefined =>
  channel === 'citizen' ? undefined : (actor.name ?? actor.subject);

/**
 * Who may give the verdict for a report: whoever the workflow lets judge the case (its reporter, the
 * command centre's callback desk), or, for a report merged into the case, the citizen who sent that
 * report — their problem was handled here.
 */
const authorizeVerdict = (actor: Actor, c: Case, reportId: string): void => {
  if (reportId === c.id) {
    authorize(actor, 'satisfaction', c);
    return;
  }
  const merged = c.linkedReports.find((linked) => linked.caseId === reportId);
  if (!merged) {
    throw new ForbiddenActionError('satisfaction', `report ${reportId} was not merged into this case`);
  }
  const scope = scopeOf(actor, 'satisfaction');
  if (!scope) throw new ForbiddenActionError('satisfaction', `the ${actor.role} role may not satisfaction`);
  if (merged.submittedBy.subject === actor.subject) return;
  // Someone else speaks for that report: only a desk recording the caller's callback, never another
  // reporter (whose scope is their own reports).
  if (scope === 'own')
    throw new ForbiddenActionError('satisfaction', 'a reporter judges their own report only');
  authorize(actor, 'satisfaction', c);
};

/**
 * Records a verdict on a closed case: one timeline entry and the case's `satisfaction`. When the
 * district says so, 不满意 then reopens the case through the workflow's own reopen, in the same
 * write. The same verdict on the same report of the same closure returns the case unchanged.
 */
export const recordSatisfaction = (c: Case, verdict: Verdict, ctx: VerdictContext): Case => {
  const reportId = verdict.reportId ?? c.id;
  if (ctx.forTicket === undefined) authorizeVerdict(ctx.actor, c, reportId);
  const comment = verdict.comment?.trim() || undefined;
  const previous = verdictsSinceLastClosure(c)
    .filter((entry) => reportOf(entry, c) === reportId)
    .pop();
  // A repeat of the verdict that stands (a retry, a phone's offline queue) changes nothing, even
  // when that verdict has since reopened the case.
  if (
    previous &&
    ratingOf(previous) === verdict.rating &&
    previous.note === comment &&
    previous.details?.channel === verdict.channel &&
    previous.actor.subject === ctx.actor.subject
  ) {
    return c;
  }
  if (c.status !== 'closed') throw new CaseNotClosedError(c.id, c.status);
  const by = recorderOf(ctx.actor, verdict.channel);
  const satisfaction: Satisfaction = {
    rating: verdict.rating,
    ...(comment !== undefined && { comment }),
    at: ctx.now,
    channel: verdict.channel,
    ...(by !== undefined && { by }),
  };
  const department = c.assignee ?? c.lead;
  const recorded = advance(
    c,
    {
      action: 'satisfaction-recorded',
      to: c.status,
      ...(comment !== undefined && { note: comment }),
      details: {
        rating: verdict.rating,
        channel: verdict.channel,
        reportId,
        // The department whose handling was judged: the figures count the verdict there.
        ...(department !== undefined && { department }),
        ...(ctx.forTicket !== undefined && { ticketNo: ctx.forTicket }),
        ...(verdict.calledBackAt !== undefined && { calledBackAt: verdict.calledBackAt }),
        ...(previous && { replaces: previous.seq }),
      },
    },
    ctx,
    { satisfaction },
  );
  if (verdict.rating !== 'dissatisfied' || !ctx.district.config.satisfaction.reopenOnDissatisfied) {
    return recorded;
  }
  return runCommand(
    recorded,
    { command: 'reopen', reason: '回访不满意，重新办理复核' },
    {
      district: ctx.district,
      actor: SATISFACTION_RULE_ACTOR,
      now: ctx.now,
      ...(ctx.correlationId !== undefined && { correlationId: ctx.correlationId }),
      byDistrictRule: REOPEN_ON_DISSATISFIED_RULE,
    },
  );
};
