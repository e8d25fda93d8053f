/**
 * An SDK client as the adapters take it: built, or a function that builds it (and loads the client's
 * module, see s3-sdk.ts, sqs-sdk.ts, sfn-sdk.ts) when first needed, for functions whose other paths
 * never touch that service. A function that uses it on every path builds it at cold start instead.
 */
export type ClientSource<C> = C | (() => Promise<C>);

export const clientOf = async <C extends object>(source: ClientSource<C>): Promise<C> =>
  typeof source === 'function' ? (source as () => Promise<C>)() : source;
