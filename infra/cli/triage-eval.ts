import {
  examplesFileFor,
  heldOutFileFor,
  loadExamples,
  loadHeldOut,
  overlapWithHeldOut,
} from '../../shared/district/examples';
import { DistrictConfigError, loadDistrict } from '../../shared/district/load';
import { evaluate } from '../../shared/domain/classifier/evaluate';
import { train } from '../../shared/domain/classifier/model';
import { indexDistrict } from '../../shared/domain/district-index';
import { districtFileFrom } from './triage-args';

/**
 * `npm run triage:eval [-- --district sandun]`: trains the classifier exactly as the router does
 * (district file + examples file) and measures it on the held-out file, which it never learns from.
 * Exit code 1 when a held-out text also appears among the training examples.
 */

const districtFile = districtFileFrom(process.argv.slice(2));
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
const heldOut = load(() => loadHeldOut(heldOutFileFor(districtFile), district.config));
const threshold = district.config.triage.autoCategorizeScore;

const leaked = overlapWithHeldOut(training, heldOut);
if (leaked.length > 0) {
  console.error(`✗ ${leaked.length} held-out texts are also training examples, e.g. "${leaked[0]!.text}"`);
  process.exit(1);
}

const result = evaluate(train(district, training), heldOut, threshold);
const pct = (n: number) => `${(n * 100).toFixed(1)} %`;
const name = (code: string) => `${district.category(code)?.name.zh ?? code}`;

console.log(
  `triage classifier — ${district.config.id}: trained on ${training.length} examples (${examplesFileFor(districtFile)}),`,
);
console.log(
  `held out: ${result.n} reports over ${new Set(heldOut.map((e) => e.category)).size} categories (${heldOutFileFor(districtFile)})`,
);
console.log('');
console.log(`  top-1 accuracy   ${pct(result.top1)}`);
console.log(`  top-3 accuracy   ${pct(result.top3)}`);
console.log(`  no suggestion    ${result.noSuggestion}`);
console.log(
  `  auto ≥ ${threshold}       ${pct(result.autoShare)} of reports routed directly, ${pct(result.autoPrecision)} of those right`,
);
console.log('');
console.log('  per category                         n   predicted  precision  recall');
for (const c of result.perCategory) {
  console.log(
    `  ${c.category.padEnd(34)} ${String(c.support).padStart(3)}   ${String(c.predicted).padStart(6)}     ${pct(c.precision).padStart(7)}  ${pct(c.recall).padStart(7)}   ${name(c.category)}`,
  );
}
console.log('');
console.log(`  confusion pairs (actual → predicted), ${result.confusions.length} kinds:`);
for (const pair of result.confusions) {
  console.log(
    `  ${String(pair.count).padStart(3)} × ${name(pair.actual)} → ${name(pair.predicted)}   (${pair.actual} → ${pair.predicted})`,
  );
}
