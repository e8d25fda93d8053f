/**
 * Who is signed in, and the one seam between the pages and the identity provider. Locally the
 * local cloud hands out demo tokens (`GET /local/tokens`); on AWS the token comes from the
 * district's OIDC provider (or the stack's Cognito pool) — `runtime-config.ts` says which, and an
 * OIDC provider signs in with authorization code + PKCE (oidc-client-ts, through `oidc.ts`; the
 * local cloud has a provider with `--auth oidc`). The token and the pending sign-in live in
 * sessionStorage: they die with the tab and are never written anywhere else.
 */
import {
  cleanedSearch,
  isRedirectAnswer,
  type OidcFlow,
  type OidcSession,
  openOidcFlow,
  redirectUriOf,
} from './oidc';
import type { OidcSettings, RuntimeConfig } from './runtime-config';
import type { SignedInUser } from './user';

export type { SignedInUser };

export interface AuthProvider {
  readonly kind: 'local' | 'oidc';
  /** The signed-in user of this tab, if any (an expired OIDC session counts as none). */
  current(): SignedInUser | undefined;
  /** Users one may sign in as (local only: the demo users). */
  candidates(): Promise<SignedInUser[]>;
  /** Local: sign in as a demo user. */
  signIn(user: SignedInUser): void;
  /** Forgets this tab's session (an expired token, a 401 from the API). */
  signOut(): void;
  /** Signing out on the user's request: forgets the session, ends the provider's too where it can, and starts over. */
  leave(): Promise<void>;
  /** OIDC: finishes a sign-in the provider redirected back with (`?code=&state=` or `?error=`). */
  completeRedirect?(): Promise<SignedInUser | undefined>;
  /** OIDC: goes to the provider's sign-in page. */
  startRedirect?(): Promise<void>;
}

const STORAGE_KEY = 'xietong.session';
/** setTimeout overflows past 2³¹−1 ms; a longer-lived token is checked again on the next current(). */
const MAX_TIMER_MS = 2_147_483_647;

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

const forget = () => sessionStorage.removeItem(STORAGE_KEY);

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
  signOut: forget,
  async leave() {
    forget();
    location.reload();
  },
});

/**
 * The district's identity provider (or the stack's Cognito pool): authorization code + PKCE from
 * the page itself, a public client without a secret. The ID token is the bearer token the API's
 * JWT authorizer verifies; the session ends when it expires.
 */
const oidcProvider = (settings: OidcSettings): AuthProvider => {
  let flow: Promise<OidcFlow> | undefined;
  let expiryTimer: ReturnType<typeof setTimeout> | undefined;

  const flowOf = (): Promise<OidcFlow> => {
    // A failed load (the library's chunk, or discovery later) is tried again on the next click.
    flow ??= openOidcFlow(settings, redirectUriOf(location), sessionStorage).catch((failure: unknown) => {
      flow = undefined;
      throw failure;
    });
    return flow;
  };

  const signOut = () => {
    forget();
    if (expiryTimer) clearTimeout(expiryTimer);
    expiryTimer = undefined;
  };

  const current = (): SignedInUser | undefined => {
    const session = readSession() as OidcSession | undefined;
    if (!session) return undefined;
    const left = (session.expiresAt ?? 0) - Date.now();
    if (left <= 0) {
      signOut();
      return undefined;
    }
    // The ID token cannot be renewed from the page: when it expires, sign in again.
    expiryTimer ??= setTimeout(
      () => {
        expiryTimer = undefined;
        // current() signs out an expired session, or re-arms for a token that outlives one timer.
        if (!current()) location.reload();
      },
      Math.min(left, MAX_TIMER_MS),
    );
    return session;
  };

  return {
    kind: 'oidc',
    current,
    async candidates() {
      return [];
    },
    signIn(user) {
      sessionStorage.setItem(STORAGE_KEY, JSON.stringify(user));
    },
    signOut,
    async leave() {
      const idToken = readSession()?.token;
      signOut();
      // No end-session endpoint (or no discovery): this tab's session is gone anyway.
      const target = await flowOf()
        .then((oidc) => oidc.signoutUrl(idToken, redirectUriOf(location)))
        .catch(() => undefined);
      if (target) location.assign(target);
      else location.reload();
    },
    async startRedirect() {
      location.assign(await (await flowOf()).begin(location.hash));
    },
    async completeRedirect() {
      if (!isRedirectAnswer(location.search)) return undefined;
      const answer = location.href;
      const oidc = await flowOf();
      const hash = await oidc.savedHash(answer);
      // Whatever happens next, the code and state leave the address bar (and the history).
      history.replaceState(
        history.state,
        '',
        `${location.pathname}${cleanedSearch(location.search)}${hash ?? location.hash}`,
      );
      const session = await oidc.finish(answer);
      sessionStorage.setItem(STORAGE_KEY, JSON.stringify(session));
      return current();
    },
  };
};

export const authProvider = (config: RuntimeConfig): AuthProvider =>
  config.auth === 'oidc' && config.oidc ? oidcProvider(config.oidc) : localProvider(config);
