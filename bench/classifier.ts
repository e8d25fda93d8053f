import { performance } from 'node:perf_hooks';
import { examplesFileFor, loadExamples } from '../shared/district/examples';
import { loadDistrict } from '../shared/district/load';
import { accuracyOn, leaveOneOut, stratifiedSplit } from '../shared/domain/classifier/evaluate';
import { suggest, train } from '../shared/domain/classifier/model';
import { indexDistrict } from '../shared/domain/district-index';
import { recordFigures } from './report';

/**
 * The triage classifier's costs and accuracy for a district (default Sandun): training time (paid
 * once per cold start), suggestion latency, and accuracy on examples the model did not learn from.
 * Bundle: nothing extra to ship — the model is trained from the district and examples files.
 */

const districtFile = process.argv[2] ?? 'districts/sandun.json';
const district = indexDistrict(loadDistrict(districtFile));
const examples = loadExamples(examplesFileFor(districtFile), district.config);
const threshold = district.config.triage.autoCategorizeScore;

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
const ms = (n: number) => `${n.toFixed(3)} ms`;
const pct = (n: number) => `${(n * 100).toFixed(1)} %`;

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

const texts = examples.map((e) => e.text);
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

const loo = leaveOneOut(district, examples, threshold);
const { training, heldOut } = stratifiedSplit(examples, 0.2, 42);
const split = accuracyOn(train(district, training), heldOut, threshold);
const modelBytes = [...model.logLikelihood.keys()].reduce(
  (sum, f) => sum + f.length * 2 + model.categories.length * 8,
  0,
);

console.log(
  `triage classifier — ${district.config.id}: ${district.config.categories.length} categories, ${examples.length} examples`,
);
console.log(
  `  training                first (cold) ${ms(coldTrain)}, then p50 ${ms(percentile(trainTimes, 0.5))}`,
);
console.log(
  `  model                   ${model.trainedOn.features} features, ~${(modelBytes / 1024).toFixed(0)} KiB in memory`,
);
console.log(
  `  suggest                 p50 ${ms(percentile(latencies, 0.5))}, p99 ${ms(percentile(latencies, 0.99))} (${latencies.length} calls)`,
);
for (const [name, a] of [
  ['leave-one-out', loo],
  ['20 % split, seed 42', split],
] as const) {
  console.log(
    `  ${name.padEnd(22)}  n=${a.n} top-1 ${pct(a.top1)}, top-3 ${pct(a.top3)}; auto ≥ ${threshold}: ${pct(a.autoShare)} of reports, ${pct(a.autoPrecision)} right`,
  );
}
recordFigures('classifier', [
  { name: 'training (cold)', value: Number(coldTrain.toFixed(2)), unit: 'ms' },
  { name: 'suggest p50', value: Number(percentile(latencies, 0.5).toFixed(3)), unit: 'ms' },
  { name: 'suggest p99', value: Number(percentile(latencies, 0.99).toFixed(3)), unit: 'ms' },
  { name: 'leave-one-out top-1', value: Number((loo.top1 * 100).toFixed(1)), unit: '%' },
  { name: 'leave-one-out top-3', value: Number((loo.top3 * 100).toFixed(1)), unit: '%' },
]);
console.log(
  '  bundle                  +0 artifacts: trained at cold start from district.json + district.examples.json',
);
