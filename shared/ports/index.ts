/**
 * The ports: every interface the use cases need from the outside world, one file per concern.
 * Adapters implement them and import nothing but these and the domain.
 */

export * from './cameras';
export * from './cases';
export * from './clock';
export * from './evaluation';
export * from './evidence';
export * from './exports';
export * from './integrations';
export * from './joint-visits';
export * from './notifications';
export * from './routing';
export * from './timers';
export * from './triage';
