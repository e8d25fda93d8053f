import type { CategorySuggestion } from '../case';
import type { DistrictIndex } from '../district-index';
import { responsibilityFor } from '../routing';
import { features } from './segment';

/**
 * A multinomial naive Bayes model of the district's categories, trained at cold start from each
 * category's name, keywords and description and the district's labelled examples. Pure and
 * deterministic: the same district and examples give the same model and the same suggestions.
 */

export interface LabelledExample {
  text: string;
  category: string;
}

export interface TriageModel {
  district: string;
  /** In the district file's order, which also breaks ties. */
  categories: { code: string; lead: string }[];
  /** Per feature, its log-likelihood in each category (same order as `categories`). */
  logLikelihood: Map<string, Float64Array>;
  trainedOn: { examples: number; features: number };
}

/** Additive smoothing; 0.5 ranked best in leave-one-out on the Sandun examples (0.1–1 tried). */
const ALPHA = 0.5;
/**
 * Naive Bayes counts overlapping words and bigrams as independent evidence, which makes its raw
 * posterior overconfident; dividing the log-odds by this temperature calibrates the softmax
 * (measured by `npm run bench:classifier`: precision of what passes the auto threshold).
 */
const TEMPERATURE = 2;

/** How much each source of a category's text counts, in copies of an example. */
const WEIGHT = { name: 3, keyword: 3, description: 1, example: 1 } as const;

export const train = (
  district: DistrictIndex,
  examples: readonly LabelledExample[],
  /** How a text becomes features; evaluation passes a cached one to train many models on one set. */
  featuresOf: (text: string) => readonly string[] = features,
): TriageModel => {
  const categories = district.config.categories;
  const index = new Map(categories.map((c, i) => [c.code, i]));
  const counts = new Map<string, Float64Array>();
  const totals = new Float64Array(categories.length);
  const add = (text: string, category: number, weight: number) => {
    for (const feature of featuresOf(text)) {
      let row = counts.get(feature);
      if (!row) {
        row = new Float64Array(categories.length);
        counts.set(feature, row);
      }
      row[category] = (row[category] ?? 0) + weight;
      totals[category] = (totals[category] ?? 0) + weight;
    }
  };
  categories.forEach((category, i) => {
    add(category.name.zh, i, WEIGHT.name);
    // The English name gives English-only reports ("street light broken") something to match.
    add(category.name.en, i, WEIGHT.name);
    for (const keyword of category.keywords) add(keyword, i, WEIGHT.keyword);
    add(category.description, i, WEIGHT.description);
  });
  for (const example of examples) {
    const i = index.get(example.category);
    // The examples file is validated at load; an unknown code here is a programming error.
    if (i === undefined) throw new Error(`example for unknown category "${example.category}"`);
    add(example.text, i, WEIGHT.example);
  }
  const vocabulary = counts.size;
  const denominators = Array.from(totals, (total) => Math.log(total + ALPHA * vocabulary));
  const logLikelihood = new Map<string, Float64Array>();
  for (const [feature, row] of counts) {
    logLikelihood.set(
      feature,
      row.map((count, i) => Math.log(count + ALPHA) - denominators[i]!),
    );
  }
  return {
    district: district.config.id,
    categories: categories.map((c) => ({ code: c.code, lead: responsibilityFor(district, c).lead })),
    logLikelihood,
    trainedOn: { examples: examples.length, features: vocabulary },
  };
};

const round3 = (n: number) => Math.round(n * 1000) / 1000;

/**
 * The `topN` most likely categories for the text, with calibrated scores (0–1, summing to at most
 * 1 over all categories) and the department that would lead. Empty when the text has nothing the
 * model knows (empty, emoji-only, unrelated English): "no confident suggestion", never an error.
 */
export const suggest = (model: TriageModel, text: string, topN = 3): CategorySuggestion[] => {
  const known = features(text)
    .map((f) => model.logLikelihood.get(f))
    .filter((row) => row !== undefined);
  if (known.length === 0 || topN <= 0) return [];
  // Uniform prior: the examples' counts say what operators wrote, not how often events happen.
  const logJoint = model.categories.map((_, i) => known.reduce((sum, row) => sum + row[i]!, 0) / TEMPERATURE);
  const max = Math.max(...logJoint);
  const weights = logJoint.map((l) => Math.exp(l - max));
  const total = weights.reduce((a, b) => a + b, 0);
  return model.categories
    .map((c, i) => ({ category: c.code, score: round3(weights[i]! / total), lead: c.lead, order: i }))
    .sort((a, b) => b.score - a.score || a.order - b.order)
    .slice(0, topN)
    .map(({ order: _order, ...suggestion }) => suggestion);
};
