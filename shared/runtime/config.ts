import { statSync } from 'node:fs';
import { resolve } from 'node:path';
// A function bundle resolves this to the parsed-form reader (shared/district/load-parsed.ts), the
// local cloud and the tests to the validating loader: see "imports" in package.json.
import { loadDistrict } from '#district-loader';
import type { DistrictConfig } from '../district/schema';
import { ENV } from './env';

/** Missing configuration stops the function at cold start, not on the first request. */
export class MissingConfigError extends Error {
  override readonly name = 'MissingConfigError';
  constructor(variable: string) {
    super(`environment variable ${variable} is required but not set`);
  }
}

export const requireEnv = (name: string, env: NodeJS.ProcessEnv = process.env): string => {
  const value = env[name];
  if (value === undefined || value.trim() === '') throw new MissingConfigError(name);
  return value;
};

export const optionalEnv = (name: string, env: NodeJS.ProcessEnv = process.env): string | undefined => {
  const value = env[name];
  return value === undefined || value.trim() === '' ? undefined : value;
};

export interface ClaimNames {
  role: string;
  department: string;
  zone: string;
}

/** Whose tokens the handlers accept, and where in them the role, department and zone are. */
export interface IdentityConfig {
  /** The one issuer (`iss`) trusted: the stack's Cognito pool, the district's IdP, or the local issuer. */
  issuer: string;
  claims: ClaimNames;
}

export const identityFrom = (env: NodeJS.ProcessEnv = process.env): IdentityConfig => ({
  issuer: requireEnv(ENV.trustedIssuer, env),
  claims: {
    role: optionalEnv(ENV.claimRole, env) ?? 'role',
    department: optionalEnv(ENV.claimDepartment, env) ?? 'department',
    zone: optionalEnv(ENV.claimZone, env) ?? 'zone',
  },
});

/** Citizens' reports a minute, per account and per address; `off` lifts both. */
export type CitizenReportLimits = { account: number; address: number } | 'off';

export const DEFAULT_CITIZEN_REPORT_LIMITS = { account: 10, address: 60 } as const;

/** ENV.citizenReportsPerMinute, checked at cold start: a typo fails the function, not the limit. */
export const citizenReportLimitsFrom = (env: NodeJS.ProcessEnv = process.env): CitizenReportLimits => {
  const value = optionalEnv(ENV.citizenReportsPerMinute, env);
  if (value === undefined) return DEFAULT_CITIZEN_REPORT_LIMITS;
  if (value === 'off') return 'off';
  const match = /^(\d+),(\d+)$/.exec(value);
  if (!match) {
    throw new Error(
      `${ENV.citizenReportsPerMinute} must be "<per account>,<per address>" or "off", not "${value}"`,
    );
  }
  return { account: Number(match[1]), address: Number(match[2]) };
};

const loaded = new Map<string, { mtimeMs: number; district: DistrictConfig }>();

/**
 * The district of ENV.districtFile, read once per process while the file stays as it was: a cold
 * start asks for it two or three times (the index, the evaluation aggregates), ~1 ms a read.
 */
export const districtFrom = (env: NodeJS.ProcessEnv = process.env): DistrictConfig => {
  const file = resolve(requireEnv(ENV.districtFile, env));
  const { mtimeMs } = statSync(file, { throwIfNoEntry: false }) ?? { mtimeMs: Number.NaN };
  const known = loaded.get(file);
  if (known && known.mtimeMs === mtimeMs) return known.district;
  const district = loadDistrict(file);
  loaded.set(file, { mtimeMs, district });
  return district;
};

/** ENV.webhookRetryBaseSeconds (default 30): the first retry of a failed delivery, doubled each time. */
export const webhookRetryBaseSecondsFrom = (env: NodeJS.ProcessEnv = process.env): number => {
  const raw = optionalEnv(ENV.webhookRetryBaseSeconds, env);
  const value = raw === undefined ? 30 : Number(raw);
  if (!Number.isFinite(value) || value < 0 || value > 900) {
    throw new Error(`${ENV.webhookRetryBaseSeconds} must be seconds between 0 and 900, not "${raw}"`);
  }
  return value;
};
