import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { LabelledExample } from '../domain/classifier/model';
import { sameTextKey } from '../domain/classifier/retrain';
import * as z from '../validation/zod';
import { DistrictConfigError, type DistrictProblem } from './load';
import type { DistrictConfig } from './schema';

/**
 * The district's labelled report texts (`<district>.examples.json`, next to the district file),
 * which the triage classifier learns from besides the categories' own names and keywords.
 * Operators extend it; an unknown category code fails the load, naming file, path and rule.
 */

export const ExamplesFile = z.object({
  district: z.string().check(z.minLength(1)),
  examples: z
    .array(
      z.object({
        text: z.string().check(z.trim(), z.minLength(1), z.maxLength(2_000)),
        category: z.string().check(z.minLength(1)),
      }),
    )
    .check(z.maxLength(50_000)),
});

/** `district.json` → `district.triage.json`: the classifier's counts the stack bundles (see triage-composition). */
export const triageCountsFileFor = (districtFile: string): string =>
  districtFile.replace(/(\.json)?$/, '.triage.json');

/** `districts/sandun.json` → `districts/sandun.examples.json`. */
export const examplesFileFor = (districtFile: string): string =>
  districtFile.replace(/(\.json)?$/, '.examples.json');

/** Validates a parsed examples document against its district; `file` only names it in errors. */
export const parseExamples = (
  document: unknown,
  file: string,
  district: DistrictConfig,
): LabelledExample[] => {
  const result = ExamplesFile.safeParse(document);
  if (!result.success) {
    throw new DistrictConfigError(
      file,
      result.error.issues.map((issue) => ({
        path: issue.path.map(String).join('.'),
        rule: issue.code,
        message: issue.message,
      })),
    );
  }
  const problems: DistrictProblem[] = [];
  if (result.data.district !== district.id) {
    problems.push({
      path: 'district',
      rule: 'district_mismatch',
      message: `examples for "${result.data.district}" cannot train district "${district.id}"`,
    });
  }
  const codes = new Set(district.categories.map((c) => c.code));
  result.data.examples.forEach((example, i) => {
    if (!codes.has(example.category)) {
      problems.push({
        path: `examples.${i}.category`,
        rule: 'unknown_category',
        message: `no category "${example.category}" in district "${district.id}"`,
      });
    }
  });
  if (problems.length > 0) throw new DistrictConfigError(file, problems);
  return result.data.examples;
};

/**
 * `districts/sandun.json` → `districts/sandun.heldout.json`: labelled reports kept apart to measure
 * the classifier (`npm run triage:eval`). Nothing that trains may read it.
 */
export const heldOutFileFor = (districtFile: string): string =>
  districtFile.replace(/(\.json)?$/, '.heldout.json');

/** `sandun.heldout.json`, `sandun.heldout-2.json`, …: every held-out set of a district. */
const HELD_OUT = /\.heldout(-[a-z0-9]+)?\.json$/;

/**
 * `districts/sandun.json` → `districts/sandun.calibration.json`: labelled reports that choose the
 * auto-categorize threshold (`npm run triage:eval -- --calibrate`). Kept apart like the held-out
 * sets: a threshold chosen on reports the model learnt from would promise more than it keeps, and
 * choosing it on a held-out set would leave nothing honest to measure it with.
 */
export const calibrationFileFor = (districtFile: string): string =>
  districtFile.replace(/(\.json)?$/, '.calibration.json');

/** Files nothing that trains may read: the held-out sets and the calibration set. */
const KEPT_APART = /\.(heldout(-[a-z0-9]+)?|calibration)\.json$/;

/**
 * All the district's held-out sets, oldest name first: `<district>.heldout.json` and any
 * `<district>.heldout-<name>.json` beside it (a later set, written in other styles, kept as well).
 */
export const heldOutFilesFor = (districtFile: string): string[] => {
  const directory = dirname(districtFile);
  const district = basename(districtFile).replace(/\.json$/, '');
  if (!existsSync(directory)) return [];
  return readdirSync(directory)
    .filter((name) => name.startsWith(`${district}.`) && HELD_OUT.test(name))
    .filter((name) => name.slice(district.length).match(/^\.heldout(-[a-z0-9]+)?\.json$/))
    .sort((a, b) => a.length - b.length || a.localeCompare(b))
    .map((name) => join(directory, name));
};

/** The held-out sets and, when there is one, the calibration set: every text training must leave out. */
export const keptApartFilesFor = (districtFile: string): string[] => [
  ...heldOutFilesFor(districtFile),
  ...(existsSync(calibrationFileFor(districtFile)) ? [calibrationFileFor(districtFile)] : []),
];

/**
 * Reads and validates the training examples; a district without a file trains on its categories
 * alone. A held-out or calibration file is refused here, so no training path can learn from them.
 */
export const loadExamples = (file: string, district: DistrictConfig): LabelledExample[] => {
  if (KEPT_APART.test(file)) {
    throw new DistrictConfigError(file, [
      {
        path: '',
        rule: 'held_out',
        message: 'held-out and calibration sets measure the classifier; they never train it',
      },
    ]);
  }
  return readExamples(file, district);
};

/** Reads and validates the held-out evaluation set (for `triage:eval` and tests only). */
export const loadHeldOut = (file: string, district: DistrictConfig): LabelledExample[] => {
  if (!existsSync(file)) {
    throw new DistrictConfigError(file, [{ path: '', rule: 'missing', message: 'no held-out set' }]);
  }
  return readExamples(file, district);
};

/** Reads and validates the calibration set (for `triage:eval --calibrate`, the benchmark and tests only). */
export const loadCalibration = (file: string, district: DistrictConfig): LabelledExample[] => {
  if (!existsSync(file)) {
    throw new DistrictConfigError(file, [{ path: '', rule: 'missing', message: 'no calibration set' }]);
  }
  return readExamples(file, district);
};

/** Training examples whose text is also in the held-out (or calibration) set (must be none). */
export const overlapWithHeldOut = (
  training: readonly LabelledExample[],
  heldOut: readonly LabelledExample[],
): LabelledExample[] => {
  const held = new Set(heldOut.map((e) => sameTextKey(e.text)));
  return training.filter((e) => held.has(sameTextKey(e.text)));
};

const readExamples = (file: string, district: DistrictConfig): LabelledExample[] => {
  if (!existsSync(file)) return [];
  let document: unknown;
  try {
    document = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new DistrictConfigError(file, [
      { path: '', rule: 'json', message: `not valid JSON (${(error as Error).message})` },
    ]);
  }
  return parseExamples(document, file, district);
};

/** Writes the examples file an operator reviews, commits and redeploys (one example per line pair). */
export const writeExamples = (
  file: string,
  district: DistrictConfig,
  examples: readonly LabelledExample[],
) => {
  if (KEPT_APART.test(file)) throw new Error(`refusing to write training examples into ${file}`);
  writeFileSync(file, `${JSON.stringify({ district: district.id, examples }, null, 2)}\n`);
};
