/**
 * The composition root: a factory per port, each building its adapter from the environment and the
 * process's one SDK client of its kind (../clients). Each handler's `buildDeps` picks what it needs
 * at cold start, so a missing variable fails the function before it serves anything.
 *
 * One module per concern, as in shared/ports. A handler imports the modules it needs, not this
 * index: esbuild emits a chunk for every `import()` in the modules a bundle reads, called or not,
 * and hoists what such a chunk shares with the entry's SDK code into what every cold start reads.
 * Through here each function carried the S3 client's XML protocol and checksums, the Step Functions
 * chunk, and (from ./triage, ./photos, ./snapshots, ./export-store, which this index leaves out) the
 * classifier's tables, sharp, exifr and the presigner. This index gathers the rest for readers and tools.
 */

export * from './cameras';
export * from './case-effects';
export * from './cases';
export * from './district';
export * from './evaluation';
export * from './evidence';
export * from './exports';
export * from './integrations';
export * from './joint-visits';
export * from './notifications';
export * from './routing';
export * from './timers';
export * from './triage-feedback';
