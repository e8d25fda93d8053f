import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join, relative } from 'node:path';
import type { DistrictConfig } from '../../../shared/district/schema';
import type { FunctionSpec } from '../../../shared/runtime/functions';
import { type LocalResourceIds, localResourceIdsOf, synthesizeDistrict, type Template } from './template';

/**
 * The synthesized template's roles, kept in node_modules/.cache under a hash of everything a grant
 * can depend on: the stack, the shared code, cdk.json, the lockfile, the district and the function
 * list. Synthesis costs 2–5 s of CPU at every start of the local cloud and every test run; most
 * starts change none of it.
 */
export interface SynthesizedRoles {
  template: Template;
  /** Function name (and the timers' state machine) → its role's logical id. */
  roles: [string, string][];
  resourceIds: LocalResourceIds;
}

const INPUTS = [
  'infra/stack',
  'infra/district-app.ts',
  'infra/local/iam',
  'shared',
  'cdk.json',
  'package-lock.json',
];
const KEPT = 8;

const filesUnder = (path: string): string[] =>
  statSync(path).isDirectory()
    ? readdirSync(path)
        .sort()
        .flatMap((name) => filesUnder(join(path, name)))
    : [path];

export const synthesizedRoles = (options: {
  root: string;
  district: DistrictConfig;
  districtFile: string;
  functions: FunctionSpec[];
}): SynthesizedRoles => {
  const hash = createHash('sha256');
  for (const input of INPUTS) {
    const path = join(options.root, input);
    if (!existsSync(path)) continue;
    for (const file of filesUnder(path)) hash.update(relative(options.root, file)).update(readFileSync(file));
  }
  hash.update(readFileSync(options.districtFile)).update(JSON.stringify(options.functions));
  const cacheDir = join(options.root, 'node_modules', '.cache', 'xietong-iam');
  const cacheFile = join(cacheDir, `${hash.digest('hex').slice(0, 16)}.json`);
  if (existsSync(cacheFile)) return JSON.parse(readFileSync(cacheFile, 'utf8')) as SynthesizedRoles;

  const synthesized = synthesizeDistrict(options);
  const roles: SynthesizedRoles = {
    template: synthesized.template,
    roles: [...synthesized.roles],
    resourceIds: localResourceIdsOf(synthesized.stack),
  };
  mkdirSync(cacheDir, { recursive: true });
  // Written whole, then renamed into place: a concurrent start never reads half a file.
  const partial = `${cacheFile}.${process.pid}.tmp`;
  writeFileSync(partial, JSON.stringify(roles));
  renameSync(partial, cacheFile);
  const old = readdirSync(cacheDir)
    .map((name) => ({ name, at: statSync(join(cacheDir, name)).mtimeMs }))
    .sort((a, b) => b.at - a.at)
    .slice(KEPT);
  for (const { name } of old) rmSync(join(cacheDir, name), { force: true });
  return roles;
};
