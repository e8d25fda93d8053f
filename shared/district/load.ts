import { dirname, join } from 'node:path';
import type { z } from '../validation/zod';
import { type Catalogue, catalogueSchemas, resolveCatalogue } from './catalogue';
import { isParsedForm, readJson } from './parsed-form';
import { DistrictConfigError, type DistrictProblem } from './problems';
import { type DistrictConfig, districtSchemas } from './schema';

// Callers catch the error that loading throws from here, with the rest of the loading API.
export { parsedDistrictDocument } from './parsed-form';
export { DistrictConfigError, type DistrictProblem } from './problems';

const problemsOf = (error: z.core.$ZodError): DistrictProblem[] =>
  error.issues.map((issue) => ({
    path: issue.path.map(String).join('.'),
    rule: issue.code,
    message: issue.message,
  }));

const catalogues = new Map<string, Catalogue>();

/** Reads and validates a catalogue file (once per process: every district of a test run shares it). */
export const loadCatalogue = (file: string): Catalogue => {
  const known = catalogues.get(file);
  if (known) return known;
  const result = catalogueSchemas().Catalogue.safeParse(readJson(file));
  if (!result.success) throw new DistrictConfigError(file, problemsOf(result.error));
  catalogues.set(file, result.data);
  return result.data;
};

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The catalogue file a district document extends, if any (for bundling it beside the district file). */
export const catalogueFileOf = (document: unknown, file: string): string | undefined => {
  const use = isRecord(document) && isRecord(document.catalogue) ? document.catalogue.extends : undefined;
  return typeof use === 'string' ? join(dirname(file), use) : undefined;
};

/** The catalogue file a district file extends, read from the file itself (CDK bundles it beside it). */
export const catalogueFileFor = (districtFile: string): string | undefined =>
  catalogueFileOf(readJson(districtFile), districtFile);

/**
 * Expands the district's use of the catalogue into its category list: the catalogue's active
 * entries first, then the district's own. A problem in an expanded entry is named by its catalogue
 * code (`catalogue.overrides.<code>.…`), one in the district's own by its index (`categories.<i>.…`).
 */
const withCatalogue = (
  document: Record<string, unknown>,
  file: string,
): { document: Record<string, unknown>; fromCatalogue: string[]; problems: DistrictProblem[] } => {
  const catalogueFile = catalogueFileOf(document, file);
  const parsedUse = districtSchemas().CatalogueUse.safeParse(document.catalogue);
  if (catalogueFile === undefined || !parsedUse.success) {
    const problems =
      document.catalogue === undefined || parsedUse.success
        ? []
        : problemsOf(parsedUse.error).map((p) => ({
            ...p,
            path: p.path ? `catalogue.${p.path}` : 'catalogue',
          }));
    return { document, fromCatalogue: [], problems };
  }
  let catalogue: Catalogue;
  try {
    catalogue = loadCatalogue(catalogueFile);
  } catch (error) {
    // A catalogue that is not there is the district file's problem (and every category is missing
    // with it, which would only bury the cause); a broken one is the catalogue's.
    if (!(error instanceof DistrictConfigError) || error.problems[0]?.rule !== 'readable') throw error;
    throw new DistrictConfigError(file, [
      { path: 'catalogue.extends', rule: 'readable', message: `no catalogue at ${catalogueFile}` },
    ]);
  }
  const departments = new Set(
    (Array.isArray(document.departments) ? document.departments : [])
      .map((d) => (isRecord(d) ? d.id : undefined))
      .filter((id): id is string => typeof id === 'string'),
  );
  const { categories, problems } = resolveCatalogue(catalogue, parsedUse.data, departments);
  const own = document.categories ?? [];
  const entryCodes = new Set(catalogue.entries.map((e) => e.code));
  if (Array.isArray(own)) {
    own.forEach((category, i) => {
      if (isRecord(category) && typeof category.code === 'string' && entryCodes.has(category.code))
        problems.push({
          path: `categories.${i}.code`,
          rule: 'catalogue_entry',
          message: `"${category.code}" is a catalogue entry: change it under catalogue.overrides`,
        });
    });
  }
  return {
    document: { ...document, categories: Array.isArray(own) ? [...categories, ...own] : own },
    fromCatalogue: categories.map((c) => c.code),
    problems,
  };
};

/** Validates an already-parsed district document; `file` names it in errors and locates its catalogue. */
export const parseDistrict = (document: unknown, file: string): DistrictConfig => {
  const expanded = isRecord(document)
    ? withCatalogue(document, file)
    : { document, fromCatalogue: [], problems: [] };
  const result = districtSchemas().DistrictConfig.safeParse(expanded.document);
  const { fromCatalogue } = expanded;
  const problems = [
    ...expanded.problems,
    ...(result.success ? [] : problemsOf(result.error)).map((p) => {
      const [head, index, ...rest] = p.path.split('.');
      if (head !== 'categories' || index === undefined || fromCatalogue.length === 0) return p;
      const i = Number(index);
      const path =
        i < fromCatalogue.length
          ? ['catalogue', 'overrides', fromCatalogue[i], ...rest]
          : ['categories', String(i - fromCatalogue.length), ...rest];
      return { ...p, path: path.join('.') };
    }),
  ];
  if (problems.length > 0 || !result.success) throw new DistrictConfigError(file, problems);
  return result.data;
};

/**
 * Reads and validates a district file (JSON), or takes a parsed form (`parsedDistrictDocument`) as it
 * is. Throws `DistrictConfigError` naming file, path and rule.
 */
export const loadDistrict = (file: string): DistrictConfig => {
  const document = readJson(file);
  return isParsedForm(document) ? document.district : parseDistrict(document, file);
};
