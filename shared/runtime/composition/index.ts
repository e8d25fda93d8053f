/**
 * The composition root: a factory per port, each building its adapter from the environment and the
 * process's one SDK client of its kind (../clients). Each handler's `buildDeps` picks what it needs
 * at cold start, so a missing variable fails the function before it serves anything.
 *
 * One module per concern, as in shared/ports; esbuild keeps only the factories a function calls. Four
 * are left out of this index and imported from their modules by the one function each that uses them:
 * esbuild keeps a module's top-level tables, and emits a chunk for every `import()` in the modules it
 * reads, called or not. Through here every bundle would carry the classifier (./triage), sharp and
 * exifr (./photos), the snapshot fetcher (./snapshots) and the S3 presigner (./export-store).
 */

// The SDK clients that load on first use; a function that uses one on every path awaits it at cold start.
export { s3, sfn, sqs } from '../clients';
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
