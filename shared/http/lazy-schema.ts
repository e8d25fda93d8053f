/**
 * A request schema built the first time a request needs it. zod takes a while to build a schema
 * (a function's request schemas cost ~5–10 ms of its cold start), and a function serves several
 * routes that each validate only their own: a cold start for one route builds that route's schemas,
 * not every route's.
 */
export type LazySchema<S> = () => S;

export const lazySchema = <S>(build: () => S): LazySchema<S> => {
  let built: S | undefined;
  return () => {
    built ??= build();
    return built;
  };
};

/** A schema as given, or built now if it is lazy. */
export const schemaOf = <S extends object>(schema: S | LazySchema<S>): S =>
  typeof schema === 'function' ? (schema as LazySchema<S>)() : schema;
