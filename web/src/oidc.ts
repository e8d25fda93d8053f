/**
 * The OIDC sign-in (authorization code + PKCE) on oidc-client-ts, less the page: the library makes
 * the authorize request (PKCE verifier and S256 challenge, state), checks the answer against the
 * state it stored (state, nonce, subject) and exchanges the code; this module adds what xietong
 * asks of it: a nonce, the page's hash carried across the round trip, the ID token's claims as a
 * signed-in user (audience, expiry, role), and Cognito's logout parameters. `auth.ts` puts it
 * together with sessionStorage, `location` and `history`. The page never verifies the ID token's
 * signature: the HTTP API's JWT authorizer does that on every call.
 */
import type {
  CreateSignoutRequestArgs,
  ErrorResponse,
  OidcClient,
  OidcClientSettings,
  OidcMetadata,
  StateStore,
} from 'oidc-client-ts';
import { ROLES, type Role } from '../../shared/domain/case';
import { randomToken } from './random-token';
import type { SignedInUser } from './user';

/**
 * What this module reads of `runtime-config.ts`'s `OidcSettings` (the same shape; declared here so
 * the module type-checks in the Node unit tests without the DOM's fetch options).
 */
export interface OidcSettings {
  issuer: string;
  clientId: string;
  authorizationEndpoint?: string;
  tokenEndpoint?: string;
  endSessionEndpoint?: string;
  scopes: string[];
  claims: { role: string; department: string; zone: string };
}

/** An OIDC session as stored: the user, the ID token as bearer token, and when it expires. */
export interface OidcSession extends SignedInUser {
  expiresAt: number;
}

/** A sign-in that failed: the provider's `error` code, or one of ours, and a readable description. */
export class OidcError extends Error {
  constructor(
    readonly code: string,
    description?: string,
  ) {
    super(description ? `${code}: ${description}` : code);
    this.name = 'OidcError';
  }
}

/** A sign-in left unfinished longer than this is abandoned (the provider's codes live minutes). */
export const PENDING_MAX_AGE_SECONDS = 30 * 60;
/** Each pending sign-in (state, nonce, PKCE verifier, the page's hash) is stored under this prefix. */
export const PENDING_PREFIX = 'xietong.oidc.';

/** The page's own origin and path: where the provider sends the user back (no query, no hash). */
export const redirectUriOf = (location: { origin: string; pathname: string }): string =>
  `${location.origin}${location.pathname}`;

/**
 * The library's settings for a public client (no secret). Endpoints the config names are used as
 * they are; discovery (`${issuer}/.well-known/openid-configuration`) is read only for the rest.
 */
const clientSettingsOf = (
  settings: OidcSettings,
  redirectUri: string,
  stateStore: StateStore,
): OidcClientSettings => {
  const configured: Partial<OidcMetadata> = {
    issuer: settings.issuer,
    ...(settings.authorizationEndpoint && { authorization_endpoint: settings.authorizationEndpoint }),
    ...(settings.tokenEndpoint && { token_endpoint: settings.tokenEndpoint }),
    ...(settings.endSessionEndpoint && { end_session_endpoint: settings.endSessionEndpoint }),
  };
  const complete = settings.authorizationEndpoint && settings.tokenEndpoint && settings.endSessionEndpoint;
  const scopes = settings.scopes.includes('openid') ? settings.scopes : ['openid', ...settings.scopes];
  return {
    authority: settings.issuer,
    client_id: settings.clientId,
    redirect_uri: redirectUri,
    response_type: 'code',
    scope: scopes.join(' '),
    ...(complete ? { metadata: configured } : { metadataSeed: configured }),
    // The whole ID token is the user: role, department and zone are claims of the district's choosing.
    filterProtocolClaims: false,
    loadUserInfo: false,
    staleStateAgeInSeconds: PENDING_MAX_AGE_SECONDS,
    stateStore,
  };
};

/** The sign-in's round trip, on one client of the library. */
export interface OidcFlow {
  /** Goes out: the authorize URL, with a fresh nonce and the page's hash route kept for the way back. */
  begin(hash: string): Promise<string>;
  /** The page's hash route saved with the sign-in this answer belongs to (read without consuming it). */
  savedHash(answerUrl: string): Promise<string | undefined>;
  /**
   * Comes back: the library checks the answer against this tab's stored sign-in (state, nonce,
   * subject) and exchanges the code with the PKCE verifier; then the ID token must name this
   * client, be unexpired and carry a role.
   */
  finish(answerUrl: string, now?: number): Promise<OidcSession>;
  /** Where signing out sends the browser (fails when the provider has no end-session endpoint). */
  signoutUrl(idToken: string | undefined, returnTo: string): Promise<string>;
}

/**
 * Loads the library on first use (a page whose session is still valid never downloads it) and
 * opens a flow whose pending sign-ins live in `storage` (the tab's sessionStorage).
 */
export const openOidcFlow = async (
  settings: OidcSettings,
  redirectUri: string,
  storage: Storage,
): Promise<OidcFlow> => {
  const { OidcClient, WebStorageStateStore } = await import('oidc-client-ts');
  const stateStore = new WebStorageStateStore({ store: storage, prefix: PENDING_PREFIX });
  const client: OidcClient = new OidcClient(clientSettingsOf(settings, redirectUri, stateStore));
  return {
    async begin(hash) {
      const request = await client.createSigninRequest({ nonce: randomToken(), state: { hash } });
      return request.url;
    },
    async savedHash(answerUrl) {
      try {
        return hashOf((await client.readSigninResponseState(answerUrl)).state.data);
      } catch {
        return undefined;
      }
    },
    async finish(answerUrl, now = Date.now()) {
      let idToken: string | undefined;
      let claims: Record<string, unknown>;
      try {
        await client.clearStaleState();
        const response = await client.processSigninResponse(answerUrl);
        idToken = response.id_token;
        claims = response.profile as Record<string, unknown>;
      } catch (failure) {
        throw oidcErrorOf(failure, answerUrl);
      }
      if (!idToken) throw new OidcError('no_id_token', 'the token endpoint sent no ID token');
      return userFromClaims(claims, idToken, settings, now);
    },
    async signoutUrl(idToken, returnTo) {
      return (await client.createSignoutRequest(signoutArgsOf(settings, idToken, returnTo))).url;
    },
  };
};

const hashOf = (data: unknown): string | undefined =>
  data && typeof data === 'object' && typeof (data as { hash?: unknown }).hash === 'string'
    ? (data as { hash: string }).hash
    : undefined;

/** Whether the query is the provider's answer (`?code=` or `?error=`). */
export const isRedirectAnswer = (search: string): boolean => {
  const params = new URLSearchParams(search);
  return params.has('code') || params.has('error');
};

/** The query without the provider's parameters, for history.replaceState. */
export const cleanedSearch = (search: string): string => {
  const params = new URLSearchParams(search);
  for (const name of ['code', 'state', 'error', 'error_description', 'error_uri', 'session_state', 'iss']) {
    params.delete(name);
  }
  const rest = params.toString();
  return rest ? `?${rest}` : '';
};

/** The library's error marker (its class is not imported here, so that it loads only when used). */
const isErrorResponse = (failure: unknown): failure is ErrorResponse =>
  failure instanceof Error && failure.name === 'ErrorResponse';

/**
 * The provider's `error` as it sent it (from the answer or the token endpoint). Its error wins
 * over the library's own complaint about the answer (an error sent without a usable state).
 */
const oidcErrorOf = (failure: unknown, answerUrl: string): OidcError => {
  if (isErrorResponse(failure)) {
    return new OidcError(failure.error ?? 'error', failure.error_description ?? undefined);
  }
  const params = new URL(answerUrl).searchParams;
  const error = params.get('error');
  if (error) return new OidcError(error, params.get('error_description') ?? undefined);
  return new OidcError('sign_in_refused', (failure as Error).message);
};

const isRole = (value: string): value is Role => (ROLES as readonly string[]).includes(value);

/**
 * The role from the role claim: a single role (`"area_chief"`), or a list of groups (Cognito's
 * `cognito:groups`) of which the first that is a role counts. Strings with several values
 * (space- or comma-separated) are read as a list too.
 */
export const roleOf = (value: unknown): Role | undefined => {
  const values = Array.isArray(value)
    ? value.filter((v): v is string => typeof v === 'string')
    : typeof value === 'string'
      ? value.split(/[\s,]+/)
      : [];
  return values.map((v) => v.trim()).find(isRole);
};

const textClaim = (value: unknown): string | null => (typeof value === 'string' && value ? value : null);

/** The signed-in user the ID token's claims describe, with the claim names the district's config gives. */
export const userFromClaims = (
  claims: Record<string, unknown>,
  idToken: string,
  settings: OidcSettings,
  now = Date.now(),
): OidcSession => {
  const audience = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (!audience.includes(settings.clientId)) {
    throw new OidcError('audience_mismatch', `the ID token is not for client ${settings.clientId}`);
  }
  const exp = typeof claims.exp === 'number' ? claims.exp * 1000 : 0;
  if (exp <= now) throw new OidcError('token_expired', 'the ID token has expired');
  const sub = textClaim(claims.sub);
  if (!sub) throw new OidcError('invalid_token', 'the ID token names no subject');
  const role = roleOf(claims[settings.claims.role]);
  if (!role)
    throw new OidcError('no_role', `the ID token's ${settings.claims.role} claim names no xietong role`);
  const name =
    textClaim(claims.name) ??
    textClaim(claims.preferred_username) ??
    textClaim(claims['cognito:username']) ??
    textClaim(claims.email) ??
    sub;
  return {
    sub,
    name,
    role,
    department: textClaim(claims[settings.claims.department]),
    zone: textClaim(claims[settings.claims.zone]),
    token: idToken,
    expiresAt: exp,
  };
};

/** Cognito's hosted UI has its own logout parameters; its issuer says it is Cognito. */
export const isCognitoIssuer = (issuer: string): boolean =>
  /^https:\/\/cognito-idp\.[a-z0-9-]+\.amazonaws\.com(\.cn)?\//.test(issuer);

/**
 * How signing out ends the provider's session and comes back: Cognito's
 * `/logout?client_id=&logout_uri=`, or RP-initiated logout's `id_token_hint` + `post_logout_redirect_uri`
 * (no state: the way back is an ordinary page load).
 */
export const signoutArgsOf = (
  settings: OidcSettings,
  idToken: string | undefined,
  returnTo: string,
): CreateSignoutRequestArgs =>
  isCognitoIssuer(settings.issuer)
    ? { client_id: settings.clientId, extraQueryParams: { logout_uri: returnTo } }
    : {
        ...(idToken && { id_token_hint: idToken }),
        client_id: settings.clientId,
        post_logout_redirect_uri: returnTo,
      };
