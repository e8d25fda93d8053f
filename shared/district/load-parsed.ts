import { isParsedForm, readJson } from './parsed-form';
import { DistrictConfigError } from './problems';
import type { DistrictConfig } from './schema';

export { DistrictConfigError, type DistrictProblem } from './problems';

/**
 * What a function bundle has in place of `./load`: `#district-loader` (package.json `imports`)
 * resolves here under the condition infra/stack/bundling.ts builds with. CDK bundles the district
 * in its parsed form, validated at synth, so in Lambda the schema never runs, and leaving it out of
 * the bundle spares every cold start from compiling it. A file in any other form is refused by name
 * rather than trusted unchecked.
 */
export const loadDistrict = (file: string): DistrictConfig => {
  const document = readJson(file);
  if (isParsedForm(document)) return document.district;
  throw new DistrictConfigError(file, [
    {
      path: '',
      rule: 'parsed_form',
      message: 'a function reads its district in the parsed form the stack bundles (validated at synth)',
    },
  ]);
};
