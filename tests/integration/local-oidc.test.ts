import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalJWKSet, decodeJwt, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createLocalIssuer,
  type DemoUser,
  LOCAL_AUDIENCE,
  LOCAL_ISSUER,
  type LocalIssuer,
} from '../../infra/local/issuer';
import { CODE_LIFETIME_MS, createLocalOidcProvider } from '../../infra/local/oidc-provider';

/**
 * The local cloud's OIDC provider over real HTTP: discovery, the authorize page and choice, the token
 * endpoint's PKCE, redirect_uri, client and single-use checks with the OAuth error codes, JWKS and
 * logout. Its ID tokens verify with the local issuer's key, issuer and audience (what the gateway checks).
 */
const CLAIMS = { role: 'role', department: 'department', zone: 'zone' };
const USERS: DemoUser[] = [
  {
    sub: 'local:command_centre',
    name: '指挥中心值班员',
    role: 'command_centre',
    department: 'ccc',
    zone: null,
  },
  { sub: 'local:area_chief:z1', name: '网格长', role: 'area_chief', department: 'street', zone: 'z1' },
];

const verifierPair = () => {
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  return { verifier, challenge };
};

describe('local OIDC provider', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'xietong-oidc-'));
  let issuer: LocalIssuer;
  let server: Server;
  let base = '';
  let clock = Date.now();
  let redirectUri = '';

  beforeAll(async () => {
    issuer = await createLocalIssuer(dataDir, CLAIMS);
    const provider = createLocalOidcProvider({
      issuer,
      users: () => USERS,
      claims: CLAIMS,
      clientId: LOCAL_AUDIENCE,
      now: () => clock,
    });
    server = createServer((request, response) => {
      provider.handle(request, response).then((handled) => {
        if (!handled) {
          response.writeHead(404);
          response.end();
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    redirectUri = `${base}/index.html`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    rmSync(dataDir, { recursive: true, force: true });
  });

  const authorizeParams = (challenge: string, extra: Record<string, string> = {}) =>
    new URLSearchParams({
      response_type: 'code',
      client_id: LOCAL_AUDIENCE,
      redirect_uri: redirectUri,
      scope: 'openid profile',
      state: 'st-1',
      nonce: 'n-1',
      code_challenge: challenge,
      code_challenge_method: 'S256',
      ...extra,
    });

  /** Picks a demo user on the authorize page (its form POST) and returns the code it redirects with. */
  const codeFor = async (
    challenge: string,
    sub = 'local:command_centre',
    extra: Record<string, string> = {},
  ) => {
    const form = authorizeParams(challenge, extra);
    form.set('sub', sub);
    const response = await fetch(`${base}/local/oidc/authorize`, {
      method: 'POST',
      body: form,
      redirect: 'manual',
    });
    expect(response.status).toBe(302);
    const location = new URL(response.headers.get('location') ?? '');
    expect(`${location.origin}${location.pathname}`).toBe(redirectUri);
    expect(location.searchParams.get('state')).toBe(extra.state ?? 'st-1');
    return location.searchParams.get('code') ?? '';
  };

  const exchange = (fields: Record<string, string>) =>
    fetch(`${base}/local/oidc/token`, { method: 'POST', body: new URLSearchParams(fields) });

  const tokenFields = (code: string, verifier: string) => ({
    grant_type: 'authorization_code',
    code,
    redirect_uri: redirectUri,
    client_id: LOCAL_AUDIENCE,
    code_verifier: verifier,
  });

  it('serves the discovery document, the JWKS and a config.json that points the pages at itself', async () => {
    const discovery = (await (
      await fetch(`${base}/local/oidc/.well-known/openid-configuration`)
    ).json()) as Record<string, unknown>;
    expect(discovery).toMatchObject({
      issuer: `${base}/local/oidc`,
      authorization_endpoint: `${base}/local/oidc/authorize`,
      token_endpoint: `${base}/local/oidc/token`,
      end_session_endpoint: `${base}/local/oidc/logout`,
      jwks_uri: `${base}/local/oidc/jwks.json`,
      code_challenge_methods_supported: ['S256'],
    });
    const jwks = (await (await fetch(`${base}/local/oidc/jwks.json`)).json()) as {
      keys: { kty: string; d?: string }[];
    };
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]?.kty).toBe('EC');
    expect(jwks.keys[0]?.d).toBeUndefined();
    const config = await (await fetch(`${base}/config.json`)).json();
    expect(config).toEqual({
      apiBaseUrl: '',
      auth: 'oidc',
      refreshMs: 2000,
      oidc: {
        issuer: `${base}/local/oidc`,
        clientId: LOCAL_AUDIENCE,
        scopes: ['openid', 'profile'],
        claims: CLAIMS,
      },
    });
  });

  it('lists the demo users on the authorize page, in Chinese', async () => {
    const { challenge } = verifierPair();
    const response = await fetch(`${base}/local/oidc/authorize?${authorizeParams(challenge)}`);
    expect(response.status).toBe(200);
    const page = await response.text();
    expect(page).toContain('lang="zh-CN"');
    expect(page).toContain('指挥中心值班员');
    expect(page).toContain('data-sub="local:area_chief:z1"');
  });

  it('refuses to redirect to another origin or for an unknown client, and sends a missing PKCE challenge back as invalid_request', async () => {
    const { challenge } = verifierPair();
    const elsewhere = await fetch(
      `${base}/local/oidc/authorize?${authorizeParams(challenge, { redirect_uri: 'https://evil.example/cb' })}`,
      { redirect: 'manual' },
    );
    expect(elsewhere.status).toBe(400);
    const stranger = await fetch(
      `${base}/local/oidc/authorize?${authorizeParams(challenge, { client_id: 'other' })}`,
      {
        redirect: 'manual',
      },
    );
    expect(stranger.status).toBe(400);
    const params = authorizeParams(challenge);
    params.delete('code_challenge');
    const noPkce = await fetch(`${base}/local/oidc/authorize?${params}`, { redirect: 'manual' });
    expect(noPkce.status).toBe(302);
    const back = new URL(noPkce.headers.get('location') ?? '');
    expect(back.searchParams.get('error')).toBe('invalid_request');
    expect(back.searchParams.get('state')).toBe('st-1');
  });

  it('exchanges a code with the right verifier for an ID token the gateway accepts, once', async () => {
    const { verifier, challenge } = verifierPair();
    const code = await codeFor(challenge);
    const response = await exchange(tokenFields(code, verifier));
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const body = (await response.json()) as { id_token: string; token_type: string; expires_in: number };
    expect(body.token_type).toBe('Bearer');
    expect(body.expires_in).toBe(3600);
    const claims = decodeJwt(body.id_token);
    expect(claims).toMatchObject({
      iss: LOCAL_ISSUER,
      aud: LOCAL_AUDIENCE,
      sub: 'local:command_centre',
      nonce: 'n-1',
      role: 'command_centre',
      department: 'ccc',
    });
    expect((claims.exp ?? 0) - (claims.iat ?? 0)).toBe(3600);
    // What the gateway does with a bearer token, and what any relying party does with the JWKS.
    expect(await issuer.verify(body.id_token)).toMatchObject({
      sub: 'local:command_centre',
      role: 'command_centre',
    });
    const jwks = createLocalJWKSet(issuer.jwks());
    await expect(
      jwtVerify(body.id_token, jwks, { issuer: LOCAL_ISSUER, audience: LOCAL_AUDIENCE }),
    ).resolves.toBeTruthy();

    const again = await exchange(tokenFields(code, verifier));
    expect(again.status).toBe(400);
    expect(await again.json()).toMatchObject({ error: 'invalid_grant' });
  });

  it('answers a wrong verifier with invalid_grant and burns the code', async () => {
    const { verifier, challenge } = verifierPair();
    const code = await codeFor(challenge);
    const wrong = await exchange(tokenFields(code, verifierPair().verifier));
    expect(wrong.status).toBe(400);
    expect(await wrong.json()).toMatchObject({ error: 'invalid_grant' });
    const right = await exchange(tokenFields(code, verifier));
    expect(await right.json()).toMatchObject({ error: 'invalid_grant' });
  });

  it('answers a missing verifier with invalid_request and a different redirect_uri with invalid_grant', async () => {
    const { verifier, challenge } = verifierPair();
    const code = await codeFor(challenge);
    const missing = await exchange({ ...tokenFields(code, verifier), code_verifier: '' });
    expect(missing.status).toBe(400);
    expect(await missing.json()).toMatchObject({ error: 'invalid_request' });
    const noRedirect = await exchange({
      grant_type: 'authorization_code',
      code,
      client_id: LOCAL_AUDIENCE,
      code_verifier: verifier,
    });
    expect(await noRedirect.json()).toMatchObject({ error: 'invalid_request' });

    const other = verifierPair();
    const code2 = await codeFor(other.challenge);
    const moved = await exchange({
      ...tokenFields(code2, other.verifier),
      redirect_uri: `${base}/field.html`,
    });
    expect(moved.status).toBe(400);
    expect(await moved.json()).toMatchObject({ error: 'invalid_grant' });
  });

  it('refuses another client, another grant type and an expired code', async () => {
    const { verifier, challenge } = verifierPair();
    const code = await codeFor(challenge);
    const stranger = await exchange({ ...tokenFields(code, verifier), client_id: 'someone-else' });
    expect(stranger.status).toBe(401);
    expect(await stranger.json()).toMatchObject({ error: 'invalid_client' });
    const grant = await exchange({ ...tokenFields(code, verifier), grant_type: 'password' });
    expect(await grant.json()).toMatchObject({ error: 'unsupported_grant_type' });

    const late = verifierPair();
    const code3 = await codeFor(late.challenge);
    clock += CODE_LIFETIME_MS + 1;
    try {
      const expired = await exchange(tokenFields(code3, late.verifier));
      expect(await expired.json()).toMatchObject({ error: 'invalid_grant' });
    } finally {
      clock -= CODE_LIFETIME_MS + 1;
    }
  });

  it('logs out to a page of its own origin only (OIDC and Cognito parameter names)', async () => {
    const standard = await fetch(
      `${base}/local/oidc/logout?${new URLSearchParams({ id_token_hint: 'x', post_logout_redirect_uri: redirectUri })}`,
      { redirect: 'manual' },
    );
    expect(standard.status).toBe(302);
    expect(standard.headers.get('location')).toBe(redirectUri);
    const cognito = await fetch(
      `${base}/local/oidc/logout?${new URLSearchParams({ client_id: LOCAL_AUDIENCE, logout_uri: redirectUri })}`,
      { redirect: 'manual' },
    );
    expect(cognito.headers.get('location')).toBe(redirectUri);
    const elsewhere = await fetch(
      `${base}/local/oidc/logout?${new URLSearchParams({ post_logout_redirect_uri: 'https://evil.example/' })}`,
      { redirect: 'manual' },
    );
    expect(elsewhere.status).toBe(200);
  });
});
