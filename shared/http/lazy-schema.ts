/**
 * A request schema built the first time a request needs it. zod takes a while to build a schema
 * (a function's request schemas cost ~5–10 ms of its cold start), and a function serves several
 * routes that each validate only their own: a cold start for one route builds that route's schemas,
 * not every route's.
 *
 * Mark each module-level call `/* @__PURE__ *\/`: building nothing, it has no effect, and the mark
 * lets esbuild leave out of a function's bundle every schema (and the zod code only it uses) that
 * the function never reads: about 13–24 KB per API function. esbuild 0.28 does not take the
 * `@__NO_SIDE_EFFECTS__` mark on this declaration in place of the marks at the calls (measured).
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
