/**
 * `npm run docs:facts`: rewrites the generated regions of README.md and docs/**\/*.md (function
 * list and triggers, routes, indexes, evaluation figures, catalogue, triage accuracy) from the code
 * (infra/docs/facts.ts). tests/unit/docs-facts.test.ts fails when a region is out of date.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { factsStatus, PROJECT_ROOT } from '../docs/facts';

let changed = 0;
for (const { file, current, expected } of factsStatus()) {
  if (current === expected) continue;
  writeFileSync(join(PROJECT_ROOT, file), expected);
  process.stdout.write(`${file}: regions rewritten\n`);
  changed++;
}
process.stdout.write(changed === 0 ? 'docs: every generated region is up to date\n' : '');
