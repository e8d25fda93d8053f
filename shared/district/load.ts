import { readFileSync } from 'node:fs';
import type { z } from 'zod';
import { DistrictConfig } from './schema';

/** One broken rule in a district file: where it is and what it asks for. */
export interface DistrictProblem {
  /** Dotted path inside the file, e.g. `categories.3.lead`; empty for the whole document. */
  path: string;
  rule: string;
  message: string;
}

export class DistrictConfigError extends Error {
  override readonly name = 'DistrictConfigError';
  constructor(
    readonly file: string,
    readonly problems: DistrictProblem[],
  ) {
    super(
      `${file}: invalid district configuration\n${problems
        .map((p) => `  - ${p.path || '(root)'}: ${p.message} [${p.rule}]`)
        .join('\n')}`,
    );
  }
}

const problemsOf = (error: z.ZodError): DistrictProblem[] =>
  error.issues.map((issue) => ({
    path: issue.path.map(String).join('.'),
    rule: issue.code,
    message: issue.message,
  }));

/** Validates an already-parsed district document; `file` only names it in errors. */
export const parseDistrict = (document: unknown, file: string): DistrictConfig => {
  const result = DistrictConfig.safeParse(document);
  if (!result.success) throw new DistrictConfigError(file, problemsOf(result.error));
  return result.data;
};

/**
 * The district as the schema parsed it (defaults filled in, shorthands expanded), marked as that form.
 * CDK bundles this into every function from the file it validated at synth, so a cold start reads JSON
 * instead of compiling and running the whole schema over it again (~40 ms, more than a third of a
 * minimal handler's cold start). Code and file ship in one bundle: the mark only names the form.
 */
const PARSED_FORM = 'xietong:parsed-district:1';

export const parsedDistrictDocument = (district: DistrictConfig): string =>
  `${JSON.stringify({ form: PARSED_FORM, district })}\n`;

const isParsedForm = (document: unknown): document is { form: string; district: DistrictConfig } =>
  typeof document === 'object' && document !== null && (document as { form?: unknown }).form === PARSED_FORM;

/**
 * Reads and validates a district file (JSON), or takes a parsed form (`parsedDistrictDocument`) as it
 * is. Throws `DistrictConfigError` naming file, path and rule.
 */
export const loadDistrict = (file: string): DistrictConfig => {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new DistrictConfigError(file, [
      { path: '', rule: 'readable', message: `cannot read the file (${(error as Error).message})` },
    ]);
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new DistrictConfigError(file, [
      { path: '', rule: 'json', message: `not valid JSON (${(error as Error).message})` },
    ]);
  }
  if (isParsedForm(document)) return document.district;
  return parseDistrict(document, file);
};
