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
