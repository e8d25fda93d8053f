import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { synthesizedRoles } from '../../infra/local/iam/synth-cache';
import { REPO_ROOT } from '../../infra/local/paths';
import { loadDistrict } from '../../shared/district/load';
import { FUNCTIONS } from '../../shared/runtime/functions';

/**
 * Vitest global setup: the district stack's roles, synthesized once per run (or taken from the
 * cache the local cloud shares, infra/local/iam/synth-cache.ts), so that every integration test can
 * enforce each function's role.
 */
export default function setup(project: TestProject): void {
  const districtFile = join(REPO_ROOT, 'districts/sandun.json');
  project.provide(
    'localIam',
    synthesizedRoles({
      root: REPO_ROOT,
      district: loadDistrict(districtFile),
      districtFile,
      functions: FUNCTIONS,
    }),
  );
}
