import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { examplesFileFor, loadExamples, triageCountsFileFor } from '../../district/examples';
import {
  modelFromCounts,
  modelOnFirstUse,
  parseFeatureCounts,
  type TriageModel,
  train,
} from '../../domain/classifier/model';
import type { DistrictIndex } from '../../domain/district-index';
import { requireEnv } from '../config';
import { ENV } from '../env';

/**
 * The triage classifier, built from the district file's categories and the examples file beside it:
 * no model artifact to ship or sync. A bundle also carries the counts the stack took from those at
 * synth (`<district>.triage.json`), and then the model is built from them without segmenting every
 * text again. Built on the first report without a category (`modelOnFirstUse`), not at cold start:
 * most reports come with one, and those never pay for it.
 */
export const triageModelFromEnv = (
  district: DistrictIndex,
  env: NodeJS.ProcessEnv = process.env,
): TriageModel => {
  const districtFile = resolve(requireEnv(ENV.districtFile, env));
  return modelOnFirstUse(district, () => {
    const countsFile = triageCountsFileFor(districtFile);
    const counted = existsSync(countsFile) ? parseFeatureCounts(readFileSync(countsFile, 'utf8')) : undefined;
    if (counted) return modelFromCounts(district, counted);
    return train(district, loadExamples(examplesFileFor(districtFile), district.config));
  });
};
