import { createHash } from 'node:crypto';
import { InMemoryWebStorage } from 'oidc-client-ts';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  cleanedSearch,
  isCognitoIssuer,
  isRedirectAnswer,
  OidcError,
  type OidcFlow,
  type OidcSettings,
  openOidcFlow,
  PENDING_PREFIX,
  redirectUriOf,
  roleOf,
  userFromClaims,
} from '../../web/src/oidc';
import { randomToken } from '../../web/src/random-token';

/**
 * The pages' OIDC client as the pages drive it: oidc-client-ts in Node, with an in-memory
 * sessionStorage and the provider's discovery and token endpoints played by a stubbed fetch.
 */
const COGNITO: OidcSettings = {
  issuer: 'https://cognito-idp.cn-north-1.amazonaws.com.cn/cn-north-1_AbC',
  clientId: 'client-123',
  authorizationEndpoint: 'https://sandun.auth.cn-north-1.amazoncognito.com/oauth2/authorize',
  tokenEndpoint: 'https://sandun.auth.cn-north-1.amazoncognito.com/oauth2/token',
  endSessionEndpoint: 'https://sandun.auth.cn-north-1.amazoncognito.com/logout',
  scopes: ['openid', 'profile'],
  claims: { role: 'cognito:groups', department: 'custom:department', zone: 'custom:zone' },
};

const DISTRICT: OidcSettings = {
  issuer: 'https://idp.sandun.gov.cn/realms/xietong',
  clientId: 'cockpit',
  scopes: ['profile'],
  claims: { role: 'xt_role', department: 'org', zone: 'grid' },
};

const DISCOVERY = {
  issuer: 'https://idp.sandun.gov.cn/realms/xietong',
  authorization_endpoint: 'https://idp.sandun.gov.cn/realms/xietong/auth',
  token_endpoint: 'https://idp.sandun.gov.cn/realms/xietong/token',
  end_session_endpoint: 'https://idp.sandun.gov.cn/realms/xietong/logout',
};

const PAGE = 'https://cockpit.sandun.gov.cn/field.html';

/** An unsigned JWT with this payload: the page only reads the payload (the API verifies the signature). */
const jwt = (payload: Record<string, unknown>) =>
  `${Buffer.from('{"alg":"ES256"}').toString('base64url')}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.sig`;

const NOW = Date.parse('2026-11-30T06:00:00Z');
const exp = NOW / 1000 + 3600;

interface Provider {
  discovery?: Record<string, unknown>;
  /** What the token endpoint answers, given the nonce of the authorize request. */
  token?: (nonce: string) => { status: number; body: Record<string, unknown> };
}

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

/** A flow on an in-memory tab against a stubbed provider, and what the page sent to it. */
const open = async (settings: OidcSettings, provider: Provider = {}) => {
  const storage = new InMemoryWebStorage();
  const calls: { url: string; method: string; body?: URLSearchParams; contentType?: string }[] = [];
  let nonce = '';
  vi.stubGlobal('fetch', async (input: string | URL, init: RequestInit = {}) => {
    const url = String(input);
    const method = init.method ?? 'GET';
    const headers = new Headers(init.headers);
    const body = init.body instanceof URLSearchParams ? init.body : undefined;
    calls.push({ url, method, ...(body && { body }), contentType: headers.get('content-type') ?? '' });
    if (url === `${settings.issuer}/.well-known/openid-configuration`) {
      return provider.discovery ? json(200, provider.discovery) : json(404, {});
    }
    if (method === 'POST' && provider.token) {
      const answer = provider.token(nonce);
      return json(answer.status, answer.body);
    }
    return json(404, { error: 'not_found' });
  });
  const flow: OidcFlow = await openOidcFlow(settings, PAGE, storage);
  const begin = async (hash = '') => {
    const url = new URL(await flow.begin(hash));
    nonce = url.searchParams.get('nonce') ?? '';
    return url;
  };
  /** The provider's answer to an authorize URL, as the page finds it in its address bar. */
  const answer = (authorize: URL, params: Record<string, string>) =>
    `${PAGE}?${new URLSearchParams({ state: authorize.searchParams.get('state') ?? '', ...params })}`;
  const pendingKeys = () =>
    Array.from({ length: storage.length }, (_, i) => storage.key(i)).filter((key) =>
      key?.startsWith(PENDING_PREFIX),
    );
  return { flow, begin, answer, calls, pendingKeys };
};

const district =
  (claims: Record<string, unknown> = {}) =>
  (nonce: string) => ({
    status: 200,
    body: {
      id_token: jwt({
        sub: 's',
        aud: 'cockpit',
        exp,
        nonce,
        name: '王芳',
        xt_role: 'command_centre',
        ...claims,
      }),
      token_type: 'Bearer',
      expires_in: 3600,
    },
  });

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'], now: NOW });
});

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe('PKCE and random values', () => {
  it('sends the S256 challenge of the verifier it later proves it holds (RFC 7636)', async () => {
    const { begin, answer, flow, calls } = await open(DISTRICT, { discovery: DISCOVERY, token: district() });
    const authorize = await begin();
    await flow.finish(answer(authorize, { code: 'the-code' }), NOW);
    const verifier = calls.find((call) => call.method === 'POST')?.body?.get('code_verifier') ?? '';
    expect(verifier).toMatch(/^[A-Za-z0-9._~-]{43,128}$/);
    expect(authorize.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(authorize.searchParams.get('code_challenge')).toBe(
      createHash('sha256').update(verifier).digest('base64url'),
    );
  });

  it('makes base64url random tokens and a state and nonce that differ every time', async () => {
    const tokens = new Set(Array.from({ length: 200 }, () => randomToken()));
    expect(tokens.size).toBe(200);
    for (const token of tokens) expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const { begin } = await open(COGNITO);
    const first = (await begin()).searchParams;
    const second = (await begin()).searchParams;
    const values = [first, second].flatMap((p) => [p.get('state'), p.get('nonce'), p.get('code_challenge')]);
    expect(new Set(values).size).toBe(6);
    expect(first.get('nonce')).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });
});

describe('the authorize and token requests', () => {
  it('asks for a code with S256 PKCE, state, nonce and openid scope', async () => {
    const { begin } = await open(DISTRICT, { discovery: DISCOVERY });
    const url = await begin('#case/1');
    expect(`${url.origin}${url.pathname}`).toBe('https://idp.sandun.gov.cn/realms/xietong/auth');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      response_type: 'code',
      client_id: 'cockpit',
      redirect_uri: PAGE,
      scope: 'openid profile',
      state: expect.stringMatching(/^\w{16,}$/),
      nonce: expect.any(String),
      code_challenge: expect.any(String),
      code_challenge_method: 'S256',
    });
    expect(url.searchParams.get('state')).not.toBe(url.searchParams.get('nonce'));
    // The hash route stays in the tab: it never travels to the provider.
    expect(url.toString()).not.toContain('case');
  });

  it('posts the code with the verifier and no secret', async () => {
    const { begin, answer, flow, calls } = await open(COGNITO, { token: district({ aud: 'client-123' }) });
    const authorize = await begin();
    await flow.finish(answer(authorize, { code: 'the-code' }), NOW).catch(() => undefined);
    const post = calls.find((call) => call.method === 'POST');
    expect(post?.url).toBe(COGNITO.tokenEndpoint);
    expect(post?.contentType).toBe('application/x-www-form-urlencoded');
    expect(Object.fromEntries(post?.body ?? [])).toEqual({
      grant_type: 'authorization_code',
      code: 'the-code',
      redirect_uri: PAGE,
      client_id: 'client-123',
      code_verifier: expect.stringMatching(/^[A-Za-z0-9._~-]{43,128}$/),
    });
  });

  it('takes endpoints from the config first and from discovery for the rest', async () => {
    const cognito = await open(COGNITO);
    expect((await cognito.begin()).toString()).toMatch(`${COGNITO.authorizationEndpoint}?`);
    expect(cognito.calls).toEqual([]); // every endpoint configured: no discovery

    const own = { ...DISTRICT, tokenEndpoint: 'https://idp.sandun.gov.cn/own/token' };
    const mixed = await open(own, { discovery: DISCOVERY, token: district() });
    const authorize = await mixed.begin();
    expect(authorize.toString()).toMatch(`${DISCOVERY.authorization_endpoint}?`);
    await mixed.flow.finish(mixed.answer(authorize, { code: 'c' }), NOW);
    expect(mixed.calls.map((call) => `${call.method} ${call.url}`)).toEqual([
      `GET ${DISTRICT.issuer}/.well-known/openid-configuration`,
      'POST https://idp.sandun.gov.cn/own/token',
    ]);

    const bare = await open(DISTRICT, { discovery: { issuer: DISTRICT.issuer } });
    await expect(bare.flow.begin('')).rejects.toThrow(/authorization_endpoint/);
  });

  it('derives the redirect URI from the page: origin and path, no query or hash', () => {
    expect(redirectUriOf(new URL('https://c.gov.cn/field.html?code=1#case/9'))).toBe(
      'https://c.gov.cn/field.html',
    );
  });
});

describe('the redirect back', () => {
  it('knows an answer when it sees one, and cleans its parameters from the query', () => {
    expect(isRedirectAnswer('')).toBe(false);
    expect(isRedirectAnswer('?lang=en')).toBe(false);
    expect(isRedirectAnswer('?code=c1&state=s1')).toBe(true);
    expect(isRedirectAnswer('?error=access_denied&state=s1')).toBe(true);
    expect(cleanedSearch('?code=c1&state=s1&lang=en')).toBe('?lang=en');
    expect(cleanedSearch('?error=x&error_description=y&state=s')).toBe('');
  });

  it("shows the provider's error, with or without a state it knows", async () => {
    const { begin, answer, flow } = await open(DISTRICT, { discovery: DISCOVERY });
    const authorize = await begin();
    const refusal = (url: string) => flow.finish(url, NOW).catch((error: unknown) => error);
    const denied = await refusal(answer(authorize, { error: 'access_denied', error_description: '取消' }));
    expect(denied).toBeInstanceOf(OidcError);
    expect(denied).toMatchObject({ code: 'access_denied', message: 'access_denied: 取消' });
    await expect(
      refusal(`${PAGE}?error=access_denied&error_description=%E5%8F%96%E6%B6%88`),
    ).resolves.toMatchObject({ code: 'access_denied' });
  });

  it('brings back the hash route the user left from, and forgets the pending sign-in once used', async () => {
    const { begin, answer, flow, pendingKeys } = await open(DISTRICT, {
      discovery: DISCOVERY,
      token: district(),
    });
    const authorize = await begin('#case/01J9');
    expect(pendingKeys()).toHaveLength(1);
    const back = answer(authorize, { code: 'c' });
    expect(await flow.savedHash(back)).toBe('#case/01J9');
    expect(await flow.savedHash(`${PAGE}?code=c&state=unknown`)).toBeUndefined();
    await flow.finish(back, NOW);
    expect(pendingKeys()).toEqual([]);
    // The same answer again (a reload, a replay) belongs to no sign-in any more.
    await expect(flow.finish(back, NOW)).rejects.toMatchObject({ code: 'sign_in_refused' });
  });

  it('refuses an answer to a sign-in this tab did not start, without spending the code', async () => {
    const { begin, flow, calls } = await open(DISTRICT, { discovery: DISCOVERY, token: district() });
    await begin();
    await expect(flow.finish(`${PAGE}?code=c&state=someone-elses`, NOW)).rejects.toMatchObject({
      code: 'sign_in_refused',
      message: expect.stringMatching(/state/),
    });
    await expect(flow.finish(`${PAGE}?code=c`, NOW)).rejects.toThrow(OidcError);
    expect(calls.filter((call) => call.method === 'POST')).toEqual([]);
  });

  it('abandons a sign-in left unfinished for more than 30 minutes', async () => {
    const inTime = await open(DISTRICT, { discovery: DISCOVERY, token: district() });
    const first = await inTime.begin();
    vi.setSystemTime(NOW + 29 * 60_000);
    await expect(inTime.flow.finish(inTime.answer(first, { code: 'c' }), NOW)).resolves.toMatchObject({
      sub: 's',
    });

    vi.setSystemTime(NOW);
    const late = await open(DISTRICT, { discovery: DISCOVERY, token: district() });
    const second = await late.begin();
    vi.setSystemTime(NOW + 31 * 60_000);
    await expect(late.flow.finish(late.answer(second, { code: 'c' }), NOW)).rejects.toMatchObject({
      code: 'sign_in_refused',
      message: expect.stringMatching(/state/),
    });
    expect(late.calls.filter((call) => call.method === 'POST')).toEqual([]);
  });

  it("passes on the token endpoint's error", async () => {
    const { begin, answer, flow } = await open(DISTRICT, {
      discovery: DISCOVERY,
      token: () => ({ status: 400, body: { error: 'invalid_grant', error_description: 'the code is used' } }),
    });
    const authorize = await begin();
    await expect(flow.finish(answer(authorize, { code: 'c' }), NOW)).rejects.toMatchObject({
      code: 'invalid_grant',
      message: 'invalid_grant: the code is used',
    });
  });
});

describe('the ID token as a signed-in user', () => {
  it('signs in with what the token endpoint sent: the ID token is the bearer token until it expires', async () => {
    const { begin, answer, flow } = await open(DISTRICT, {
      discovery: DISCOVERY,
      token: district({ org: 'ccc', grid: 'z-01' }),
    });
    const authorize = await begin();
    const session = await flow.finish(answer(authorize, { code: 'c' }), NOW);
    expect(session).toEqual({
      sub: 's',
      name: '王芳',
      role: 'command_centre',
      department: 'ccc',
      zone: 'z-01',
      token: expect.stringMatching(/^[\w-]+\.[\w-]+\.sig$/),
      expiresAt: exp * 1000,
    });
  });

  it('maps Cognito groups: the first group that is a role counts', () => {
    const claims = {
      sub: 'u-1',
      aud: 'client-123',
      exp,
      nonce: 'n',
      'cognito:username': 'zhang.wei',
      'cognito:groups': ['sandun-staff', 'area_chief', 'admin'],
      'custom:department': 'street-office',
      'custom:zone': 'z-03',
    };
    const token = jwt(claims);
    expect(userFromClaims(claims, token, COGNITO, NOW)).toEqual({
      sub: 'u-1',
      name: 'zhang.wei',
      role: 'area_chief',
      department: 'street-office',
      zone: 'z-03',
      token,
      expiresAt: exp * 1000,
    });
  });

  it("maps a district's own claim names with a single role string", () => {
    const claims = {
      sub: 's',
      aud: ['cockpit', 'api'],
      exp,
      nonce: 'n',
      name: '王芳',
      xt_role: 'command_centre',
      org: 'ccc',
    };
    expect(userFromClaims(claims, jwt(claims), DISTRICT, NOW)).toMatchObject({
      name: '王芳',
      role: 'command_centre',
      department: 'ccc',
      zone: null,
    });
  });

  it('refuses a wrong nonce, another audience, an expired token, a token without a role or subject, and no JWT', async () => {
    const code = async (claims: Record<string, unknown>, idToken?: string) => {
      const { begin, answer, flow } = await open(DISTRICT, {
        discovery: DISCOVERY,
        token: (nonce) => ({
          status: 200,
          body: {
            id_token:
              idToken ?? jwt({ sub: 's', aud: 'cockpit', exp, nonce, xt_role: 'field_worker', ...claims }),
            token_type: 'Bearer',
          },
        }),
      });
      const authorize = await begin();
      try {
        await flow.finish(answer(authorize, { code: 'c' }), NOW);
        return 'accepted';
      } catch (error) {
        expect(error).toBeInstanceOf(OidcError);
        return (error as OidcError).code;
      }
    };
    expect(await code({})).toBe('accepted');
    expect(await code({ nonce: 'other' })).toBe('sign_in_refused');
    expect(await code({ aud: 'someone-else' })).toBe('audience_mismatch');
    expect(await code({ exp: NOW / 1000 - 1 })).toBe('token_expired');
    expect(await code({ xt_role: ['staff', 'citizens'] })).toBe('no_role');
    expect(await code({ sub: undefined })).toBe('sign_in_refused');
    expect(await code({}, 'not-a-jwt')).toBe('sign_in_refused');
    const claims = { aud: 'cockpit', exp, xt_role: 'field_worker' };
    expect(() => userFromClaims(claims, jwt(claims), DISTRICT, NOW)).toThrow(
      expect.objectContaining({ code: 'invalid_token' }),
    );
  });

  it('reads roles from strings, lists and separated strings, ignoring what is not a role', () => {
    expect(roleOf('department_staff')).toBe('department_staff');
    expect(roleOf(['x', 'field_worker'])).toBe('field_worker');
    expect(roleOf('staff admin')).toBe('admin');
    expect(roleOf(['system', 'integration'])).toBeUndefined();
    expect(roleOf(42)).toBeUndefined();
  });
});

describe('signing out at the provider', () => {
  it("uses Cognito's logout parameters for a Cognito issuer", async () => {
    expect(isCognitoIssuer(COGNITO.issuer)).toBe(true);
    expect(isCognitoIssuer(DISTRICT.issuer)).toBe(false);
    const { flow, pendingKeys } = await open(COGNITO);
    const url = new URL(await flow.signoutUrl('tok', 'https://c/'));
    expect(`${url.origin}${url.pathname}`).toBe(COGNITO.endSessionEndpoint);
    expect(Object.fromEntries(url.searchParams)).toEqual({
      client_id: 'client-123',
      logout_uri: 'https://c/',
    });
    expect(pendingKeys()).toEqual([]);
  });

  it('uses RP-initiated logout (id_token_hint, post_logout_redirect_uri) otherwise, with no state to keep', async () => {
    const { flow, pendingKeys } = await open(DISTRICT, { discovery: DISCOVERY });
    const url = new URL(await flow.signoutUrl('tok', 'https://c/field.html'));
    expect(`${url.origin}${url.pathname}`).toBe(DISCOVERY.end_session_endpoint);
    expect(Object.fromEntries(url.searchParams)).toEqual({
      id_token_hint: 'tok',
      client_id: 'cockpit',
      post_logout_redirect_uri: 'https://c/field.html',
    });
    expect(pendingKeys()).toEqual([]);
  });

  it('has nowhere to send the browser when the provider names no end-session endpoint', async () => {
    const { end_session_endpoint: _, ...withoutLogout } = DISCOVERY;
    const { flow } = await open(DISTRICT, { discovery: withoutLogout });
    await expect(flow.signoutUrl('tok', 'https://c/')).rejects.toThrow();
  });
});
