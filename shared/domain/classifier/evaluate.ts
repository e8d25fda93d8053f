import type { DistrictIndex } from '../district-index';
import { type LabelledExample, suggest, type TriageModel, train } from './model';
import { features } from './segment';

/** How the classifier does on examples it did not learn from (tests and the benchmark). */
export interface Accuracy {
  n: number;
  top1: number;
  top3: number;
  /** At the auto-categorize threshold: the share routed directly, and how many of those were right. */
  autoShare: number;
  autoPrecision: number;
}

export const accuracyOn = (
  model: TriageModel,
  heldOut: readonly LabelledExample[],
  autoScore: number,
): Accuracy => {
  let top1 = 0;
  let top3 = 0;
  let auto = 0;
  let autoRight = 0;
  for (const example of heldOut) {
    const suggestions = suggest(model, example.text, 3);
    const rank = suggestions.findIndex((s) => s.category === example.category);
    if (rank === 0) top1++;
    if (rank >= 0) top3++;
    if ((suggestions[0]?.score ?? 0) >= autoScore) {
      auto++;
      if (rank === 0) autoRight++;
    }
  }
  const n = heldOut.length;
  return {
    n,
    top1: n ? top1 / n : 0,
    top3: n ? top3 / n : 0,
    autoShare: n ? auto / n : 0,
    autoPrecision: auto ? autoRight / auto : 1,
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

/** Leave-one-out: each example judged by a model trained on all the others. */
export const leaveOneOut = (
  district: DistrictIndex,
  examples: readonly LabelledExample[],
  autoScore: number,
): Accuracy => {
  // Segmenting is most of training's cost: do it once for the n models rather than n times.
  const cache = new Map<string, readonly string[]>();
  const cached = (text: string) => {
    let found = cache.get(text);
    if (!found) {
      found = features(text);
      cache.set(text, found);
    }
    return found;
  };
  const results = examples.map((example, i) =>
    accuracyOn(
      train(
        district,
        examples.filter((_, j) => j !== i),
        cached,
      ),
      [example],
      autoScore,
    ),
  );
  const n = results.length;
  const sum = (pick: (a: Accuracy) => number) => results.reduce((s, a) => s + pick(a), 0);
  const auto = sum((a) => a.autoShare);
  return {
    n,
    top1: sum((a) => a.top1) / n,
    top3: sum((a) => a.top3) / n,
    autoShare: auto / n,
    autoPrecision: auto ? results.reduce((s, a) => s + (a.autoShare ? a.top1 : 0), 0) / auto : 1,
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

export interface Evaluation extends Accuracy {
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
  return {
    ...accuracy,
    noSuggestion,
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
