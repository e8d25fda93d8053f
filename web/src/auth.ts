/**
 * Who is signed in, and the one seam between the pages and the identity provider. Locally the
 * local cloud hands out demo tokens (`GET /local/tokens`); on AWS the token comes from the
 * district's OIDC provider (or the stack's Cognito pool) — `runtime-config.ts` says which, and an
 * OIDC provider only has to implement `AuthProvider`. The token lives in sessionStorage: it dies
 * with the tab and is never written anywhere else.
 */
import type { RuntimeConfig } from './runtime-config';
import type { SignedInUser } from './user';

export type { SignedInUser };

export interface AuthProvider {
  readonly kind: 'local' | 'oidc';
  /** The signed-in user of this tab, if any. */
  current(): SignedInUser | undefined;
  /** Users one may sign in as (local only: the demo users). */
  candidates(): Promise<SignedInUser[]>;
  signIn(user: SignedInUser): void;
  signOut(): void;
}

const STORAGE_KEY = 'xietong.session';

const readSession = (): SignedInUser | undefined => {
  try {
    const raw = sessionStorage.getItem(STORAGE_KEY);
    if (!raw) return undefined;
    const parsed = JSON.parse(raw) as Partial<SignedInUser>;
    return typeof parsed.token === 'string' && typeof parsed.role === 'string'
      ? (parsed as SignedInUser)
      : undefined;
  } catch {
    return undefined;
  }
};

const localProvider = (config: RuntimeConfig): AuthProvider => ({
  kind: 'local',
  current: readSession,
  async candidates() {
    const response = await fetch(`${config.apiBaseUrl}/local/tokens`, { cache: 'no-store' });
    if (!response.ok) throw new Error(`GET /local/tokens answered ${response.status}`);
    const body = (await response.json()) as { users: SignedInUser[] };
    return body.users;
  },
  signIn(user) {
    sessionStorage.setItem(STORAGE_KEY, JSON.stringify(user));
  },
  signOut() {
    sessionStorage.removeItem(STORAGE_KEY);
  },
});

/**
 * The district's identity provider: an authorization-code + PKCE redirect belongs here (the
 * security issue). Until then it signs nobody in, and says so.
 */
const oidcProvider = (): AuthProvider => ({
  kind: 'oidc',
  current: readSession,
  async candidates() {
    return [];
  },
  signIn(user) {
    sessionStorage.setItem(STORAGE_KEY, JSON.stringify(user));
  },
  signOut() {
    sessionStorage.removeItem(STORAGE_KEY);
  },
});

export const authProvider = (config: RuntimeConfig): AuthProvider =>
  config.auth === 'oidc' ? oidcProvider() : localProvider(config);
