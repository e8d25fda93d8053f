import type { DistrictIndex } from '../district-index';
import { type LabelledExample, suggest, suggestDepartments, type TriageModel, train } from './model';
import { features } from './segment';

/** How the classifier does on examples it did not learn from (tests and the benchmark). */
export interface Accuracy {
  n: number;
  /** The right category first, or among the first three. */
  top1: number;
  top3: number;
  /** The right lead department first, or among the first three (departments ranked by summed score). */
  departmentTop1: number;
  departmentTop3: number;
  /** At the auto-categorize threshold: the share routed directly, and how many of those were right. */
  autoShare: number;
  autoPrecision: number;
  /** Of those routed directly, how many reached the right lead department (a wrong category may still). */
  autoDepartmentPrecision: number;
}

/** The lead department of each category, as the model (and routing) has it. */
const leadsOf = (model: TriageModel) => new Map(model.categories.map((c) => [c.code, c.lead]));

export const accuracyOn = (
  model: TriageModel,
  heldOut: readonly LabelledExample[],
  autoScore: number,
): Accuracy => {
  const leads = leadsOf(model);
  let top1 = 0;
  let top3 = 0;
  let departmentTop1 = 0;
  let departmentTop3 = 0;
  let auto = 0;
  let autoRight = 0;
  let autoDepartmentRight = 0;
  for (const example of heldOut) {
    const suggestions = suggest(model, example.text, 3);
    const rank = suggestions.findIndex((s) => s.category === example.category);
    if (rank === 0) top1++;
    if (rank >= 0) top3++;
    const lead = leads.get(example.category);
    const departmentRank = suggestDepartments(model, example.text, 3).findIndex((d) => d.department === lead);
    if (departmentRank === 0) departmentTop1++;
    if (departmentRank >= 0) departmentTop3++;
    if ((suggestions[0]?.score ?? 0) >= autoScore) {
      auto++;
      if (rank === 0) autoRight++;
      if (suggestions[0]?.lead === lead) autoDepartmentRight++;
    }
  }
  const n = heldOut.length;
  const share = (count: number) => (n ? count / n : 0);
  return {
    n,
    top1: share(top1),
    top3: share(top3),
    departmentTop1: share(departmentTop1),
    departmentTop3: share(departmentTop3),
    autoShare: share(auto),
    autoPrecision: auto ? autoRight / auto : 1,
    autoDepartmentPrecision: auto ? autoDepartmentRight / auto : 1,
  };
};

/** A deterministic shuffle (mulberry32), so a split is the same on every machine. */
const seeded = (seed: number) => {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
};

/** Holds out `fraction` of each category's examples (at least one), chosen with a fixed seed. */
export const stratifiedSplit = (
  examples: readonly LabelledExample[],
  fraction: number,
  seed: number,
): { training: LabelledExample[]; heldOut: LabelledExample[] } => {
  const random = seeded(seed);
  const byCategory = new Map<string, LabelledExample[]>();
  for (const e of examples) byCategory.set(e.category, [...(byCategory.get(e.category) ?? []), e]);
  const training: LabelledExample[] = [];
  const heldOut: LabelledExample[] = [];
  for (const group of byCategory.values()) {
    const shuffled = group
      .map((e) => ({ e, key: random() }))
      .sort((a, b) => a.key - b.key)
      .map(({ e }) => e);
    const cut = Math.max(1, Math.round(group.length * fraction));
    heldOut.push(...shuffled.slice(0, cut));
    training.push(...shuffled.slice(cut));
  }
  return { training, heldOut };
};

/**
 * k-fold cross-validation: each example judged by a model trained on the folds it is not in
 * (folds stratified by category with a fixed seed). Leave-one-out trained one model per example,
 * which stopped being affordable once the catalogue brought hundreds of examples.
 */
export const crossValidate = (
  district: DistrictIndex,
  examples: readonly LabelledExample[],
  folds: number,
  autoScore: number,
  seed = 42,
): Accuracy => {
  // Segmenting is most of training's cost: do it once for the k models rather than k times.
  const cache = new Map<string, readonly string[]>();
  const cached = (text: string) => {
    let found = cache.get(text);
    if (!found) {
      found = features(text);
      cache.set(text, found);
    }
    return found;
  };
  const random = seeded(seed);
  const foldOf = new Map<LabelledExample, number>();
  const byCategory = new Map<string, LabelledExample[]>();
  for (const e of examples) byCategory.set(e.category, [...(byCategory.get(e.category) ?? []), e]);
  for (const group of byCategory.values()) {
    const offset = Math.floor(random() * folds);
    group
      .map((e) => ({ e, key: random() }))
      .sort((a, b) => a.key - b.key)
      .forEach(({ e }, i) => {
        foldOf.set(e, (i + offset) % folds);
      });
  }
  const results = Array.from({ length: folds }, (_, fold) => {
    const heldOut = examples.filter((e) => foldOf.get(e) === fold);
    const model = train(
      district,
      examples.filter((e) => foldOf.get(e) !== fold),
      cached,
    );
    return { n: heldOut.length, accuracy: accuracyOn(model, heldOut, autoScore) };
  });
  const n = examples.length;
  const weighted = (pick: (a: Accuracy) => number) =>
    results.reduce((sum, r) => sum + pick(r.accuracy) * r.n, 0) / n;
  const auto = results.reduce((sum, r) => sum + r.accuracy.autoShare * r.n, 0);
  const autoWeighted = (pick: (a: Accuracy) => number) =>
    auto ? results.reduce((sum, r) => sum + pick(r.accuracy) * r.accuracy.autoShare * r.n, 0) / auto : 1;
  return {
    n,
    top1: weighted((a) => a.top1),
    top3: weighted((a) => a.top3),
    departmentTop1: weighted((a) => a.departmentTop1),
    departmentTop3: weighted((a) => a.departmentTop3),
    autoShare: auto / n,
    autoPrecision: autoWeighted((a) => a.autoPrecision),
    autoDepartmentPrecision: autoWeighted((a) => a.autoDepartmentPrecision),
  };
};

/**
 * How the auto-categorize threshold is chosen (`npm run triage:eval -- --calibrate`): the lowest
 * candidate threshold at which what the calibration set routes directly has the right category
 * with a one-sided `confidence` Wilson lower bound of at least `precision`. The bound, not the
 * observed share, so that a few lucky reports cannot pass a threshold; the lowest that passes, so
 * that as many reports as the promise allows skip the command centre. The model is trained on the
 * training examples only, as the router's is; no held-out set takes part.
 */
export const THRESHOLD_RULE = {
  precision: 0.95,
  confidence: 0.95,
  /** The standard normal quantile of `confidence`, one-sided. */
  z: 1.6448536269514722,
  /**
   * 0.50, 0.51, …, 1.00: every two-decimal value from 0.5 up. Half of all reports score above 0.95,
   * so a coarser grid would skip the values that matter (the first grid, 0.50–0.95 in steps of
   * 0.05, had no value that met the rule; see the commit that widened it).
   */
  candidates: Array.from({ length: 51 }, (_, i) => (50 + i) / 100),
} as const;

/**
 * The one-sided Wilson score lower bound for a proportion: with `right` of `n` observed, the true
 * share is at least this at the confidence whose normal quantile is `z`. 0 when nothing was observed.
 */
export const wilsonLowerBound = (right: number, n: number, z: number): number => {
  if (n === 0) return 0;
  const p = right / n;
  const z2 = z * z;
  const centre = p + z2 / (2 * n);
  const spread = z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return Math.max(0, (centre - spread) / (1 + z2 / n));
};

/** What one candidate threshold does on the calibration set. */
export interface ThresholdCandidate {
  threshold: number;
  /** Reports whose best score reaches the threshold, and how many of those have the right category. */
  routed: number;
  right: number;
  /** … and the right lead department. */
  departmentRight: number;
  /** right / routed (1 when nothing is routed). */
  precision: number;
  lowerBound: number;
}

export interface Calibration {
  n: number;
  candidates: ThresholdCandidate[];
  /** The lowest candidate that meets the rule; undefined when none does (then route nothing directly). */
  chosen: ThresholdCandidate | undefined;
}

/** Applies `THRESHOLD_RULE` (or another rule of the same form) to a model and the calibration set. */
export const calibrateThreshold = (
  model: TriageModel,
  calibration: readonly LabelledExample[],
  rule: { precision: number; z: number; candidates: readonly number[] } = THRESHOLD_RULE,
): Calibration => {
  const leads = leadsOf(model);
  const best = calibration.map((example) => {
    const top = suggest(model, example.text, 1)[0];
    return {
      score: top?.score ?? 0,
      right: top?.category === example.category,
      departmentRight: top !== undefined && top.lead === leads.get(example.category),
    };
  });
  const candidates = rule.candidates.map((threshold): ThresholdCandidate => {
    const routed = best.filter((b) => b.score >= threshold);
    const right = routed.filter((b) => b.right).length;
    return {
      threshold,
      routed: routed.length,
      right,
      departmentRight: routed.filter((b) => b.departmentRight).length,
      precision: routed.length ? right / routed.length : 1,
      lowerBound: wilsonLowerBound(right, routed.length, rule.z),
    };
  });
  return {
    n: calibration.length,
    candidates,
    chosen: [...candidates]
      .sort((a, b) => a.threshold - b.threshold)
      .find((c) => c.routed > 0 && c.lowerBound >= rule.precision),
  };
};

/** One category's figures on a held-out set: of the reports predicted as it, and of those that are it. */
export interface CategoryFigures {
  category: string;
  /** Held-out reports of this category. */
  support: number;
  /** Reports whose best suggestion is this category. */
  predicted: number;
  truePositives: number;
  /** Right among those predicted as it (1 when it was never predicted: nothing was wrong). */
  precision: number;
  /** Found among those that are it. */
  recall: number;
}

/** A kind of mistake: reports of `actual` whose best suggestion was `predicted`. */
export interface ConfusionPair {
  actual: string;
  predicted: string;
  count: number;
}

/** One department's figures: of the reports it should lead, how many the model put it first for. */
export interface DepartmentFigures {
  department: string;
  support: number;
  /** Reports whose best department is this one. */
  predicted: number;
  truePositives: number;
  precision: number;
  recall: number;
}

export interface Evaluation extends Accuracy {
  perDepartment: DepartmentFigures[];
  /** Best suggestion empty: the model knew none of the text's features. */
  noSuggestion: number;
  perCategory: CategoryFigures[];
  /** Most frequent first. */
  confusions: ConfusionPair[];
}

/** Top-1/top-3, per-category precision and recall, and the confusion pairs on a labelled set. */
export const evaluate = (
  model: TriageModel,
  heldOut: readonly LabelledExample[],
  autoScore: number,
): Evaluation => {
  const accuracy = accuracyOn(model, heldOut, autoScore);
  const support = new Map<string, number>();
  const predicted = new Map<string, number>();
  const hits = new Map<string, number>();
  const confusions = new Map<string, ConfusionPair>();
  let noSuggestion = 0;
  const bump = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1);
  for (const example of heldOut) {
    bump(support, example.category);
    const best = suggest(model, example.text, 1)[0]?.category;
    if (best === undefined) {
      noSuggestion++;
      continue;
    }
    bump(predicted, best);
    if (best === example.category) {
      bump(hits, best);
      continue;
    }
    const key = `${example.category}→${best}`;
    const pair = confusions.get(key) ?? { actual: example.category, predicted: best, count: 0 };
    pair.count++;
    confusions.set(key, pair);
  }
  const leads = leadsOf(model);
  const departments = [...new Set(model.categories.map((c) => c.lead))];
  const departmentSupport = new Map<string, number>();
  const departmentPredicted = new Map<string, number>();
  const departmentHits = new Map<string, number>();
  for (const example of heldOut) {
    const lead = leads.get(example.category) ?? '';
    bump(departmentSupport, lead);
    const best = suggestDepartments(model, example.text, 1)[0]?.department;
    if (best === undefined) continue;
    bump(departmentPredicted, best);
    if (best === lead) bump(departmentHits, lead);
  }
  return {
    ...accuracy,
    noSuggestion,
    perDepartment: departments.map((department) => {
      const tp = departmentHits.get(department) ?? 0;
      const p = departmentPredicted.get(department) ?? 0;
      const s = departmentSupport.get(department) ?? 0;
      return {
        department,
        support: s,
        predicted: p,
        truePositives: tp,
        precision: p ? tp / p : 1,
        recall: s ? tp / s : 1,
      };
    }),
    perCategory: model.categories.map(({ code }) => {
      const tp = hits.get(code) ?? 0;
      const p = predicted.get(code) ?? 0;
      const s = support.get(code) ?? 0;
      return {
        category: code,
        support: s,
        predicted: p,
        truePositives: tp,
        precision: p ? tp / p : 1,
        recall: s ? tp / s : 1,
      };
    }),
    confusions: [...confusions.values()].sort(
      (a, b) =>
        b.count - a.count || a.actual.localeCompare(b.actual) || a.predicted.localeCompare(b.predicted),
    ),
  };
};
