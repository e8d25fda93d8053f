import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import {
  type CalibrationSet,
  calibrationSetFor,
  examplesFileFor,
  heldOutFilesFor,
  loadCalibrationSet,
  loadExamples,
  loadHeldOut,
} from '../shared/district/examples';
import { catalogueFileFor, loadDistrict } from '../shared/district/load';
import {
  accuracyOn,
  type Calibration,
  calibrateThreshold,
  crossValidate,
  type Evaluation,
  evaluate,
  stratifiedSplit,
  THRESHOLD_RULE,
} from '../shared/domain/classifier/evaluate';
import { suggest, train } from '../shared/domain/classifier/model';
import { indexDistrict } from '../shared/domain/district-index';
import { type Figure, recordFigures } from './report';

/**
 * The triage classifier's costs and accuracy for a district (default Sandun): training time (paid
 * once per cold start), suggestion latency, model size, the size of the function bundles with and
 * without the classifier, the auto-categorize threshold's rule and what it gives on the calibration
 * set, and accuracy on the calibration set, the held-out sets and examples left out of training.
 * For every other district beside it whose threshold is calibrated (on its own set or on one it
 * borrows), the same rule's result and the figures on that set.
 */

const districtFile = process.argv[2] ?? 'districts/sandun.json';
const district = indexDistrict(loadDistrict(districtFile));
const examples = loadExamples(examplesFileFor(districtFile), district.config);
const heldOutSets = heldOutFilesFor(districtFile).map((file) => ({
  file,
  examples: loadHeldOut(file, district.config),
}));
const heldOut = heldOutSets.flatMap((set) => set.examples);
const { file: calibrationFile, examples: calibration } = loadCalibrationSet(districtFile, district.config);
const threshold = district.config.triage.autoCategorizeScore;

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
const ms = (n: number) => `${n.toFixed(3)} ms`;
const pct = (n: number) => `${(n * 100).toFixed(1)} %`;
const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;

// Training: the first run includes the segmenter's ICU warm-up, as a cold start does.
const coldStart = performance.now();
let model = train(district, examples);
const coldTrain = performance.now() - coldStart;
const trainTimes: number[] = [];
for (let i = 0; i < 20; i++) {
  const start = performance.now();
  model = train(district, examples);
  trainTimes.push(performance.now() - start);
}
trainTimes.sort((a, b) => a - b);

// Latency on reports the model never saw (the held-out texts), 20 rounds after a warm-up round.
const texts = heldOut.map((e) => e.text);
for (const text of texts) suggest(model, text);
const latencies: number[] = [];
for (let round = 0; round < 20; round++) {
  for (const text of texts) {
    const start = performance.now();
    suggest(model, text);
    latencies.push(performance.now() - start);
  }
}
latencies.sort((a, b) => a - b);
const longText = '古墩路菜场门口污水外溢，臭味很大。'.repeat(2_000);
const longStart = performance.now();
for (let i = 0; i < 20; i++) suggest(model, longText);
const longMs = (performance.now() - longStart) / 20;

// The calibration set first: it chose the threshold the held-out sets are then measured at.
const measuredSets = [{ file: calibrationFile, examples: calibration }, ...heldOutSets].map((set) => ({
  ...set,
  result: evaluate(model, set.examples, threshold),
}));
const calibrated = calibrateThreshold(model, calibration);
const cv = crossValidate(district, examples, 5, threshold);
const { training, heldOut: splitHeldOut } = stratifiedSplit(examples, 0.2, 42);
const split = accuracyOn(train(district, training), splitHeldOut, threshold);

// Model size: in memory once every row has been asked for (feature strings as UTF-16 + one float64
// per category), and as the examples file the function ships (it trains from it; no model artifact).
const modelBytes = model.logLikelihood
  .features()
  .reduce((sum, f) => sum + f.length * 2 + model.categories.length * 8, 0);
const examplesFile = examplesFileFor(districtFile);
const examplesBytes = statSync(examplesFile).size;
const examplesGzip = gzipSync(readFileSync(examplesFile)).length;

/**
 * The function bundles as CDK builds them (esbuild, ESM, minified, SDK bundled): the router, which
 * runs the classifier on every report, and intake, which doesn't. "Without" subtracts what the
 * classifier's own modules add to the router's bundle (esbuild's metafile counts bytes per input).
 */
const bundle = async (entry: string) => {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    mainFields: ['module', 'main'],
    minify: true,
    write: false,
    metafile: true,
    logLevel: 'silent',
    outfile: 'out/index.mjs',
  });
  const output = Object.values(result.metafile.outputs)[0]!;
  const classifierBytes = Object.entries(output.inputs)
    .filter(([path]) =>
      /shared\/domain\/classifier\/|runtime\/composition\/triage|shared\/district\/examples/.test(path),
    )
    .reduce((sum, [, input]) => sum + input.bytesInOutput, 0);
  return { bytes: output.bytes, classifierBytes };
};
const router = await bundle('functions/route-reports/handler.ts');
const intake = await bundle('functions/intake/handler.ts');

console.log(
  `triage classifier — ${district.config.id}: ${district.config.categories.length} categories, ${examples.length} training examples, ${calibration.length} for calibration, ${heldOut.length} held out`,
);
const rule = `lowest of ${THRESHOLD_RULE.candidates[0]?.toFixed(2)}–${THRESHOLD_RULE.candidates.at(-1)?.toFixed(2)} (0.01 steps) whose directly routed calibration reports have the right category with a one-sided ${THRESHOLD_RULE.confidence * 100} % Wilson lower bound ≥ ${THRESHOLD_RULE.precision * 100} %`;
const gives = ({ chosen }: Calibration) =>
  chosen
    ? `gives ${chosen.threshold} (${chosen.right} of ${chosen.routed} right, bound ${pct(chosen.lowerBound)})`
    : 'no candidate meets it';
const chosen = gives(calibrated);
console.log(`  threshold               ${threshold} in the district file; rule: ${rule}: ${chosen}`);
console.log(
  `  training (cold start)   first ${ms(coldTrain)} (includes the segmenter's warm-up), then p50 ${ms(percentile(trainTimes, 0.5))}`,
);
console.log(
  `  model                   ${model.trainedOn.features} features, ~${kib(modelBytes)} in memory; shipped as ${examplesFile}: ${kib(examplesBytes)} (${kib(examplesGzip)} gzip)`,
);
console.log(
  `  suggest                 p50 ${ms(percentile(latencies, 0.5))}, p99 ${ms(percentile(latencies, 0.99))} (${latencies.length} calls on held-out texts); a 36,000-char text ${ms(longMs)} (cut at 2,000 chars)`,
);
console.log(
  `  router bundle           ${kib(router.bytes)} with the classifier, ${kib(router.bytes - router.classifierBytes)} without (classifier code ${kib(router.classifierBytes)}), + the examples file`,
);
console.log(
  `  intake bundle           ${kib(intake.bytes)} (classifier code in it: ${kib(intake.classifierBytes)}: intake only queues, the router categorises)`,
);
for (const [name, a] of [
  ...measuredSets.map((h) => [h.file.replace(/^.*\//, ''), h.result] as const),
  ['5-fold cross-validation', cv],
  ['20 % split, seed 42', split],
] as const) {
  console.log(
    `  ${name.padEnd(24)}  n=${a.n} category top-1 ${pct(a.top1)}, top-3 ${pct(a.top3)}; lead department top-1 ${pct(a.departmentTop1)}, top-3 ${pct(a.departmentTop3)}; auto ≥ ${threshold}: ${pct(a.autoShare)} of reports, ${pct(a.autoPrecision)} right (department ${pct(a.autoDepartmentPrecision)})`,
  );
}

/** One set's figures under `set` (`sandun.heldout`, `liangzhu on sandun.calibration`, …). */
const figuresOn = (set: string, result: Evaluation, threshold: number): Figure[] => {
  const note = `n=${result.n}`;
  const routed = Math.round(result.autoShare * result.n);
  return [
    { name: `triage ${set} category top-1`, value: result.top1 * 100, unit: '%', note },
    { name: `triage ${set} category top-3`, value: result.top3 * 100, unit: '%', note },
    { name: `triage ${set} department top-1`, value: result.departmentTop1 * 100, unit: '%', note },
    { name: `triage ${set} department top-3`, value: result.departmentTop3 * 100, unit: '%', note },
    {
      name: `triage ${set} routed directly`,
      value: result.autoShare * 100,
      unit: '%',
      note: `score ≥ ${threshold}: ${routed} of ${result.n}; ${pct(result.autoPrecision)} of them the right category, ${pct(result.autoDepartmentPrecision)} the right department`,
    },
    ...result.perDepartment
      .filter((d) => d.support > 0)
      .map((d) => ({
        name: `triage ${set} recall ${d.department}`,
        value: d.recall * 100,
        unit: '%',
        note: `n=${d.support}`,
      })),
  ];
};
const measuredFigures = measuredSets.flatMap(({ file, result }) =>
  figuresOn(file.replace(/^.*\//, '').replace(/\.json$/, ''), result, threshold),
);

/**
 * The other districts beside this one (`<id>.json`; the catalogue is not one) whose threshold is
 * calibrated: the rule applied to their own model (their examples, or the catalogue alone) on their
 * set, and that set's figures at the threshold their file says.
 */
const otherDistricts = readdirSync(dirname(districtFile))
  .filter((name) => /^[a-z][a-z0-9-]*\.json$/.test(name))
  .map((name) => join(dirname(districtFile), name))
  .filter((file) => file !== join(districtFile) && file !== catalogueFileFor(districtFile))
  .map((file) => ({ file, district: indexDistrict(loadDistrict(file)) }))
  .filter(({ file, district }) => calibrationSetFor(file, district.config) !== undefined)
  .map(({ file, district }) => {
    const set: CalibrationSet = loadCalibrationSet(file, district.config);
    const own = train(district, loadExamples(examplesFileFor(file), district.config));
    const threshold = district.config.triage.autoCategorizeScore;
    return {
      district,
      set,
      threshold,
      calibrated: calibrateThreshold(own, set.examples),
      result: evaluate(own, set.examples, threshold),
    };
  });
const setName = (set: CalibrationSet, id: string) =>
  set.lender === undefined
    ? set.file.replace(/^.*\//, '')
    : `${set.file.replace(/^.*\//, '')} (borrowed from ${set.lender}: its ${set.examples.length} reports of categories ${id} has, ${set.leftOut.length} left out)`;
for (const other of otherDistricts) {
  const a = other.result;
  console.log(
    `  ${other.district.config.id.padEnd(24)}  threshold ${other.threshold} in its file; the rule ${gives(other.calibrated)} on ${setName(other.set, other.district.config.id)}; there category top-1 ${pct(a.top1)}, top-3 ${pct(a.top3)}; lead department top-1 ${pct(a.departmentTop1)}, top-3 ${pct(a.departmentTop3)}; auto ≥ ${other.threshold}: ${pct(a.autoShare)} of reports, ${pct(a.autoPrecision)} right (department ${pct(a.autoDepartmentPrecision)})`,
  );
}
const otherFigures = otherDistricts.flatMap(({ district, set, threshold, calibrated, result }): Figure[] => [
  {
    name: `triage ${district.config.id} auto-categorize threshold`,
    value: threshold,
    unit: 'score',
    note: `${district.config.id}.json; same rule; on ${setName(set, district.config.id)} it ${gives(calibrated)}`,
  },
  ...figuresOn(
    `${district.config.id} on ${set.file.replace(/^.*\//, '').replace(/\.json$/, '')}`,
    result,
    threshold,
  ),
]);

const figures: Figure[] = [
  {
    name: 'triage auto-categorize threshold',
    value: threshold,
    unit: 'score',
    note: `${district.config.id}.json; rule: ${rule}; on ${calibrationFile.replace(/^.*\//, '')} it ${chosen}`,
  },
  ...measuredFigures,
  ...otherFigures,
  {
    name: 'triage suggest p50 latency',
    value: percentile(latencies, 0.5),
    unit: 'ms',
    note: 'held-out texts',
  },
  {
    name: 'triage suggest p99 latency',
    value: percentile(latencies, 0.99),
    unit: 'ms',
    note: 'held-out texts',
  },
  {
    name: 'triage training at cold start',
    value: coldTrain,
    unit: 'ms',
    note: 'first run, segmenter warm-up included',
  },
  {
    name: 'triage model in memory',
    value: modelBytes / 1024,
    unit: 'KB',
    note: `${model.trainedOn.features} features`,
  },
  {
    name: 'triage examples file',
    value: examplesBytes / 1024,
    unit: 'KB',
    note: `${examples.length} examples`,
  },
  {
    name: 'router bundle with classifier',
    value: router.bytes / 1024,
    unit: 'KB',
    note: 'esbuild minified, SDK bundled',
  },
  {
    name: 'router bundle without classifier',
    value: (router.bytes - router.classifierBytes) / 1024,
    unit: 'KB',
    note: 'classifier modules subtracted (metafile)',
  },
  { name: 'intake bundle', value: intake.bytes / 1024, unit: 'KB', note: 'carries no classifier code' },
  { name: 'triage 5-fold cross-validation top-1 (training set)', value: cv.top1 * 100, unit: '%' },
  { name: 'triage 5-fold cross-validation top-3 (training set)', value: cv.top3 * 100, unit: '%' },
];
recordFigures('classifier', figures);
