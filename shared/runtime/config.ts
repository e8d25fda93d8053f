import { resolve } from 'node:path';
import { loadDistrict } from '../district/load';
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

export const districtFrom = (env: NodeJS.ProcessEnv = process.env): DistrictConfig =>
  loadDistrict(resolve(requireEnv(ENV.districtFile, env)));
