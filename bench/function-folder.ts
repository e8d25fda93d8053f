import { copyFileSync, existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { REPO_ROOT } from '../infra/local/paths';
import { ENTRY_FILE } from '../infra/stack/bundling';
import { examplesFileFor, loadExamples, triageCountsFileFor } from '../shared/district/examples';
import { loadDistrict, parsedDistrictDocument } from '../shared/district/load';
import { countFeatures } from '../shared/domain/classifier/model';
import { indexDistrict } from '../shared/domain/district-index';
import { ENV } from '../shared/runtime/env';
import type { FunctionBundle } from './bundle-sizes';

/**
 * A bundled function laid out as Lambda would run it, for the benches that import bundles cold
 * (bench/bundles.ts, bench/cold-start-profile.ts): the bundle as `index.mjs` and its chunks, beside it what the
 * stack bundles with it (the district file in its parsed form, the triage examples and counts), and
 * a plausible configuration in the environment (the handlers validate it at cold start).
 */
export const BENCH_DISTRICT = join(REPO_ROOT, 'districts/sandun.json');

export const BENCH_ENVIRONMENT: Record<string, string> = {
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
  POWERTOOLS_LOG_LEVEL: 'ERROR',
  POWERTOOLS_METRICS_DISABLED: 'true',
  TABLE_NAME: 'xietong-bench',
  [ENV.tableName]: 'xietong-bench',
  [ENV.intakeQueueUrl]: 'https://sqs.us-east-1.amazonaws.com/000000000000/intake',
  [ENV.districtFile]: 'district.json',
  [ENV.trustedIssuer]: 'urn:xietong:bench',
  [ENV.claimRole]: 'role',
  [ENV.claimDepartment]: 'department',
  [ENV.claimZone]: 'zone',
  [ENV.timerStateMachineArn]: 'arn:aws:states:us-east-1:000000000000:stateMachine:timers',
  [ENV.notificationQueueUrl]: 'https://sqs.us-east-1.amazonaws.com/000000000000/notifications',
  [ENV.evidenceBucket]: 'xietong-bench-evidence',
  [ENV.exportsBucket]: 'xietong-bench-exports',
  [ENV.exportQueueUrl]: 'https://sqs.us-east-1.amazonaws.com/000000000000/export-jobs',
};

let companions: { district: string; triageCounts?: string } | undefined;
/** What the stack bundles beside the district file (infra/stack/district-stack.ts), worked out once. */
const companionsOf = () => {
  if (!companions) {
    const district = indexDistrict(loadDistrict(BENCH_DISTRICT));
    const examples = examplesFileFor(BENCH_DISTRICT);
    companions = {
      district: parsedDistrictDocument(district.config),
      ...(existsSync(examples) && {
        triageCounts: JSON.stringify(countFeatures(district, loadExamples(examples, district.config))),
      }),
    };
  }
  return companions;
};

/**
 * Writes the bundle and its companions into `folder` (created) and returns the bundle's path. With
 * `nodeModules`, the repo's node_modules stands in for what the deploy installs beside the bundle
 * (sharp, exceljs) or the runtime carries (the SDK, when left out of the bundle).
 */
export const stageFunction = (
  folder: string,
  bundle: Pick<FunctionBundle, 'files'>,
  nodeModules: boolean,
): string => {
  for (const { path, text } of bundle.files) {
    mkdirSync(dirname(join(folder, path)), { recursive: true });
    writeFileSync(join(folder, path), text);
  }
  const file = join(folder, ENTRY_FILE);
  const { district, triageCounts } = companionsOf();
  const districtFile = join(folder, 'district.json');
  writeFileSync(districtFile, district);
  if (triageCounts !== undefined) {
    copyFileSync(examplesFileFor(BENCH_DISTRICT), examplesFileFor(districtFile));
    writeFileSync(triageCountsFileFor(districtFile), triageCounts);
  }
  if (nodeModules) symlinkSync(join(REPO_ROOT, 'node_modules'), join(folder, 'node_modules'));
  return file;
};
