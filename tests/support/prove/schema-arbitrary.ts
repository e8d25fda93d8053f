import fc from 'fast-check';

/**
 * Values a JSON Schema (the OpenAPI 3.1 document's dialect, as zod emits it) accepts, as a fast-check
 * arbitrary. Only what our document uses is modelled; anything else falls back to any JSON value, so
 * a new keyword degrades to "hostile" input rather than to a crash of the fuzzer.
 */
export type JsonSchema = {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  $ref?: string;
  default?: unknown;
};

/**
 * Real values by field name (category codes, department ids, case ids…): a string field with one of
 * these names draws from them half the time, so generated requests get past the first lookup and
 * reach deeper code.
 */
export type KnownValues = Record<string, unknown[]>;

export interface SchemaContext {
  resolve(ref: string): JsonSchema | undefined;
  known: KnownValues;
}

const anyJson = fc.jsonValue({ maxDepth: 2 });

const patternString = (pattern: string, maxLength: number | undefined): fc.Arbitrary<string> => {
  try {
    const arbitrary = fc.stringMatching(new RegExp(pattern));
    return maxLength === undefined ? arbitrary : arbitrary.filter((s) => s.length <= maxLength);
  } catch {
    return fc.string({ maxLength: maxLength ?? 40 });
  }
};

const stringFor = (schema: JsonSchema): fc.Arbitrary<string> => {
  if (schema.format === 'date-time') {
    return fc
      .date({
        min: new Date('2020-01-01T00:00:00Z'),
        max: new Date('2030-12-31T00:00:00Z'),
        noInvalidDate: true,
      })
      .map((d) => d.toISOString());
  }
  if (schema.pattern) return patternString(schema.pattern, schema.maxLength);
  return fc.string({
    unit: fc.oneof(
      fc.constantFrom(...'abc 街道井盖破损噪音'.split('')),
      fc.string({ minLength: 1, maxLength: 1 }),
    ),
    minLength: schema.minLength ?? 0,
    maxLength: Math.min(schema.maxLength ?? 40, 60),
  });
};

const numberFor = (schema: JsonSchema, integer: boolean): fc.Arbitrary<number> => {
  const min =
    schema.exclusiveMinimum !== undefined ? schema.exclusiveMinimum + (integer ? 1 : 1e-9) : schema.minimum;
  const max =
    schema.exclusiveMaximum !== undefined ? schema.exclusiveMaximum - (integer ? 1 : 1e-9) : schema.maximum;
  if (integer) {
    return fc.integer({
      min: Math.max(min ?? -1_000_000, Number.MIN_SAFE_INTEGER),
      max: Math.min(max ?? 1_000_000, Number.MAX_SAFE_INTEGER),
    });
  }
  return fc.double({ min: min ?? -1e6, max: max ?? 1e6, noNaN: true, noDefaultInfinity: true });
};

export const arbitraryFor = (
  schema: JsonSchema | undefined,
  context: SchemaContext,
  fieldName?: string,
  depth = 0,
): fc.Arbitrary<unknown> => {
  const known = fieldName ? context.known[fieldName] : undefined;
  const generated = generatedFor(schema, context, fieldName, depth);
  return known && known.length > 0 ? fc.oneof(fc.constantFrom(...known), generated) : generated;
};

const generatedFor = (
  schema: JsonSchema | undefined,
  context: SchemaContext,
  fieldName: string | undefined,
  depth: number,
): fc.Arbitrary<unknown> => {
  if (!schema || depth > 6) return anyJson;
  if (schema.$ref) return arbitraryFor(context.resolve(schema.$ref), context, fieldName, depth + 1);
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives && alternatives.length > 0) {
    return fc.oneof(
      ...alternatives.map((alternative) => arbitraryFor(alternative, context, fieldName, depth + 1)),
    );
  }
  if (schema.allOf && schema.allOf.length > 0) {
    const merged: JsonSchema = { properties: {}, required: [] };
    for (const part of schema.allOf) {
      Object.assign(merged.properties!, part.properties);
      merged.required!.push(...(part.required ?? []));
      if (part.type) merged.type = part.type;
    }
    return arbitraryFor(merged, context, fieldName, depth + 1);
  }
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'string': {
      return stringFor(schema);
    }
    case 'integer':
      return numberFor(schema, true);
    case 'number':
      return numberFor(schema, false);
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array':
      return fc.array(arbitraryFor(schema.items, context, fieldName, depth + 1), {
        minLength: schema.minItems ?? 0,
        maxLength: Math.min(schema.maxItems ?? 4, 6),
      });
    case 'object': {
      const properties = schema.properties ?? {};
      const required = new Set(schema.required ?? []);
      const model: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [name, property] of Object.entries(properties)) {
        model[name] = arbitraryFor(property, context, name, depth + 1);
      }
      return fc.record(model, {
        requiredKeys: Object.keys(properties).filter((name) => required.has(name)),
      });
    }
    default:
      return anyJson;
  }
};
