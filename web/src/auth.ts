/**
 * Who is signed in, and the one seam between the pages and the identity provider. Locally the
 * local cloud hands out demo tokens (`GET /local/tokens`); on AWS the token comes from the
 * district's OIDC provider (or the stack's Cognito pool) — `runtime-config.ts` says which, and an
 * OIDC provider signs in with authorization code + PKCE (`oidc.ts`; the local cloud has one with
 * `--auth oidc`). The token lives in sessionStorage: it dies with the tab and is never written
 * anywhere else.
 */
import {
  authorizeUrl,
  cleanedSearch,
  discoveryUrlOf,
  endpointsOf,
  endSessionUrl,
  needsDiscovery,
  newPendingSignIn,
  type OidcEndpoints,
  OidcError,
  type OidcSession,
  type PendingSignIn,
  parseRedirect,
  redirectUriOf,
  tokenRequestBody,
  userFromIdToken,
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
const PENDING_KEY = 'xietong.oidc.pending';
/** A sign-in left unfinished longer than this is abandoned (the provider's codes live minutes). */
const PENDING_MAX_AGE_MS = 30 * 60_000;
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

const takePending = (): PendingSignIn | undefined => {
  const raw = sessionStorage.getItem(PENDING_KEY);
  sessionStorage.removeItem(PENDING_KEY);
  try {
    const pending = raw ? (JSON.parse(raw) as PendingSignIn) : undefined;
    return pending && Date.now() - pending.startedAt < PENDING_MAX_AGE_MS ? pending : undefined;
  } catch {
    return undefined;
  }
};

const errorOfResponse = async (response: Response): Promise<OidcError> => {
  try {
    const body = (await response.json()) as { error?: string; error_description?: string };
    if (body.error) return new OidcError(body.error, body.error_description);
  } catch {
    // not JSON: the status says enough
  }
  return new OidcError('token_request_failed', `the token endpoint answered ${response.status}`);
};

/**
 * The district's identity provider (or the stack's Cognito pool): authorization code + PKCE from
 * the page itself, a public client without a secret. The ID token is the bearer token the API's
 * JWT authorizer verifies; the session ends when it expires.
 */
const oidcProvider = (settings: OidcSettings): AuthProvider => {
  let endpoints: OidcEndpoints | undefined;
  let expiryTimer: ReturnType<typeof setTimeout> | undefined;

  const resolveEndpoints = async (): Promise<OidcEndpoints> => {
    if (endpoints) return endpoints;
    let discovery: Record<string, unknown> | undefined;
    if (needsDiscovery(settings)) {
      try {
        const response = await fetch(discoveryUrlOf(settings), { cache: 'no-store' });
        if (response.ok) discovery = (await response.json()) as Record<string, unknown>;
      } catch {
        // endpointsOf says what is missing
      }
    }
    endpoints = endpointsOf(settings, discovery);
    return endpoints;
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
      let target: OidcEndpoints | undefined;
      try {
        target = await resolveEndpoints();
      } catch {
        target = undefined;
      }
      if (target?.endSessionEndpoint) {
        location.assign(endSessionUrl(settings, target.endSessionEndpoint, idToken, redirectUriOf(location)));
      } else location.reload();
    },
    async startRedirect() {
      const found = await resolveEndpoints();
      const pending = newPendingSignIn(redirectUriOf(location), location.hash);
      sessionStorage.setItem(PENDING_KEY, JSON.stringify(pending));
      location.assign(await authorizeUrl(settings, found, pending));
    },
    async completeRedirect() {
      const answer = parseRedirect(location.search);
      if (answer.kind === 'none') return undefined;
      const pending = takePending();
      // Whatever happens next, the code and state leave the address bar (and the history).
      history.replaceState(
        history.state,
        '',
        `${location.pathname}${cleanedSearch(location.search)}${pending?.hash ?? location.hash}`,
      );
      if (answer.kind === 'error') throw new OidcError(answer.error, answer.description);
      if (!pending || pending.state !== answer.state) {
        throw new OidcError('state_mismatch', 'this answer does not belong to a sign-in started in this tab');
      }
      const found = await resolveEndpoints();
      const response = await fetch(found.tokenEndpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: tokenRequestBody(settings, pending, answer.code),
        cache: 'no-store',
      });
      if (!response.ok) throw await errorOfResponse(response);
      const tokens = (await response.json()) as { id_token?: unknown };
      if (typeof tokens.id_token !== 'string')
        throw new OidcError('no_id_token', 'the token endpoint sent no ID token');
      const session = userFromIdToken(tokens.id_token, settings, { nonce: pending.nonce });
      sessionStorage.setItem(STORAGE_KEY, JSON.stringify(session));
      return current();
    },
  };
};

export const authProvider = (config: RuntimeConfig): AuthProvider =>
  config.auth === 'oidc' && config.oidc ? oidcProvider(config.oidc) : localProvider(config);
