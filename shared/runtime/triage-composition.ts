import { resolve } from 'node:path';
import { examplesFileFor, loadExamples } from '../district/examples';
import { type TriageModel, train } from '../domain/classifier/model';
import type { DistrictIndex } from '../domain/district-index';
import { requireEnv } from './config';
import { ENV } from './env';

/**
 * The triage classifier, trained once at cold start from the district file's categories and the
 * examples file beside it (bundled with the district file): no model artifact to ship or sync.
 */
export const triageModelFromEnv = (
  district: DistrictIndex,
  env: NodeJS.ProcessEnv = process.env,
): TriageModel =>
  train(district, loadExamples(examplesFileFor(resolve(requireEnv(ENV.districtFile, env))), district.config));
