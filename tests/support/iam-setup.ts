import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { TestProject } from 'vitest/node';
import { localResourceIdsOf, synthesizeDistrict } from '../../infra/local/iam/template';
import { REPO_ROOT } from '../../infra/local/paths';
import { loadDistrict } from '../../shared/district/load';
import { FUNCTIONS } from '../../shared/runtime/functions';
import type { SynthesizedRoles } from './iam';

/**
 * Vitest global setup: the district stack synthesized once per run (bundling skipped), so that every
 * integration test can enforce each function's role. Kept in node_modules/.cache under a hash of
 * everything a grant can depend on (the stack, the shared code, cdk.json, the lockfile): a run
 * that changed none of it reuses the last synthesis (≈2 s saved).
 */
const INPUTS = [
  'infra/stack',
  'infra/district-app.ts',
  'infra/local/iam',
  'shared',
  'cdk.json',
  'package-lock.json',
  'districts/sandun.json',
];

const filesUnder = (path: string): string[] =>
  statSync(path).isDirectory()
    ? readdirSync(path)
        .sort()
        .flatMap((name) => filesUnder(join(path, name)))
    : [path];

const inputsHash = (): string => {
  const hash = createHash('sha256');
  for (const input of INPUTS) {
    for (const file of filesUnder(join(REPO_ROOT, input))) {
      hash.update(relative(REPO_ROOT, file)).update(readFileSync(file));
    }
  }
  return hash.digest('hex').slice(0, 16);
};

export default function setup(project: TestProject): void {
  const cacheDir = join(REPO_ROOT, 'node_modules', '.cache', 'xietong-iam');
  const cacheFile = join(cacheDir, `${inputsHash()}.json`);
  let roles: SynthesizedRoles;
  if (existsSync(cacheFile)) {
    roles = JSON.parse(readFileSync(cacheFile, 'utf8')) as SynthesizedRoles;
  } else {
    const districtFile = join(REPO_ROOT, 'districts/sandun.json');
    const synthesized = synthesizeDistrict({
      root: REPO_ROOT,
      district: loadDistrict(districtFile),
      districtFile,
      functions: FUNCTIONS,
    });
    roles = {
      template: synthesized.template,
      roles: [...synthesized.roles],
      resourceIds: localResourceIdsOf(synthesized.stack),
    };
    mkdirSync(cacheDir, { recursive: true });
    // Only the newest synthesis is worth keeping.
    for (const old of readdirSync(cacheDir)) rmSync(join(cacheDir, old), { force: true });
    writeFileSync(cacheFile, JSON.stringify(roles));
  }
  project.provide('localIam', roles);
}
