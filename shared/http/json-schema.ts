import { z } from 'zod';

/** A request schema as JSON Schema 2020-12 (OpenAPI 3.1's dialect), without the `$schema` tag. */
export const jsonSchemaOf = (type: z.ZodType) => {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(type, {
    target: 'draft-2020-12',
    io: 'input',
    unrepresentable: 'any',
  });
  return rest;
};
