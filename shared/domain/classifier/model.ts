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
  logLikelihood: LikelihoodTable;
  /** The lead departments, and per feature its log-likelihood in each (all their categories' text pooled). */
  departments: string[];
  departmentLogLikelihood: LikelihoodTable;
  trainedOn: { examples: number; features: number };
}

/**
 * Per feature, its log-likelihood in each class. A row is worked out from the counts the first time
 * it is asked for: filling every row up front (~8,000 features × ~200 categories, twice) was most of
 * the router's cold start, for the few dozen features one report has.
 */
export interface LikelihoodTable {
  /** Undefined for a feature the model never saw. */
  row(feature: string): Float64Array | undefined;
  /** Every feature the model knows, in the counts' order. */
  features(): string[];
}

/**
 * Additive smoothing. With character unigrams among the features, 1 ranked best in five stratified
 * 25 % splits of the Sandun examples (0.1–1 tried; the held-out sets were not used to choose).
 */
const ALPHA = 1;
/**
 * Naive Bayes counts overlapping words and bigrams as independent evidence, which makes its raw
 * posterior overconfident; dividing the log-odds by this temperature calibrates the softmax
 * (measured by `npm run bench:classifier`: precision of what passes the auto threshold).
 */
const TEMPERATURE = 2;

/**
 * How much each source of a category's text counts, in copies of an example. The catalogue's own
 * text weighs more than one example: it is what every category has, however few examples it has
 * (chosen on the same splits: keywords 3→5 and descriptions 1→2 raised top-1 by 2 points).
 */
const WEIGHT = { name: 3, keyword: 5, description: 2, example: 1 } as const;

/**
 * What training counts: per feature, its weighted occurrences in each category (by code, sparse).
 * Segmenting the texts is what costs (~45 ms for Sandun, at every cold start of the router); turning
 * counts into a model is cheap. So the stack counts once at synth and bundles the counts.
 */
export interface FeatureCounts {
  form: typeof COUNTS_FORM;
  district: string;
  examples: number;
  counts: Record<string, Record<string, number>>;
}

const COUNTS_FORM = 'xietong:triage-counts:1';

export const countFeatures = (
  district: DistrictIndex,
  examples: readonly LabelledExample[],
  featuresOf: (text: string) => readonly string[] = features,
): FeatureCounts => {
  const known = new Set(district.config.categories.map((c) => c.code));
  const counts: Record<string, Record<string, number>> = Object.create(null);
  const add = (text: string, category: string, weight: number) => {
    for (const feature of featuresOf(text)) {
      counts[feature] ??= Object.create(null) as Record<string, number>;
      const row = counts[feature];
      row[category] = (row[category] ?? 0) + weight;
    }
  };
  for (const category of district.config.categories) {
    add(category.name.zh, category.code, WEIGHT.name);
    // The English name gives English-only reports ("street light broken") something to match.
    add(category.name.en, category.code, WEIGHT.name);
    for (const keyword of category.keywords) add(keyword, category.code, WEIGHT.keyword);
    add(category.description, category.code, WEIGHT.description);
    if (category.descriptionEn) add(category.descriptionEn, category.code, WEIGHT.description);
  }
  for (const example of examples) {
    // The examples file is validated at load; an unknown code here is a programming error.
    if (!known.has(example.category)) throw new Error(`example for unknown category "${example.category}"`);
    add(example.text, example.category, WEIGHT.example);
  }
  return { form: COUNTS_FORM, district: district.config.id, examples: examples.length, counts };
};

/** Counts as written by `JSON.stringify(countFeatures(…))`, or undefined when the text is not that form. */
export const parseFeatureCounts = (text: string): FeatureCounts | undefined => {
  const document = JSON.parse(text) as Partial<FeatureCounts>;
  return document.form === COUNTS_FORM ? (document as FeatureCounts) : undefined;
};

/** Each category's lead department (in the district's order), and those departments once each. */
const leadsOf = (district: DistrictIndex) => {
  const leads = district.config.categories.map((c) => responsibilityFor(district, c).lead);
  return { leads, departments: [...new Set(leads)] };
};

export const modelFromCounts = (district: DistrictIndex, counted: FeatureCounts): TriageModel => {
  if (counted.district !== district.config.id) {
    throw new Error(`triage counts of "${counted.district}" cannot serve district "${district.config.id}"`);
  }
  const categories = district.config.categories;
  const index = new Map(categories.map((c, i) => [c.code, i]));
  // One pass over the sparse counts for the totals the denominators need (and to refuse unknown
  // codes now, not at the first report); the dense rows wait until a report asks for them.
  const counts = counted.counts;
  const totals = new Float64Array(categories.length);
  const featureList = Object.keys(counts);
  for (const feature of featureList) {
    for (const [code, count] of Object.entries(counts[feature]!)) {
      const i = index.get(code);
      if (i === undefined) throw new Error(`triage counts name unknown category "${code}"`);
      totals[i] = (totals[i] ?? 0) + count;
    }
  }
  const countRow = (feature: string): Float64Array | undefined => {
    const byCategory = Object.hasOwn(counts, feature) ? counts[feature] : undefined;
    if (!byCategory) return undefined;
    const row = new Float64Array(categories.length);
    for (const [code, count] of Object.entries(byCategory)) row[index.get(code)!] = count;
    return row;
  };
  const vocabulary = featureList.length;
  const logLikelihoodOf = (
    rowOf: (feature: string) => Float64Array | undefined,
    rowTotals: Float64Array,
  ): LikelihoodTable => {
    const denominators = Array.from(rowTotals, (total) => Math.log(total + ALPHA * vocabulary));
    const known = new Map<string, Float64Array>();
    return {
      row: (feature) => {
        const cached = known.get(feature);
        if (cached) return cached;
        const row = rowOf(feature)?.map((count, i) => Math.log(count + ALPHA) - denominators[i]!);
        if (row) known.set(feature, row);
        return row;
      },
      features: () => [...featureList],
    };
  };
  const { leads, departments } = leadsOf(district);
  const departmentIndex = leads.map((lead) => departments.indexOf(lead));
  const departmentRow = (feature: string): Float64Array | undefined => {
    const row = countRow(feature);
    if (!row) return undefined;
    const pooled = new Float64Array(departments.length);
    row.forEach((count, i) => {
      pooled[departmentIndex[i]!] = (pooled[departmentIndex[i]!] ?? 0) + count;
    });
    return pooled;
  };
  const departmentTotals = new Float64Array(departments.length);
  totals.forEach((total, i) => {
    departmentTotals[departmentIndex[i]!] = (departmentTotals[departmentIndex[i]!] ?? 0) + total;
  });
  return {
    district: district.config.id,
    categories: categories.map((c, i) => ({ code: c.code, lead: leads[i]! })),
    logLikelihood: logLikelihoodOf(countRow, totals),
    departments,
    departmentLogLikelihood: logLikelihoodOf(departmentRow, departmentTotals),
    trainedOn: { examples: counted.examples, features: vocabulary },
  };
};

/**
 * The model `build` gives, built the first time it is asked about a text: its categories and
 * departments (the district's) at once, the likelihoods and `trainedOn` at the first question. The
 * router takes reports that already have a category far more often than not, so its cold start
 * leaves reading the counts (~35 ms) and segmenting to the first report that needs a suggestion.
 */
export const modelOnFirstUse = (district: DistrictIndex, build: () => TriageModel): TriageModel => {
  let built: TriageModel | undefined;
  const model = () => (built ??= build());
  const { leads, departments } = leadsOf(district);
  return {
    district: district.config.id,
    categories: district.config.categories.map((c, i) => ({ code: c.code, lead: leads[i]! })),
    departments,
    logLikelihood: {
      row: (feature) => model().logLikelihood.row(feature),
      features: () => model().logLikelihood.features(),
    },
    departmentLogLikelihood: {
      row: (feature) => model().departmentLogLikelihood.row(feature),
      features: () => model().departmentLogLikelihood.features(),
    },
    get trainedOn() {
      return model().trainedOn;
    },
  };
};

export const train = (
  district: DistrictIndex,
  examples: readonly LabelledExample[],
  /** How a text becomes features; evaluation passes a cached one to train many models on one set. */
  featuresOf: (text: string) => readonly string[] = features,
): TriageModel => modelFromCounts(district, countFeatures(district, examples, featuresOf));

const round3 = (n: number) => Math.round(n * 1000) / 1000;

/** The model's probability for every category, in the model's order (empty when it knows nothing of the text). */
const softmax = (rows: Float64Array[], size: number): number[] => {
  const logJoint = Array.from(
    { length: size },
    (_, i) => rows.reduce((sum, row) => sum + row[i]!, 0) / TEMPERATURE,
  );
  const max = Math.max(...logJoint);
  const weights = logJoint.map((l) => Math.exp(l - max));
  const total = weights.reduce((a, b) => a + b, 0);
  return weights.map((w) => w / total);
};

/** The features of the text the model knows, as rows of a log-likelihood table. */
const knownRows = (table: LikelihoodTable, text: string): Float64Array[] =>
  features(text)
    .map((f) => table.row(f))
    .filter((row) => row !== undefined);

/** The model's probability for every category, in the model's order (empty when it knows nothing of the text). */
export const categoryProbabilities = (model: TriageModel, text: string): number[] => {
  const known = knownRows(model.logLikelihood, text);
  // Uniform prior: the examples' counts say what operators wrote, not how often events happen.
  return known.length === 0 ? [] : softmax(known, model.categories.length);
};

/**
 * The `topN` most likely categories for the text, with calibrated scores (0–1, summing to at most
 * 1 over all categories) and the department that would lead. Empty when the text has nothing the
 * model knows (empty, emoji-only, unrelated English): "no confident suggestion", never an error.
 */
export const suggest = (model: TriageModel, text: string, topN = 3): CategorySuggestion[] => {
  if (topN <= 0) return [];
  const probabilities = categoryProbabilities(model, text);
  return model.categories
    .map((c, i) => ({ category: c.code, score: round3(probabilities[i] ?? 0), lead: c.lead, order: i }))
    .filter((_, i) => probabilities[i] !== undefined)
    .sort((a, b) => b.score - a.score || a.order - b.order)
    .slice(0, topN)
    .map(({ order: _order, ...suggestion }) => suggestion);
};

/** A department's share of the model's belief: the sum over the categories it would lead. */
export interface DepartmentSuggestion {
  department: string;
  score: number;
}

/**
 * The `topN` most likely lead departments. Many categories share a department, so this is often
 * confident when the category is not (a report about "something broken on the road" is urban
 * management's whichever facility it is), and the department's triage queue can take it from there.
 * The score averages two views: the categories' probabilities summed per department, and a model of
 * the departments themselves (all their categories' text pooled), which smooths over categories
 * with few examples. The average beat either alone on held-back examples (top-1 93 % vs 91 %).
 */
export const suggestDepartments = (model: TriageModel, text: string, topN = 3): DepartmentSuggestion[] => {
  const probabilities = categoryProbabilities(model, text);
  if (probabilities.length === 0 || topN <= 0) return [];
  const pooled = softmax(knownRows(model.departmentLogLikelihood, text), model.departments.length);
  const summed = new Float64Array(model.departments.length);
  model.categories.forEach((c, i) => {
    const d = model.departments.indexOf(c.lead);
    summed[d] = (summed[d] ?? 0) + (probabilities[i] ?? 0);
  });
  return model.departments
    .map((department, d) => ({
      department,
      score: round3((pooled[d]! + summed[d]!) / 2),
      order: d,
    }))
    .sort((a, b) => b.score - a.score || a.order - b.order)
    .slice(0, topN)
    .map(({ order: _order, ...suggestion }) => suggestion);
};
