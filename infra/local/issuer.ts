import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, importJWK, type JWK, type JWTPayload, jwtVerify, SignJWT } from 'jose';
import type { DistrictConfig } from '../../shared/district/schema';

/**
 * The local stand-in for the district's identity provider: one ES256 key pair kept in the data
 * folder (so tokens survive restarts) and tokens for a demo user per role. The gateway verifies them
 * the way the HTTP API's JWT authorizer does on AWS: signature, issuer, audience, expiry.
 */
export const LOCAL_ISSUER = 'urn:xietong:local';
export const LOCAL_AUDIENCE = 'xietong';
const ALGORITHM = 'ES256';
const TOKEN_LIFETIME = '30d';
const VERIFIED_CACHE_SIZE = 1_000;

export type DemoRole =
  | 'reporter'
  | 'command_centre'
  | 'admin'
  | 'area_chief'
  | 'department_staff'
  | 'field_worker';

export interface DemoUser {
  sub: string;
  name: string;
  role: DemoRole;
  department: string | null;
  zone: string | null;
}

export interface IssuedUser extends DemoUser {
  token: string;
}

/** Names of the claims that carry role, department and zone (the XT_CLAIM_* settings). */
export interface ClaimNames {
  role: string;
  department: string;
  zone: string;
}

export type VerifiedClaims = Record<string, string>;

export interface IssueOptions {
  /** The OIDC sign-in's nonce, echoed into the ID token. */
  nonce?: string;
  /** Lifetime in seconds (demo tokens last 30 days). */
  expiresInSeconds?: number;
}

export interface LocalIssuer {
  readonly issuer: string;
  readonly audience: string;
  issue(user: DemoUser, options?: IssueOptions): Promise<string>;
  /** The public key as a JWK Set, for `/local/oidc/jwks.json`. */
  jwks(): { keys: JWK[] };
  /** Verified claims, every value as a string (as the HTTP API passes them), or undefined. */
  verify(token: string): Promise<VerifiedClaims | undefined>;
}

interface StoredKeys {
  kid: string;
  alg: typeof ALGORITHM;
  privateJwk: JWK;
  publicJwk: JWK;
}

const loadOrCreateKeys = async (file: string): Promise<StoredKeys> => {
  try {
    const stored = JSON.parse(readFileSync(file, 'utf8')) as StoredKeys;
    if (stored.alg === ALGORITHM && stored.privateJwk?.d && stored.publicJwk?.x) return stored;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new Error(`cannot read the local issuer keys in ${file}: ${(error as Error).message}`);
    }
  }
  const { privateKey, publicKey } = await generateKeyPair(ALGORITHM, { extractable: true });
  const keys: StoredKeys = {
    kid: randomUUID(),
    alg: ALGORITHM,
    privateJwk: await exportJWK(privateKey),
    publicJwk: await exportJWK(publicKey),
  };
  writeFileSync(file, `${JSON.stringify(keys, null, 2)}\n`, { mode: 0o600 });
  return keys;
};

/** HTTP APIs hand claims to the function as strings; arrays become `[a b]`. */
const claimToString = (value: unknown): string => {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return `[${value.map(claimToString).join(' ')}]`;
  if (value !== null && typeof value === 'object') return JSON.stringify(value);
  return String(value);
};

export const createLocalIssuer = async (dataDir: string, claims: ClaimNames): Promise<LocalIssuer> => {
  const keys = await loadOrCreateKeys(join(dataDir, 'local-issuer.json'));
  const privateKey = await importJWK(keys.privateJwk, ALGORITHM);
  const publicKey = await importJWK(keys.publicJwk, ALGORITHM);
  // A bench sends thousands of requests with one token: verify each token once until it expires.
  const verified = new Map<string, { claims: VerifiedClaims; expiresAtMs: number }>();

  return {
    issuer: LOCAL_ISSUER,
    audience: LOCAL_AUDIENCE,
    issue(user, options = {}) {
      const payload: JWTPayload = { name: user.name, [claims.role]: user.role };
      if (options.nonce) payload.nonce = options.nonce;
      if (user.department) payload[claims.department] = user.department;
      if (user.zone) payload[claims.zone] = user.zone;
      return new SignJWT(payload)
        .setProtectedHeader({ alg: ALGORITHM, kid: keys.kid, typ: 'JWT' })
        .setIssuer(LOCAL_ISSUER)
        .setAudience(LOCAL_AUDIENCE)
        .setSubject(user.sub)
        .setIssuedAt()
        .setExpirationTime(
          options.expiresInSeconds
            ? Math.floor(Date.now() / 1000) + options.expiresInSeconds
            : TOKEN_LIFETIME,
        )
        .sign(privateKey);
    },
    jwks() {
      return { keys: [{ ...keys.publicJwk, kid: keys.kid, alg: ALGORITHM, use: 'sig' }] };
    },
    async verify(token) {
      const cached = verified.get(token);
      if (cached && cached.expiresAtMs > Date.now()) return cached.claims;
      try {
        const { payload } = await jwtVerify(token, publicKey, {
          issuer: LOCAL_ISSUER,
          audience: LOCAL_AUDIENCE,
          algorithms: [ALGORITHM],
        });
        const claims = Object.fromEntries(
          Object.entries(payload).map(([name, value]) => [name, claimToString(value)]),
        );
        if (verified.size >= VERIFIED_CACHE_SIZE) verified.clear();
        verified.set(token, { claims, expiresAtMs: (payload.exp ?? 0) * 1000 });
        return claims;
      } catch {
        return undefined;
      }
    },
  };
};

/** One user per role the district needs to walk a case end to end, with stable subjects. */
export const demoUsersOf = (district: DistrictConfig): DemoUser[] => {
  const departmentName = (id: string) => district.departments.find((d) => d.id === id)?.name.zh ?? id;
  const users: DemoUser[] = [
    { sub: 'local:reporter', name: '市民', role: 'reporter', department: null, zone: null },
    {
      sub: 'local:command_centre',
      name: `${departmentName(district.commandCentre)}值班员`,
      role: 'command_centre',
      department: district.commandCentre,
      zone: null,
    },
    { sub: 'local:admin', name: '系统管理员', role: 'admin', department: null, zone: null },
  ];
  for (const zone of district.zones) {
    users.push({
      sub: `local:area_chief:${zone.id}`,
      name: zone.areaChief.name,
      role: 'area_chief',
      department: zone.areaChief.department,
      zone: zone.id,
    });
  }
  for (const department of district.departments) {
    if (department.id === district.commandCentre) continue;
    users.push({
      sub: `local:department_staff:${department.id}`,
      name: `${department.name.zh}工作人员`,
      role: 'department_staff',
      department: department.id,
      zone: null,
    });
    users.push({
      sub: `local:field_worker:${department.id}`,
      name: `${department.name.zh}外勤`,
      role: 'field_worker',
      department: department.id,
      zone: null,
    });
  }
  return users;
};

export const issueDemoTokens = async (issuer: LocalIssuer, district: DistrictConfig): Promise<IssuedUser[]> =>
  Promise.all(demoUsersOf(district).map(async (user) => ({ ...user, token: await issuer.issue(user) })));
