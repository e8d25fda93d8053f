import type { TriageFeedback } from './feedback';
import type { LabelledExample } from './model';

/** What makes two report texts "the same" for deduplication and the train/held-out separation. */
export const sameTextKey = (text: string): string =>
  text
    .normalize('NFKC')
    .replace(/[\s\p{P}\p{S}]+/gu, '')
    .toLowerCase();

export interface MergedExamples {
  examples: LabelledExample[];
  /** Feedback texts new to the examples. */
  added: number;
  /** Texts already in the examples that a person has since labelled differently (the person wins). */
  relabelled: number;
  /** Feedback that said what the examples already said. */
  unchanged: number;
  /**
   * Feedback left out because its text is in a held-out set or the calibration set (it would leak
   * into the evaluation or the threshold's choice).
   */
  heldOut: number;
  /** Feedback for a category the district no longer has. */
  unknownCategory: number;
}

/**
 * The examples file extended with the command centre's feedback: one example per distinct text,
 * the latest person's category winning, the file's order kept and new texts appended oldest first.
 * Held-out texts never enter (`heldOut` carries the calibration set's too), so `triage:eval` keeps
 * measuring and calibrating on reports the model has not seen.
 */
export const mergeFeedback = (
  examples: readonly LabelledExample[],
  feedback: readonly TriageFeedback[],
  options: { categories: ReadonlySet<string>; heldOut: readonly LabelledExample[] },
): MergedExamples => {
  const held = new Set(options.heldOut.map((e) => sameTextKey(e.text)));
  const merged = new Map<string, LabelledExample>();
  for (const e of examples) {
    const key = sameTextKey(e.text);
    if (!merged.has(key)) merged.set(key, { text: e.text, category: e.category });
  }
  const result = { added: 0, relabelled: 0, unchanged: 0, heldOut: 0, unknownCategory: 0 };
  const fromFile = new Set(merged.keys());
  const relabelledKeys = new Set<string>();
  for (const f of [...feedback].sort((a, b) => a.at.localeCompare(b.at))) {
    const text = f.text.trim();
    const key = sameTextKey(text);
    if (!key) continue;
    if (!options.categories.has(f.category)) {
      result.unknownCategory++;
      continue;
    }
    if (held.has(key)) {
      result.heldOut++;
      continue;
    }
    const existing = merged.get(key);
    if (!existing) {
      merged.set(key, { text, category: f.category });
      result.added++;
    } else if (existing.category !== f.category) {
      existing.category = f.category;
      if (fromFile.has(key)) relabelledKeys.add(key);
    } else {
      result.unchanged++;
    }
  }
  result.relabelled = relabelledKeys.size;
  return { examples: [...merged.values()], ...result };
};
