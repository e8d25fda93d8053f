/**
 * Settings the built app reads at run time from `/config.json`, so one build serves every
 * district: on AWS the stack writes that file next to the app (API URL, identity provider);
 * locally the local cloud serves it (demo sign-in, or its own OIDC provider with `--auth oidc`).
 */
export interface OidcSettings {
  /** The issuer; `${issuer}/.well-known/openid-configuration` is read when an endpoint is missing. */
  issuer: string;
  /** The public client (authorization code + PKCE, no secret). */
  clientId: string;
  authorizationEndpoint?: string;
  tokenEndpoint?: string;
  /** Where signing out ends the provider's session too (Cognito: `/logout`). */
  endSessionEndpoint?: string;
  scopes: string[];
  /** The ID token's claims that carry role (a string or a list, e.g. `cognito:groups`), department and zone. */
  claims: { role: string; department: string; zone: string };
}

export interface RuntimeConfig {
  /** Where the HTTP API is; '' means the page's own origin (the local cloud and CloudFront serve both). */
  apiBaseUrl: string;
  auth: 'local' | 'oidc';
  /** Poll interval of the live views, ms (≤ 5 s: the cockpit promises updates within 5 s). */
  refreshMs: number;
  /** Present when `auth` is 'oidc'. */
  oidc?: OidcSettings;
}

const DEFAULTS: RuntimeConfig = { apiBaseUrl: '', auth: 'local', refreshMs: 2_000 };

const oidcOf = (value: unknown): OidcSettings | undefined => {
  if (!value || typeof value !== 'object') return undefined;
  const o = value as Partial<OidcSettings>;
  if (typeof o.issuer !== 'string' || typeof o.clientId !== 'string') return undefined;
  const text = (v: unknown) => (typeof v === 'string' && v ? v : undefined);
  const authorizationEndpoint = text(o.authorizationEndpoint);
  const tokenEndpoint = text(o.tokenEndpoint);
  const endSessionEndpoint = text(o.endSessionEndpoint);
  return {
    issuer: o.issuer.replace(/\/$/, ''),
    clientId: o.clientId,
    ...(authorizationEndpoint && { authorizationEndpoint }),
    ...(tokenEndpoint && { tokenEndpoint }),
    ...(endSessionEndpoint && { endSessionEndpoint }),
    scopes: Array.isArray(o.scopes) ? o.scopes.filter((s) => typeof s === 'string') : ['openid'],
    claims: {
      role: text(o.claims?.role) ?? 'role',
      department: text(o.claims?.department) ?? 'department',
      zone: text(o.claims?.zone) ?? 'zone',
    },
  };
};

export const loadRuntimeConfig = async (): Promise<RuntimeConfig> => {
  try {
    const response = await fetch('/config.json', { cache: 'no-store' });
    if (!response.ok) return DEFAULTS;
    const body = (await response.json()) as Partial<RuntimeConfig>;
    const oidc = oidcOf(body.oidc);
    return {
      apiBaseUrl: typeof body.apiBaseUrl === 'string' ? body.apiBaseUrl.replace(/\/$/, '') : '',
      auth: body.auth === 'oidc' && oidc ? 'oidc' : 'local',
      refreshMs: Math.min(5_000, Math.max(1_000, Number(body.refreshMs) || DEFAULTS.refreshMs)),
      ...(oidc && { oidc }),
    };
  } catch {
    return DEFAULTS;
  }
};
