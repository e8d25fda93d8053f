import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { LabelledExample } from '../domain/classifier/model';
import { sameTextKey } from '../domain/classifier/retrain';
import * as z from '../validation/zod';
import { DistrictConfigError, type DistrictProblem } from './problems';
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

/** `district.json` → `district.triage.json`: the classifier's counts the stack bundles (see shared/runtime/composition/triage.ts). */
export const triageCountsFileFor = (districtFile: string): string =>
  districtFile.replace(/(\.json)?$/, '.triage.json');

/** `districts/sandun.json` → `districts/sandun.examples.json`. */
export const examplesFileFor = (districtFile: string): string =>
  districtFile.replace(/(\.json)?$/, '.examples.json');

/** Validates the form of a parsed examples document, not yet against a district. */
const parseExamplesFile = (document: unknown, file: string): z.infer<typeof ExamplesFile> => {
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
  return result.data;
};

/** Validates a parsed examples document against its district; `file` only names it in errors. */
export const parseExamples = (
  document: unknown,
  file: string,
  district: DistrictConfig,
): LabelledExample[] => {
  const data = parseExamplesFile(document, file);
  const problems: DistrictProblem[] = [];
  if (data.district !== district.id) {
    problems.push({
      path: 'district',
      rule: 'district_mismatch',
      message: `examples for "${data.district}" cannot train district "${district.id}"`,
    });
  }
  const codes = new Set(district.categories.map((c) => c.code));
  data.examples.forEach((example, i) => {
    if (!codes.has(example.category)) {
      problems.push({
        path: `examples.${i}.category`,
        rule: 'unknown_category',
        message: `no category "${example.category}" in district "${district.id}"`,
      });
    }
  });
  if (problems.length > 0) throw new DistrictConfigError(file, problems);
  return data.examples;
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

/**
 * The set that chooses the district's threshold: its own `<district>.calibration.json` or, for a
 * district without one, the other district's set its `triage.calibrationSet` names beside the
 * district file. Undefined when it has neither.
 */
export const calibrationSetFor = (districtFile: string, district: DistrictConfig): string | undefined => {
  const own = calibrationFileFor(districtFile);
  if (existsSync(own)) return own;
  const named = district.triage.calibrationSet;
  return named === undefined ? undefined : join(dirname(districtFile), named);
};

/** The held-out sets and the calibration set, when there is one: every text training must leave out. */
export const keptApartFilesFor = (districtFile: string, district: DistrictConfig): string[] => {
  const calibration = calibrationSetFor(districtFile, district);
  return [...heldOutFilesFor(districtFile), ...(calibration === undefined ? [] : [calibration])];
};

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

export interface CalibrationSet {
  file: string;
  /** The district whose set it is when it is borrowed (`triage.calibrationSet`); else undefined. */
  lender: string | undefined;
  /** The reports that calibrate: all of the district's own set; of a borrowed one, those of its categories. */
  examples: LabelledExample[];
  /** A borrowed set's reports of categories the district does not have: not scored, still never trained on. */
  leftOut: LabelledExample[];
}

/**
 * Reads the set another district lends (`triage.calibrationSet`), keeping the reports of categories
 * this district has: the others have no right answer here, and its model cannot be right or wrong
 * on them. The set belongs to the lender, which validates it against its own categories; here it
 * must be a well-formed examples file of the district its name says, with no set of the borrower's
 * own beside it (one district, one set), and share at least one category.
 */
const readBorrowedCalibration = (
  districtFile: string,
  district: DistrictConfig,
  named: string,
): { set?: CalibrationSet; problems: DistrictProblem[] } => {
  const problem = (rule: string, message: string) => ({
    problems: [{ path: 'triage.calibrationSet', rule, message }],
  });
  const own = calibrationFileFor(districtFile);
  if (existsSync(own)) {
    return problem('own_calibration_set', `the district has its own calibration set (${own}); name none`);
  }
  const file = join(dirname(districtFile), named);
  if (!existsSync(file)) return problem('missing', `no calibration set at ${file}`);
  let document: z.infer<typeof ExamplesFile>;
  try {
    document = parseExamplesFile(JSON.parse(readFileSync(file, 'utf8')), file);
  } catch (error) {
    const why =
      error instanceof DistrictConfigError
        ? error.problems.map((p) => `${p.path || '(root)'}: ${p.message}`).join('; ')
        : (error as Error).message;
    return problem('invalid', `${file} is not a valid examples file (${why})`);
  }
  const lender = named.replace(/\.calibration\.json$/, '');
  if (document.district !== lender) {
    return problem('district_mismatch', `${file} holds reports of "${document.district}", not "${lender}"`);
  }
  const codes = new Set(district.categories.map((c) => c.code));
  const examples = document.examples.filter((e) => codes.has(e.category));
  if (examples.length === 0) {
    return problem('no_shared_category', `no report of ${file} has a category of "${district.id}"`);
  }
  const leftOut = document.examples.filter((e) => !codes.has(e.category));
  return { set: { file, lender, examples, leftOut }, problems: [] };
};

/** What is wrong with the calibration set the district names, if it names one (`district validate`). */
export const calibrationSetProblems = (districtFile: string, district: DistrictConfig): DistrictProblem[] => {
  const named = district.triage.calibrationSet;
  return named === undefined ? [] : readBorrowedCalibration(districtFile, district, named).problems;
};

/**
 * Reads the district's calibration set, its own or the one it borrows (for `triage:eval --calibrate`,
 * the benchmark and tests only). Throws naming the district file when there is none or it is unfit.
 */
export const loadCalibrationSet = (districtFile: string, district: DistrictConfig): CalibrationSet => {
  const named = district.triage.calibrationSet;
  if (named === undefined) {
    const file = calibrationFileFor(districtFile);
    if (!existsSync(file)) {
      throw new DistrictConfigError(districtFile, [
        {
          path: 'triage.calibrationSet',
          rule: 'missing',
          message: `no calibration set: no ${file}, and triage.calibrationSet names none of another district`,
        },
      ]);
    }
    return { file, lender: undefined, examples: loadCalibration(file, district), leftOut: [] };
  }
  const { set, problems } = readBorrowedCalibration(districtFile, district, named);
  if (set === undefined) throw new DistrictConfigError(districtFile, problems);
  return set;
};

/**
 * Every text training must leave out: the held-out sets' and the calibration set's, a borrowed
 * set's reports of other categories included (they are still the lender's calibration reports).
 */
export const loadKeptApart = (districtFile: string, district: DistrictConfig): LabelledExample[] => {
  const heldOut = heldOutFilesFor(districtFile).flatMap((file) => loadHeldOut(file, district));
  if (calibrationSetFor(districtFile, district) === undefined) return heldOut;
  const calibration = loadCalibrationSet(districtFile, district);
  return [...heldOut, ...calibration.examples, ...calibration.leftOut];
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
