import * as z from '../validation/zod';
import type { DistrictProblem } from './problems';
import { type CatalogueUse, type Category, type CategoryOverride, districtSchemas } from './schema';

/**
 * The standard catalogue (`districts/catalogue.json`): GB/T 30428.2's components and events and the
 * common 12345 matters, each with a lead *role* and co-operating roles. A district file extends it
 * (`catalogue` in the district file): it maps roles to its departments, switches entries off,
 * overrides fields and adds its own categories. `resolveCatalogue` turns both into the district's
 * category list, which the rest of the platform sees as before.
 */

/** Built on first use, as the district schema it extends (see `districtSchemas`). */
const buildCatalogueSchemas = () => {
  const { LocalizedName, Category } = districtSchemas();
  const roleId = z
    .string()
    .check(z.regex(/^[a-z][a-z0-9-]{1,40}$/, 'must be lower-case letters, digits and dashes'));

  const CatalogueRole = z.object({ id: roleId, name: LocalizedName });

  const Catalogue = z
    .object({
      id: roleId,
      name: LocalizedName,
      version: z.string().check(z.minLength(1), z.maxLength(20)),
      roles: z.array(CatalogueRole).check(z.minLength(1), z.maxLength(60)),
      /** Entries name roles in `lead` and `cooperating`, not departments. */
      entries: z.array(Category).check(z.minLength(1), z.maxLength(300)),
    })
    .check(
      z.superRefine((catalogue, ctx) => {
        const roles = new Set(catalogue.roles.map((r) => r.id));
        const codes = new Set<string>();
        catalogue.entries.forEach((entry, i) => {
          if (codes.has(entry.code))
            ctx.addIssue({
              code: 'custom',
              path: ['entries', i, 'code'],
              message: `duplicate "${entry.code}"`,
            });
          codes.add(entry.code);
          for (const [path, role] of [
            [['lead'], entry.lead],
            ...entry.cooperating.map((r, j) => [['cooperating', j], r] as const),
          ] as const) {
            if (!roles.has(role))
              ctx.addIssue({
                code: 'custom',
                path: ['entries', i, ...path],
                message: `unknown role "${role}"`,
              });
          }
          if (entry.cooperating.includes(entry.lead))
            ctx.addIssue({
              code: 'custom',
              path: ['entries', i, 'cooperating'],
              message: 'the lead role cannot also co-operate',
            });
        });
      }),
    );

  return { CatalogueRole, Catalogue };
};

let built: ReturnType<typeof buildCatalogueSchemas> | undefined;
export const catalogueSchemas = () => (built ??= buildCatalogueSchemas());

export type Catalogue = z.infer<ReturnType<typeof catalogueSchemas>['Catalogue']>;

export interface ResolvedCatalogue {
  /** The active entries with departments in place of roles and the district's overrides applied. */
  categories: Category[];
  /** Problems in the district file's `catalogue` section (paths inside the district file). */
  problems: DistrictProblem[];
}

const applyOverride = (entry: Category, override: CategoryOverride | undefined): Category => {
  if (!override) return entry;
  const { deadlines, ...fields } = override;
  return {
    ...entry,
    ...Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)),
    deadlines: {
      ...entry.deadlines,
      ...Object.fromEntries(Object.entries(deadlines ?? {}).filter(([, v]) => v !== undefined)),
    },
  };
};

/**
 * The district's catalogue categories. A role maps to `use.roles[role]`, else to the department of
 * the same id; co-operating roles that land on the lead's department (two roles, one department)
 * are dropped, so a small town's departments absorb the catalogue's finer roles.
 */
export const resolveCatalogue = (
  catalogue: Catalogue,
  use: CatalogueUse,
  departments: ReadonlySet<string>,
): ResolvedCatalogue => {
  const problems: DistrictProblem[] = [];
  const problem = (path: string, rule: string, message: string) => problems.push({ path, rule, message });
  const codes = new Set(catalogue.entries.map((e) => e.code));
  const roles = new Set(catalogue.roles.map((r) => r.id));

  for (const [role, department] of Object.entries(use.roles)) {
    if (!roles.has(role))
      problem(`catalogue.roles.${role}`, 'unknown_role', `"${role}" is not a role of the catalogue`);
    if (!departments.has(department))
      problem(`catalogue.roles.${role}`, 'unknown_department', `unknown department "${department}"`);
  }
  const off = new Set(use.off);
  use.off.forEach((code, i) => {
    if (!codes.has(code)) problem(`catalogue.off.${i}`, 'unknown_category', `no catalogue entry "${code}"`);
  });
  for (const code of Object.keys(use.overrides)) {
    if (!codes.has(code))
      problem(`catalogue.overrides.${code}`, 'unknown_category', `no catalogue entry "${code}"`);
    else if (off.has(code))
      problem(`catalogue.overrides.${code}`, 'switched_off', `"${code}" is switched off in catalogue.off`);
  }

  const unmapped = new Map<string, string[]>();
  const department = (role: string, code: string): string | undefined => {
    const mapped = use.roles[role] ?? (departments.has(role) ? role : undefined);
    if (mapped === undefined) unmapped.set(role, [...(unmapped.get(role) ?? []), code]);
    return mapped;
  };
  const categories: Category[] = [];
  for (const entry of catalogue.entries) {
    if (off.has(entry.code)) continue;
    const override = use.overrides[entry.code];
    const lead = override?.lead ?? department(entry.lead, entry.code);
    const cooperating =
      override?.cooperating ??
      entry.cooperating.map((role) => department(role, entry.code)).filter((d) => d !== undefined);
    if (lead === undefined) continue;
    categories.push(
      applyOverride(
        { ...entry, lead, cooperating: [...new Set(cooperating)].filter((d) => d !== lead) },
        override && { ...override, lead: undefined, cooperating: undefined },
      ),
    );
  }
  for (const [role, users] of unmapped) {
    problem(
      'catalogue.roles',
      'unmapped_role',
      `role "${role}" (used by ${users.slice(0, 3).join(', ')}${users.length > 3 ? ` and ${users.length - 3} more` : ''}) has no department: map it, e.g. "${role}": "<department id>", or switch those entries off`,
    );
  }
  return { categories, problems };
};
