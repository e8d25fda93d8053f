import { readFileSync } from 'node:fs';
import { DistrictConfigError } from './problems';
import type { DistrictConfig } from './schema';

/**
 * The district as the schema parsed it (defaults filled in, the catalogue expanded, shorthands
 * expanded), marked as that form. CDK bundles this into every function from the file it validated at
 * synth, so a cold start reads JSON instead of compiling and running the whole schema over it again
 * (~40 ms, more than a third of a minimal handler's cold start), and a function bundle carries no
 * schema at all (see `load-parsed.ts`). Code and file ship in one bundle: the mark only names the form.
 */
const PARSED_FORM = 'xietong:parsed-district:1';

export const parsedDistrictDocument = (district: DistrictConfig): string =>
  `${JSON.stringify({ form: PARSED_FORM, district })}\n`;

export const isParsedForm = (document: unknown): document is { form: string; district: DistrictConfig } =>
  typeof document === 'object' && document !== null && (document as { form?: unknown }).form === PARSED_FORM;

/** Reads and parses a JSON file, or throws naming the file and what went wrong. */
export const readJson = (file: string): unknown => {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new DistrictConfigError(file, [
      { path: '', rule: 'readable', message: `cannot read the file (${(error as Error).message})` },
    ]);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new DistrictConfigError(file, [
      { path: '', rule: 'json', message: `not valid JSON (${(error as Error).message})` },
    ]);
  }
};
