import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type App, type Environment, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { DistrictConfigError, type DistrictProblem, loadDistrict } from '../shared/district/load';
import type { DistrictConfig } from '../shared/district/schema';
import { DistrictStack, type DistrictStackProps } from './stack/district-stack';

/** The repository root; FUNCTIONS' entry files and `districts/` are relative to it. */
export const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));
export const DISTRICTS_DIR = join(PROJECT_ROOT, 'districts');
export const DEFAULT_DISTRICT = 'sandun';

const DISTRICT_ID = /^[a-z][a-z0-9-]{1,40}$/;

export const stackNameOf = (districtId: string): string => `Xietong-${districtId}`;

export interface LoadedDistrict {
  district: DistrictConfig;
  file: string;
}

/**
 * Loads `<districtsDir>/<id>.json` and checks what the stack needs beyond the schema. Throws
 * `DistrictConfigError` naming the file, the path and the rule.
 */
export const loadDistrictForStack = (districtId: string, districtsDir = DISTRICTS_DIR): LoadedDistrict => {
  const file = join(districtsDir, `${districtId}.json`);
  if (!DISTRICT_ID.test(districtId)) {
    throw new DistrictConfigError(file, [
      {
        path: '',
        rule: 'district-id',
        message: `"${districtId}" is not a district id (lower-case letters, digits and dashes)`,
      },
    ]);
  }
  const district = loadDistrict(file);
  const problems: DistrictProblem[] = [];
  if (district.id !== districtId) {
    problems.push({
      path: 'id',
      rule: 'matches-file-name',
      message: `the file is named after "${districtId}" but declares id "${district.id}"`,
    });
  }
  const identity = district.identity;
  if (identity?.issuer && !identity.audience) {
    problems.push({
      path: 'identity.audience',
      rule: 'required-with-issuer',
      message: 'the HTTP API checks the token audience: name it when naming an issuer',
    });
  }
  if (!identity?.issuer && identity?.audience) {
    problems.push({
      path: 'identity.issuer',
      rule: 'required-with-audience',
      message: 'an audience without an issuer would be ignored (the stack would create a Cognito user pool)',
    });
  }
  if (problems.length > 0) throw new DistrictConfigError(file, problems);
  return { district, file };
};

/**
 * Runs the cdk-nag AwsSolutions rules on every synth of `app`: an unacknowledged error stops the
 * synth (the CLI prints the report), so an operator sees findings before any deploy. Warnings are
 * printed but do not stop it; tests/infra/nag.test.ts holds both at zero.
 */
export const addSecurityChecks = (app: App): void => {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
};

export interface DistrictAppOptions
  extends Pick<DistrictStackProps, 'corsOrigins' | 'throttle' | 'functions' | 'tags' | 'webAssetsDir'> {
  /** District id: the stack deploys `districts/<id>.json`. */
  district: string;
  /** Where district files live; tests point it at fixtures. */
  districtsDir?: string;
  env?: Environment;
}

/**
 * Validates the district file first, then adds its `Xietong-<id>` stack to `app`. Both the CDK entry
 * point and the tests build the stack through here.
 */
export const buildDistrictApp = (app: App, options: DistrictAppOptions): DistrictStack => {
  const { district: districtId, districtsDir, ...stackOptions } = options;
  const { district, file } = loadDistrictForStack(districtId, districtsDir);
  return new DistrictStack(app, stackNameOf(district.id), {
    ...stackOptions,
    district,
    districtFile: file,
    projectRoot: PROJECT_ROOT,
  });
};
