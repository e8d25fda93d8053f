import {
  examplesFileFor,
  heldOutFilesFor,
  loadCalibrationSet,
  loadExamples,
  loadHeldOut,
  overlapWithHeldOut,
} from '../../shared/district/examples';
import { DistrictConfigError, loadDistrict } from '../../shared/district/load';
import { calibrateThreshold, evaluate, THRESHOLD_RULE } from '../../shared/domain/classifier/evaluate';
import type { LabelledExample } from '../../shared/domain/classifier/model';
import { train } from '../../shared/domain/classifier/model';
import { indexDistrict } from '../../shared/domain/district-index';
import { districtFileFrom } from './triage-args';

/**
 * `npm run triage:eval [-- --district sandun] [-- --categories] [-- --calibrate]`: trains the
 * classifier exactly as the router does (district file + examples file) and measures it on the
 * district's calibration set (its own, or the one `triage.calibrationSet` borrows, less the reports
 * of categories the district lacks) and every held-out set it has, none of which it learns from: top-1/top-3 for
 * the category and for the lead department, the share routed directly and how right that is,
 * per-department recall and the confusions. `--categories` adds the per-category table;
 * `--calibrate` applies `THRESHOLD_RULE` to the calibration set and prints the auto-categorize
 * threshold it gives (set it as `triage.autoCategorizeScore`) and every candidate's figures.
 * Exit code 1 when a held-out or calibration text is also a training example, or a calibration
 * text is in a held-out set.
 */

const args = process.argv.slice(2);
const districtFile = districtFileFrom(args);
const district = indexDistrict(loadDistrict(districtFile));
const load = <T>(read: () => T): T => {
  try {
    return read();
  } catch (error) {
    if (!(error instanceof DistrictConfigError)) throw error;
    console.error(`✗ ${error.message}`);
    process.exit(1);
  }
};
const training = load(() => loadExamples(examplesFileFor(districtFile), district.config));
const heldOutFiles = heldOutFilesFor(districtFile);
const calibrationSet = load(() => loadCalibrationSet(districtFile, district.config));
const { file: calibrationFile, examples: calibration } = calibrationSet;
const threshold = district.config.triage.autoCategorizeScore;
const model = train(district, training);
const pct = (n: number) => `${(n * 100).toFixed(1)} %`;
const name = (code: string) => `${district.category(code)?.name.zh ?? code}`;
const departmentName = (id: string) => `${district.department(id)?.name.zh ?? id}`;

console.log(
  `triage classifier — ${district.config.id}: ${district.config.categories.length} categories, trained on ${training.length} examples (${examplesFileFor(districtFile)})`,
);

let leakedAny = false;
const leaks = (what: string, file: string, examples: readonly LabelledExample[], into: string) => {
  if (examples.length === 0) return false;
  console.error(
    `✗ ${examples.length} texts of ${file} are also ${what} (${into}), e.g. "${examples[0]!.text}"`,
  );
  leakedAny = true;
  return true;
};

const report = (label: string, file: string, examples: readonly LabelledExample[]) => {
  const result = evaluate(model, examples, threshold);
  console.log('');
  console.log(
    `${label}: ${file} — ${result.n} reports over ${new Set(examples.map((e) => e.category)).size} categories`,
  );
  console.log('                     top-1     top-3');
  console.log(`  category         ${pct(result.top1).padStart(7)}   ${pct(result.top3).padStart(7)}`);
  console.log(
    `  lead department  ${pct(result.departmentTop1).padStart(7)}   ${pct(result.departmentTop3).padStart(7)}`,
  );
  console.log(`  no suggestion    ${result.noSuggestion}`);
  console.log(
    `  auto ≥ ${threshold}        ${pct(result.autoShare)} of reports routed directly: category right ${pct(result.autoPrecision)}, lead department right ${pct(result.autoDepartmentPrecision)}`,
  );
  console.log('');
  console.log('  per lead department                 n   predicted  precision  recall');
  for (const d of result.perDepartment.filter((d) => d.support > 0 || d.predicted > 0)) {
    console.log(
      `  ${d.department.padEnd(34)} ${String(d.support).padStart(3)}   ${String(d.predicted).padStart(6)}     ${pct(d.precision).padStart(7)}  ${pct(d.recall).padStart(7)}   ${departmentName(d.department)}`,
    );
  }
  if (args.includes('--categories')) {
    console.log('');
    console.log('  per category                         n   predicted  precision  recall');
    for (const c of result.perCategory.filter((c) => c.support > 0 || c.predicted > 0)) {
      console.log(
        `  ${c.category.padEnd(34)} ${String(c.support).padStart(3)}   ${String(c.predicted).padStart(6)}     ${pct(c.precision).padStart(7)}  ${pct(c.recall).padStart(7)}   ${name(c.category)}`,
      );
    }
  }
  console.log('');
  console.log(`  most frequent confusions (actual → predicted), of ${result.confusions.length} kinds:`);
  for (const pair of result.confusions.slice(0, 12)) {
    console.log(
      `  ${String(pair.count).padStart(3)} × ${name(pair.actual)} → ${name(pair.predicted)}   (${pair.actual} → ${pair.predicted})`,
    );
  }
};

const heldOutSets = heldOutFiles.map((file) => ({
  file,
  examples: load(() => loadHeldOut(file, district.config)),
}));
if (calibrationSet.lender !== undefined) {
  console.log(
    `calibration set borrowed from ${calibrationSet.lender} (triage.calibrationSet): ${calibration.length} of its ${calibration.length + calibrationSet.leftOut.length} reports, those of categories ${district.config.id} has (${calibrationSet.leftOut.length} left out)`,
  );
}
if (heldOutFiles.length === 0) {
  console.log(
    `no held-out set beside ${districtFile}: the calibration set's figures, which chose the threshold, are the only ones`,
  );
}
const calibrationLeaked = [
  leaks(
    'training examples',
    calibrationFile,
    overlapWithHeldOut(training, [...calibration, ...calibrationSet.leftOut]),
    'calibration set',
  ),
  ...heldOutSets.map(({ file, examples }) =>
    leaks('in a held-out set', calibrationFile, overlapWithHeldOut(calibration, examples), file),
  ),
].some(Boolean);
if (!calibrationLeaked) report('calibration set', calibrationFile, calibration);
for (const { file, examples } of heldOutSets) {
  if (leaks('training examples', file, overlapWithHeldOut(training, examples), 'held-out set')) continue;
  report('held out', file, examples);
}

if (args.includes('--calibrate') && !calibrationLeaked) {
  const calibrated = calibrateThreshold(model, calibration);
  console.log('');
  console.log(
    `calibration rule: the lowest threshold in ${THRESHOLD_RULE.candidates[0]?.toFixed(2)}–${THRESHOLD_RULE.candidates.at(-1)?.toFixed(2)} (steps of 0.01) at which what is routed directly of the ${calibrated.n} reports of ${calibrationFile} has the right category with a one-sided ${pct(THRESHOLD_RULE.confidence)} Wilson lower bound ≥ ${pct(THRESHOLD_RULE.precision)} (model trained on the training examples only)`,
  );
  console.log('  threshold   routed    share   right  precision  lower bound  department right');
  // Every 0.05 and every value from 0.95 up, where most reports score and the choice usually falls.
  const shown = calibrated.candidates.filter(
    (c) => c === calibrated.chosen || c.threshold >= 0.95 || Math.round(c.threshold * 100) % 5 === 0,
  );
  for (const c of shown) {
    console.log(
      `  ${c.threshold.toFixed(2).padStart(9)}   ${String(c.routed).padStart(6)}  ${pct(c.routed / calibrated.n).padStart(7)}  ${String(c.right).padStart(6)}  ${pct(c.precision).padStart(9)}  ${pct(c.lowerBound).padStart(11)}  ${pct(c.routed ? c.departmentRight / c.routed : 1).padStart(16)}${c === calibrated.chosen ? '   ← chosen' : ''}`,
    );
  }
  console.log(
    calibrated.chosen
      ? `calibration: auto-categorize at ≥ ${calibrated.chosen.threshold} (${calibrated.chosen.right} of ${calibrated.chosen.routed} routed directly right, lower bound ${pct(calibrated.chosen.lowerBound)}); the district file says ${threshold}`
      : `calibration: no candidate meets the rule; route nothing directly (the district file says ${threshold})`,
  );
}
if (leakedAny) process.exit(1);
