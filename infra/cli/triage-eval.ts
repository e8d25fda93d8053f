import {
  examplesFileFor,
  heldOutFilesFor,
  loadExamples,
  loadHeldOut,
  overlapWithHeldOut,
} from '../../shared/district/examples';
import { DistrictConfigError, loadDistrict } from '../../shared/district/load';
import { calibrateThreshold, evaluate } from '../../shared/domain/classifier/evaluate';
import { train } from '../../shared/domain/classifier/model';
import { indexDistrict } from '../../shared/domain/district-index';
import { districtFileFrom } from './triage-args';

/**
 * `npm run triage:eval [-- --district sandun] [-- --categories]`: trains the classifier exactly as
 * the router does (district file + examples file) and measures it on every held-out set of the
 * district, which it never learns from: top-1/top-3 for the category and for the lead department,
 * the share routed directly and how right that is, per-department recall and the confusions.
 * `--categories` adds the per-category table; `--calibrate` prints the auto-categorize threshold that
 * cross-validation on the training examples recommends (set it as `triage.autoCategorizeScore`).
 * Exit code 1 when a held-out text is also a training example.
 */

/** What cross-validation must show, so that reports nobody here wrote still come out ≥ 95 % right. */
const CALIBRATION_PRECISION = 0.965;

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
if (heldOutFiles.length === 0) {
  console.error(`✗ no held-out set beside ${districtFile}`);
  process.exit(1);
}
const threshold = district.config.triage.autoCategorizeScore;
const model = train(district, training);
const pct = (n: number) => `${(n * 100).toFixed(1)} %`;
const name = (code: string) => `${district.category(code)?.name.zh ?? code}`;
const departmentName = (id: string) => `${district.department(id)?.name.zh ?? id}`;

console.log(
  `triage classifier — ${district.config.id}: ${district.config.categories.length} categories, trained on ${training.length} examples (${examplesFileFor(districtFile)})`,
);
let leakedAny = false;
for (const file of heldOutFiles) {
  const heldOut = load(() => loadHeldOut(file, district.config));
  const leaked = overlapWithHeldOut(training, heldOut);
  if (leaked.length > 0) {
    console.error(
      `✗ ${leaked.length} texts of ${file} are also training examples, e.g. "${leaked[0]!.text}"`,
    );
    leakedAny = true;
    continue;
  }
  const result = evaluate(model, heldOut, threshold);
  console.log('');
  console.log(
    `held out: ${file} — ${result.n} reports over ${new Set(heldOut.map((e) => e.category)).size} categories`,
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
}
if (args.includes('--calibrate')) {
  const calibrated = calibrateThreshold(district, training, CALIBRATION_PRECISION);
  console.log('');
  console.log(
    calibrated
      ? `calibration: auto-categorize at ≥ ${calibrated.threshold} (5-fold cross-validation on the examples: ${pct(calibrated.accuracy.autoShare)} routed directly, ${pct(calibrated.accuracy.autoPrecision)} right; asked ≥ ${pct(CALIBRATION_PRECISION)}); the district file says ${threshold}`
      : `calibration: no threshold up to 0.95 reaches ${pct(CALIBRATION_PRECISION)} in cross-validation`,
  );
}
if (leakedAny) process.exit(1);
