import type { Case } from '../case';
import type { DistrictIndex } from '../district-index';
import { suggest, type TriageModel } from './model';

/** The router's step before routing: what the classifier makes of a report without a category. */
export interface Categorisation {
  /** The report, with `suggestions` and (when confident) its `category` set. */
  report: Case;
  /** Facts for the registration's timeline entry. */
  details?: Record<string, unknown>;
}

const SUGGESTIONS = 3;

/**
 * A report without a category gets the model's top suggestions; when the best one reaches the
 * district's `triage.autoCategorizeScore` it takes that category and is routed like any other,
 * else it waits in triage with the suggestions for the command centre to confirm or correct.
 */
export const categorise = (
  model: TriageModel | undefined,
  district: DistrictIndex,
  report: Case,
): Categorisation => {
  if (report.category !== undefined || !model) return { report };
  const suggestions = suggest(model, report.description, SUGGESTIONS);
  const best = suggestions[0];
  if (best && best.score >= district.config.triage.autoCategorizeScore) {
    return {
      report: { ...report, category: best.category, suggestions },
      details: { categorisation: 'auto-categorized', category: best.category, score: best.score },
    };
  }
  return {
    report: { ...report, suggestions },
    details: { categorisation: suggestions.length > 0 ? 'suggested' : 'no-confident-suggestion' },
  };
};
