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

/** Reads and validates a district file (JSON). Throws `DistrictConfigError` naming file, path and rule. */
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
  return parseDistrict(document, file);
};
