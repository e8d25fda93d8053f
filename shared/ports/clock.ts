// The time, injected so that the domain and the use cases never read it themselves.

export interface Clock {
  /** ISO 8601 instant in UTC. */
  now(): string;
}

export const systemClock: Clock = { now: () => new Date().toISOString() };
