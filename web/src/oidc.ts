/**
 * The parts of the OIDC sign-in (authorization code + PKCE, RFC 6749 / 7636, OpenID Connect Core)
 * that need no page: PKCE and random values, the authorize, token and end-session requests, the
 * redirect's answer, and the ID token's claims as a signed-in user. `auth.ts` puts them together
 * with sessionStorage, `location` and `fetch`. The page never verifies the ID token's signature:
 * the HTTP API's JWT authorizer does that on every call; the page reads the payload to know who
 * signed in, and checks what ties the answer to this tab's request (state, nonce, audience, expiry).
 */
import { ROLES, type Role } from '../../shared/domain/case';
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

export interface OidcEndpoints {
  authorizationEndpoint: string;
  tokenEndpoint: string;
  endSessionEndpoint?: string;
}

/** What the tab keeps between leaving for the provider and coming back (sessionStorage). */
export interface PendingSignIn {
  state: string;
  nonce: string;
  verifier: string;
  redirectUri: string;
  /** The page's hash route when the user left (the field page's `#case/…`), restored on return. */
  hash: string;
  startedAt: number;
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

export const base64url = (bytes: Uint8Array): string => {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
};

const base64urlDecode = (text: string): Uint8Array => {
  const padded = text
    .replace(/-/g, '+')
    .replace(/_/g, '/')
    .padEnd(Math.ceil(text.length / 4) * 4, '=');
  const binary = atob(padded);
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
};

/** 32 random bytes as 43 base64url characters: a PKCE verifier (RFC 7636 §4.1), a state or a nonce. */
export const randomToken = (bytes = 32): string => base64url(crypto.getRandomValues(new Uint8Array(bytes)));

/** The S256 code challenge: BASE64URL(SHA-256(ASCII(verifier))). */
export const pkceChallenge = async (verifier: string): Promise<string> =>
  base64url(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))));

export const newPendingSignIn = (redirectUri: string, hash = '', now = Date.now()): PendingSignIn => ({
  state: randomToken(),
  nonce: randomToken(),
  verifier: randomToken(),
  redirectUri,
  hash,
  startedAt: now,
});

/** The page's own origin and path: where the provider sends the user back (no query, no hash). */
export const redirectUriOf = (location: { origin: string; pathname: string }): string =>
  `${location.origin}${location.pathname}`;

/** Endpoints from the config, and from the provider's discovery document for those it leaves out. */
export const endpointsOf = (settings: OidcSettings, discovery?: Record<string, unknown>): OidcEndpoints => {
  const text = (v: unknown) => (typeof v === 'string' && v ? v : undefined);
  const authorizationEndpoint = settings.authorizationEndpoint ?? text(discovery?.authorization_endpoint);
  const tokenEndpoint = settings.tokenEndpoint ?? text(discovery?.token_endpoint);
  const endSessionEndpoint = settings.endSessionEndpoint ?? text(discovery?.end_session_endpoint);
  if (!authorizationEndpoint || !tokenEndpoint) {
    throw new OidcError('discovery_failed', `no authorization or token endpoint for ${settings.issuer}`);
  }
  return { authorizationEndpoint, tokenEndpoint, ...(endSessionEndpoint && { endSessionEndpoint }) };
};

export const needsDiscovery = (settings: OidcSettings): boolean =>
  !settings.authorizationEndpoint || !settings.tokenEndpoint || !settings.endSessionEndpoint;

export const discoveryUrlOf = (settings: OidcSettings): string =>
  `${settings.issuer}/.well-known/openid-configuration`;

export const authorizeUrl = async (
  settings: OidcSettings,
  endpoints: OidcEndpoints,
  pending: PendingSignIn,
): Promise<string> => {
  const url = new URL(endpoints.authorizationEndpoint);
  const scopes = settings.scopes.includes('openid') ? settings.scopes : ['openid', ...settings.scopes];
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('client_id', settings.clientId);
  url.searchParams.set('redirect_uri', pending.redirectUri);
  url.searchParams.set('scope', scopes.join(' '));
  url.searchParams.set('state', pending.state);
  url.searchParams.set('nonce', pending.nonce);
  url.searchParams.set('code_challenge', await pkceChallenge(pending.verifier));
  url.searchParams.set('code_challenge_method', 'S256');
  return url.toString();
};

export type RedirectAnswer =
  | { kind: 'none' }
  | { kind: 'code'; code: string; state: string }
  | { kind: 'error'; error: string; description?: string; state?: string };

/** What the provider sent back in the query (`?code=&state=` or `?error=`), if anything. */
export const parseRedirect = (search: string): RedirectAnswer => {
  const params = new URLSearchParams(search);
  const error = params.get('error');
  const state = params.get('state') ?? undefined;
  if (error) {
    const description = params.get('error_description') ?? undefined;
    return { kind: 'error', error, ...(description && { description }), ...(state && { state }) };
  }
  const code = params.get('code');
  if (code) return { kind: 'code', code, state: state ?? '' };
  return { kind: 'none' };
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

/** The form the token endpoint takes from a public client: no secret, the PKCE verifier instead. */
export const tokenRequestBody = (
  settings: OidcSettings,
  pending: PendingSignIn,
  code: string,
): URLSearchParams =>
  new URLSearchParams({
    grant_type: 'authorization_code',
    code,
    redirect_uri: pending.redirectUri,
    client_id: settings.clientId,
    code_verifier: pending.verifier,
  });

export const decodeJwtPayload = (token: string): Record<string, unknown> => {
  const part = token.split('.')[1];
  if (!part || token.split('.').length !== 3)
    throw new OidcError('invalid_token', 'the ID token is not a JWT');
  try {
    const payload = JSON.parse(new TextDecoder().decode(base64urlDecode(part))) as unknown;
    if (!payload || typeof payload !== 'object' || Array.isArray(payload)) throw new Error('not an object');
    return payload as Record<string, unknown>;
  } catch {
    throw new OidcError('invalid_token', 'the ID token payload is not JSON');
  }
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

/** The signed-in user the ID token describes, with the claim names the district's config gives. */
export const userFromIdToken = (
  idToken: string,
  settings: OidcSettings,
  expected: { nonce: string; now?: number },
): OidcSession => {
  const claims = decodeJwtPayload(idToken);
  if (claims.nonce !== expected.nonce)
    throw new OidcError('nonce_mismatch', 'the ID token is not for this sign-in');
  const audience = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (!audience.includes(settings.clientId)) {
    throw new OidcError('audience_mismatch', `the ID token is not for client ${settings.clientId}`);
  }
  const exp = typeof claims.exp === 'number' ? claims.exp * 1000 : 0;
  if (exp <= (expected.now ?? Date.now())) throw new OidcError('token_expired', 'the ID token has expired');
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
 * Where signing out sends the browser to end the provider's session and come back: Cognito's
 * `/logout?client_id=&logout_uri=`, or RP-initiated logout's `id_token_hint` + `post_logout_redirect_uri`.
 */
export const endSessionUrl = (
  settings: OidcSettings,
  endSessionEndpoint: string,
  idToken: string | undefined,
  returnTo: string,
): string => {
  const url = new URL(endSessionEndpoint);
  if (isCognitoIssuer(settings.issuer)) {
    url.searchParams.set('client_id', settings.clientId);
    url.searchParams.set('logout_uri', returnTo);
  } else {
    if (idToken) url.searchParams.set('id_token_hint', idToken);
    url.searchParams.set('client_id', settings.clientId);
    url.searchParams.set('post_logout_redirect_uri', returnTo);
  }
  return url.toString();
};
