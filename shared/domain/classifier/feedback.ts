import type { Actor, Case } from '../case';
import { maskPhonesInText } from '../personal-data';

/**
 * The command centre's answer to the classifier: when a person sets the category of a report the
 * classifier looked at, that is a labelled example (the report's text and the right category),
 * kept with what the classifier had suggested so the next training run can learn from it.
 */

/** `confirmed`: the person chose the best suggestion; `corrected`: another category; `categorised`: there was none. */
export type TriageVerdict = 'confirmed' | 'corrected' | 'categorised';

export interface TriageFeedback {
  district: string;
  caseId: string;
  /** The case version whose step recorded it: with the case id, the feedback's identity. */
  version: number;
  /** The report's text, phone numbers masked (examples files end up in version control). */
  text: string;
  category: string;
  verdict: TriageVerdict;
  /** The classifier's best suggestion at the time, and its score. */
  suggested?: string;
  score?: number;
  by: Pick<Actor, 'subject' | 'role'> & { department?: string };
  at: string;
}

/** What the step's timeline entry says about the categorisation (see `workflow.ts` dispatch). */
export const verdictOf = (
  c: Pick<Case, 'suggestions'>,
  category: string,
): { categorisation: TriageVerdict; suggested?: string; score?: number } => {
  const best = c.suggestions?.[0];
  if (!best) return { categorisation: 'categorised' };
  return {
    categorisation: best.category === category ? 'confirmed' : 'corrected',
    suggested: best.category,
    score: best.score,
  };
};

const VERDICTS: ReadonlySet<string> = new Set<TriageVerdict>(['confirmed', 'corrected', 'categorised']);

/**
 * The feedback a saved step carries, if any: the last timeline entry of `next` holds the verdict
 * when a person set the category of a report the classifier had looked at.
 */
export const triageFeedbackOf = (next: Case): TriageFeedback | undefined => {
  const entry = next.timeline.at(-1);
  const details = entry?.details;
  if (!entry || !details || next.category === undefined) return undefined;
  const verdict = details.categorisation;
  if (typeof verdict !== 'string' || !VERDICTS.has(verdict) || entry.actor.role === 'system')
    return undefined;
  return {
    district: next.district,
    caseId: next.id,
    version: next.version,
    text: maskPhonesInText(next.description),
    category: next.category,
    verdict: verdict as TriageVerdict,
    ...(typeof details.suggested === 'string' && { suggested: details.suggested }),
    ...(typeof details.score === 'number' && { score: details.score }),
    by: {
      subject: entry.actor.subject,
      role: entry.actor.role,
      ...(entry.actor.department !== undefined && { department: entry.actor.department }),
    },
    at: entry.at,
  };
};
