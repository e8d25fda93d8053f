import { describe, expect, it } from 'vitest';
import {
  authorizeUrl,
  cleanedSearch,
  endpointsOf,
  endSessionUrl,
  isCognitoIssuer,
  newPendingSignIn,
  OidcError,
  type OidcSettings,
  parseRedirect,
  pkceChallenge,
  randomToken,
  redirectUriOf,
  roleOf,
  tokenRequestBody,
  userFromIdToken,
} from '../../web/src/oidc';

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

/** An unsigned JWT with this payload: the page only reads the payload (the API verifies the signature). */
const jwt = (payload: Record<string, unknown>) =>
  `${Buffer.from('{"alg":"ES256"}').toString('base64url')}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.sig`;

const NOW = Date.parse('2026-11-30T06:00:00Z');
const exp = NOW / 1000 + 3600;

describe('PKCE and random values', () => {
  it('computes the S256 challenge of RFC 7636 appendix B', async () => {
    expect(await pkceChallenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe(
      'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    );
  });

  it('makes 43-character base64url verifiers, states and nonces that differ every time', () => {
    const tokens = new Set(Array.from({ length: 200 }, () => randomToken()));
    expect(tokens.size).toBe(200);
    for (const token of tokens) expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const pending = newPendingSignIn('https://x/', '#case/1', NOW);
    expect(new Set([pending.state, pending.nonce, pending.verifier]).size).toBe(3);
    expect(pending).toMatchObject({ redirectUri: 'https://x/', hash: '#case/1', startedAt: NOW });
  });
});

describe('the authorize and token requests', () => {
  it('asks for a code with S256 PKCE, state, nonce and openid scope', async () => {
    const pending = newPendingSignIn('https://cockpit.sandun.gov.cn/field.html');
    const url = new URL(await authorizeUrl(DISTRICT, endpointsOf(DISTRICT, DISCOVERY), pending));
    expect(`${url.origin}${url.pathname}`).toBe('https://idp.sandun.gov.cn/realms/xietong/auth');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      response_type: 'code',
      client_id: 'cockpit',
      redirect_uri: 'https://cockpit.sandun.gov.cn/field.html',
      scope: 'openid profile',
      state: pending.state,
      nonce: pending.nonce,
      code_challenge: await pkceChallenge(pending.verifier),
      code_challenge_method: 'S256',
    });
    expect(url.searchParams.get('code_challenge')).not.toBe(pending.verifier);
  });

  it('posts the code with the verifier and no secret', () => {
    const pending = newPendingSignIn('https://c/');
    expect(Object.fromEntries(tokenRequestBody(COGNITO, pending, 'the-code'))).toEqual({
      grant_type: 'authorization_code',
      code: 'the-code',
      redirect_uri: 'https://c/',
      client_id: 'client-123',
      code_verifier: pending.verifier,
    });
  });

  it('takes endpoints from the config first and from discovery for the rest', () => {
    expect(endpointsOf(COGNITO)).toEqual({
      authorizationEndpoint: COGNITO.authorizationEndpoint,
      tokenEndpoint: COGNITO.tokenEndpoint,
      endSessionEndpoint: COGNITO.endSessionEndpoint,
    });
    expect(endpointsOf(DISTRICT, DISCOVERY)).toEqual({
      authorizationEndpoint: 'https://idp.sandun.gov.cn/realms/xietong/auth',
      tokenEndpoint: 'https://idp.sandun.gov.cn/realms/xietong/token',
      endSessionEndpoint: 'https://idp.sandun.gov.cn/realms/xietong/logout',
    });
    expect(() => endpointsOf(DISTRICT, { issuer: DISTRICT.issuer })).toThrow(OidcError);
  });

  it('derives the redirect URI from the page: origin and path, no query or hash', () => {
    expect(redirectUriOf(new URL('https://c.gov.cn/field.html?code=1#case/9'))).toBe(
      'https://c.gov.cn/field.html',
    );
  });
});

const DISCOVERY = {
  issuer: 'https://idp.sandun.gov.cn/realms/xietong',
  authorization_endpoint: 'https://idp.sandun.gov.cn/realms/xietong/auth',
  token_endpoint: 'https://idp.sandun.gov.cn/realms/xietong/token',
  end_session_endpoint: 'https://idp.sandun.gov.cn/realms/xietong/logout',
};

describe('the redirect back', () => {
  it('reads a code and state, or the provider error, and cleans them from the query', () => {
    expect(parseRedirect('')).toEqual({ kind: 'none' });
    expect(parseRedirect('?code=c1&state=s1')).toEqual({ kind: 'code', code: 'c1', state: 's1' });
    expect(parseRedirect('?error=access_denied&error_description=%E5%8F%96%E6%B6%88&state=s1')).toEqual({
      kind: 'error',
      error: 'access_denied',
      description: '取消',
      state: 's1',
    });
    expect(cleanedSearch('?code=c1&state=s1&lang=en')).toBe('?lang=en');
    expect(cleanedSearch('?error=x&error_description=y&state=s')).toBe('');
  });
});

describe('the ID token as a signed-in user', () => {
  it('maps Cognito groups: the first group that is a role counts', () => {
    const token = jwt({
      sub: 'u-1',
      aud: 'client-123',
      exp,
      nonce: 'n',
      'cognito:username': 'zhang.wei',
      'cognito:groups': ['sandun-staff', 'area_chief', 'admin'],
      'custom:department': 'street-office',
      'custom:zone': 'z-03',
    });
    expect(userFromIdToken(token, COGNITO, { nonce: 'n', now: NOW })).toEqual({
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
    const token = jwt({
      sub: 's',
      aud: ['cockpit', 'api'],
      exp,
      nonce: 'n',
      name: '王芳',
      xt_role: 'command_centre',
      org: 'ccc',
    });
    expect(userFromIdToken(token, DISTRICT, { nonce: 'n', now: NOW })).toMatchObject({
      name: '王芳',
      role: 'command_centre',
      department: 'ccc',
      zone: null,
    });
  });

  it('refuses a wrong nonce, another audience, an expired token and a token without a role', () => {
    const base = { sub: 's', aud: 'cockpit', exp, nonce: 'n', xt_role: 'field_worker' };
    const code = (payload: Record<string, unknown>) => {
      try {
        userFromIdToken(jwt(payload), DISTRICT, { nonce: 'n', now: NOW });
        return 'accepted';
      } catch (error) {
        return (error as OidcError).code;
      }
    };
    expect(code(base)).toBe('accepted');
    expect(code({ ...base, nonce: 'other' })).toBe('nonce_mismatch');
    expect(code({ ...base, aud: 'someone-else' })).toBe('audience_mismatch');
    expect(code({ ...base, exp: NOW / 1000 - 1 })).toBe('token_expired');
    expect(code({ ...base, xt_role: ['staff', 'citizens'] })).toBe('no_role');
    expect(code({ ...base, sub: undefined })).toBe('invalid_token');
    expect(() => userFromIdToken('not-a-jwt', DISTRICT, { nonce: 'n' })).toThrow(OidcError);
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
  it("uses Cognito's logout parameters for a Cognito issuer", () => {
    expect(isCognitoIssuer(COGNITO.issuer)).toBe(true);
    expect(isCognitoIssuer(DISTRICT.issuer)).toBe(false);
    const url = new URL(endSessionUrl(COGNITO, COGNITO.endSessionEndpoint ?? '', 'tok', 'https://c/'));
    expect(Object.fromEntries(url.searchParams)).toEqual({
      client_id: 'client-123',
      logout_uri: 'https://c/',
    });
  });

  it('uses RP-initiated logout (id_token_hint, post_logout_redirect_uri) otherwise', () => {
    const url = new URL(
      endSessionUrl(DISTRICT, DISCOVERY.end_session_endpoint, 'tok', 'https://c/field.html'),
    );
    expect(Object.fromEntries(url.searchParams)).toEqual({
      id_token_hint: 'tok',
      client_id: 'cockpit',
      post_logout_redirect_uri: 'https://c/field.html',
    });
  });
});
