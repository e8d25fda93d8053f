import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ClaimNames, DemoUser, LocalIssuer } from './issuer';

/**
 * A small OpenID provider inside the local cloud (`npm start -- --auth oidc`), so the pages' OIDC
 * sign-in (authorization code + PKCE, as against Cognito or a district's own provider on AWS) runs
 * without AWS. It serves `/config.json` pointing the pages at itself, the discovery document, an
 * authorize page listing the demo users, the token endpoint, the JWKS and a logout endpoint.
 *
 * Its ID tokens are signed by the local issuer and carry the local issuer's `iss` and audience, so
 * the local gateway (and the functions' trusted-issuer check) accept them as bearer tokens exactly as
 * they accept the demo tokens. The discovery document names `${origin}/local/oidc` as the issuer
 * (where it is served): the pages only read the ID token's payload, the API verifies it.
 */
export const OIDC_BASE_PATH = '/local/oidc';
/** A code is good once, within this long (RFC 6749 §4.1.2 recommends at most 10 minutes). */
export const CODE_LIFETIME_MS = 60_000;
/** ID tokens last an hour, as Cognito's do by default. */
export const ID_TOKEN_LIFETIME_SECONDS = 3_600;
const MAX_FORM_BYTES = 16 * 1024;
const MAX_PENDING_CODES = 1_000;

export interface LocalOidcOptions {
  issuer: LocalIssuer;
  /** The demo users one may sign in as (those of `/local/tokens`). */
  users: () => DemoUser[];
  claims: ClaimNames;
  /** The public client's id; it is also the tokens' audience. */
  clientId: string;
  refreshMs?: number;
  now?: () => number;
}

export interface LocalOidcProvider {
  /** Serves `/config.json` and `/local/oidc/*`; false when the request is for someone else. */
  handle(request: IncomingMessage, response: ServerResponse): Promise<boolean>;
}

interface PendingCode {
  clientId: string;
  redirectUri: string;
  challenge: string;
  nonce: string | undefined;
  sub: string;
  expiresAtMs: number;
}

/** The OAuth error codes of RFC 6749 §5.2 the token endpoint answers with. */
type TokenError = 'invalid_request' | 'invalid_client' | 'invalid_grant' | 'unsupported_grant_type';

const base64url = (bytes: Buffer) => bytes.toString('base64url');
export const s256 = (verifier: string) => base64url(createHash('sha256').update(verifier).digest());

const html = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );

const ROLE_NAMES: Record<string, string> = {
  command_centre: '指挥中心',
  area_chief: '网格长',
  department_staff: '部门工作人员',
  field_worker: '外勤人员',
  admin: '系统管理员',
  reporter: '市民',
};

const readForm = (request: IncomingMessage): Promise<URLSearchParams> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_FORM_BYTES) chunks.push(chunk);
    });
    request.on('end', () =>
      size > MAX_FORM_BYTES
        ? reject(new Error('form too large'))
        : resolve(new URLSearchParams(Buffer.concat(chunks).toString('utf8'))),
    );
    request.on('error', reject);
  });

const originOf = (request: IncomingMessage) => `http://${request.headers.host ?? '127.0.0.1'}`;

/** The provider sends codes only back to pages of the local cloud itself (its own origin). */
const sameOrigin = (uri: string | null, origin: string): uri is string => {
  if (!uri) return false;
  try {
    const url = new URL(uri);
    return url.origin === origin && !url.hash;
  } catch {
    return false;
  }
};

const send = (
  response: ServerResponse,
  status: number,
  body: string,
  contentType: string,
  headers: Record<string, string> = {},
) => {
  response.writeHead(status, {
    'content-type': contentType,
    'cache-control': 'no-store',
    'content-length': String(Buffer.byteLength(body)),
    ...headers,
  });
  response.end(body);
};

const json = (
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) => send(response, status, JSON.stringify(body), 'application/json', headers);

const page = (title: string, body: string) => `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${html(title)}</title>
<style>
body{font-family:"Noto Sans CJK SC","PingFang SC","Microsoft YaHei",sans-serif;background:#0b1a2e;color:#e6eef8;margin:0;padding:2rem}
main{max-width:40rem;margin:auto;background:#12263f;border:1px solid #2a4a70;border-radius:8px;padding:1.5rem 2rem}
h1{font-size:1.3rem}h2{font-size:1rem;color:#8fb3dc;margin:1.2rem 0 .4rem}
button{display:block;width:100%;text-align:left;margin:.3rem 0;padding:.6rem .8rem;background:#1b3a5f;color:#e6eef8;border:1px solid #2f5d8f;border-radius:4px;font:inherit;cursor:pointer}
button:hover{background:#24507f}.muted{color:#8fa7c4;font-size:.9rem}.error{color:#ff8a80}
</style></head><body><main>${body}</main></body></html>`;

const redirectWith = (response: ServerResponse, redirectUri: string, params: Record<string, string>) => {
  const target = new URL(redirectUri);
  for (const [name, value] of Object.entries(params)) target.searchParams.set(name, value);
  response.writeHead(302, { location: target.toString(), 'cache-control': 'no-store' });
  response.end();
};

export const createLocalOidcProvider = (options: LocalOidcOptions): LocalOidcProvider => {
  const now = options.now ?? Date.now;
  const codes = new Map<string, PendingCode>();

  const dropExpired = () => {
    const at = now();
    for (const [code, pending] of codes) if (pending.expiresAtMs <= at) codes.delete(code);
  };

  const discovery = (origin: string) => {
    const base = `${origin}${OIDC_BASE_PATH}`;
    return {
      issuer: base,
      authorization_endpoint: `${base}/authorize`,
      token_endpoint: `${base}/token`,
      jwks_uri: `${base}/jwks.json`,
      end_session_endpoint: `${base}/logout`,
      response_types_supported: ['code'],
      grant_types_supported: ['authorization_code'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['ES256'],
      code_challenge_methods_supported: ['S256'],
      token_endpoint_auth_methods_supported: ['none'],
      scopes_supported: ['openid', 'profile'],
      claims_supported: [
        'sub',
        'name',
        'nonce',
        options.claims.role,
        options.claims.department,
        options.claims.zone,
      ],
    };
  };

  const runtimeConfig = (origin: string) => ({
    apiBaseUrl: '',
    auth: 'oidc',
    refreshMs: options.refreshMs ?? 2_000,
    // Only the issuer and the client: the pages find the endpoints through discovery, as they would
    // for a district's own provider.
    oidc: {
      issuer: `${origin}${OIDC_BASE_PATH}`,
      clientId: options.clientId,
      scopes: ['openid', 'profile'],
      claims: options.claims,
    },
  });

  type Checked =
    | { kind: 'fatal'; message: string }
    | { kind: 'error'; redirectUri: string; error: Record<string, string> }
    | {
        kind: 'ok';
        redirectUri: string;
        state: string | undefined;
        challenge: string;
        nonce: string | undefined;
      };

  /** Checks what the authorize request names; an error the page shows, or where to send errors. */
  const checkAuthorize = (params: URLSearchParams, origin: string): Checked => {
    const redirectUri = params.get('redirect_uri');
    if (params.get('client_id') !== options.clientId) {
      return { kind: 'fatal', message: `未知的客户端（client_id=${params.get('client_id') ?? ''}）` };
    }
    if (!sameOrigin(redirectUri, origin)) {
      return { kind: 'fatal', message: `回调地址不在本地云内（redirect_uri=${redirectUri ?? ''}）` };
    }
    const state = params.get('state') ?? undefined;
    const fail = (error: string, description: string): Checked => ({
      kind: 'error',
      redirectUri,
      error: { error, error_description: description, ...(state && { state }) },
    });
    if (params.get('response_type') !== 'code')
      return fail('unsupported_response_type', 'only response_type=code');
    if (!(params.get('scope') ?? '').split(' ').includes('openid'))
      return fail('invalid_scope', 'scope must include openid');
    const challenge = params.get('code_challenge');
    if (!challenge || !/^[A-Za-z0-9_-]{43}$/.test(challenge)) {
      return fail('invalid_request', 'a PKCE code_challenge (S256, 43 characters) is required');
    }
    if (params.get('code_challenge_method') !== 'S256') {
      return fail('invalid_request', 'code_challenge_method must be S256');
    }
    return { kind: 'ok', redirectUri, state, challenge, nonce: params.get('nonce') ?? undefined };
  };

  const authorizePage = (params: URLSearchParams, origin: string, response: ServerResponse) => {
    const checked = checkAuthorize(params, origin);
    if (checked.kind === 'fatal') {
      send(
        response,
        400,
        page('登录失败', `<h1>登录失败</h1><p class="error">${html(checked.message)}</p>`),
        'text/html; charset=utf-8',
      );
      return;
    }
    if (checked.kind === 'error') {
      redirectWith(response, checked.redirectUri, checked.error);
      return;
    }
    const hidden = [...params.entries()]
      .map(([name, value]) => `<input type="hidden" name="${html(name)}" value="${html(value)}">`)
      .join('');
    const groups = new Map<string, DemoUser[]>();
    for (const user of options.users()) groups.set(user.role, [...(groups.get(user.role) ?? []), user]);
    const list = [...groups]
      .map(
        ([role, users]) =>
          `<h2>${html(ROLE_NAMES[role] ?? role)}</h2>${users
            .map(
              (u) =>
                `<button type="submit" name="sub" value="${html(u.sub)}" data-sub="${html(u.sub)}">${html(u.name)}</button>`,
            )
            .join('')}`,
      )
      .join('');
    send(
      response,
      200,
      page(
        '统一身份认证（本地）',
        `<h1>统一身份认证（本地模拟）</h1><p class="muted">选择一个演示用户登录。正式环境由区县身份认证服务或 Cognito 用户池完成此步骤。</p>` +
          `<form method="post" action="${OIDC_BASE_PATH}/authorize">${hidden}${list}</form>` +
          `<form method="get" action="${html(checked.redirectUri)}"><input type="hidden" name="error" value="access_denied">` +
          `<input type="hidden" name="error_description" value="用户取消登录">${checked.state ? `<input type="hidden" name="state" value="${html(checked.state)}">` : ''}` +
          `<p><button type="submit" data-cancel>取消</button></p></form>`,
      ),
      'text/html; charset=utf-8',
    );
  };

  const authorizeChoice = async (request: IncomingMessage, origin: string, response: ServerResponse) => {
    const form = await readForm(request);
    const checked = checkAuthorize(form, origin);
    if (checked.kind === 'fatal') {
      send(
        response,
        400,
        page('登录失败', `<h1>登录失败</h1><p class="error">${html(checked.message)}</p>`),
        'text/html; charset=utf-8',
      );
      return;
    }
    if (checked.kind === 'error') {
      redirectWith(response, checked.redirectUri, checked.error);
      return;
    }
    const user = options.users().find((u) => u.sub === form.get('sub'));
    if (!user) {
      redirectWith(response, checked.redirectUri, {
        error: 'access_denied',
        error_description: 'no such demo user',
        ...(checked.state && { state: checked.state }),
      });
      return;
    }
    dropExpired();
    if (codes.size >= MAX_PENDING_CODES) codes.clear();
    const code = base64url(randomBytes(32));
    codes.set(code, {
      clientId: options.clientId,
      redirectUri: checked.redirectUri,
      challenge: checked.challenge,
      nonce: checked.nonce,
      sub: user.sub,
      expiresAtMs: now() + CODE_LIFETIME_MS,
    });
    redirectWith(response, checked.redirectUri, { code, ...(checked.state && { state: checked.state }) });
  };

  const token = async (request: IncomingMessage, response: ServerResponse) => {
    const refuse = (error: TokenError, description: string) =>
      json(response, error === 'invalid_client' ? 401 : 400, { error, error_description: description });
    if (!String(request.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
      refuse('invalid_request', 'the token request must be application/x-www-form-urlencoded');
      return;
    }
    const form = await readForm(request);
    if (form.get('grant_type') !== 'authorization_code') {
      refuse('unsupported_grant_type', 'only grant_type=authorization_code');
      return;
    }
    const code = form.get('code');
    const redirectUri = form.get('redirect_uri');
    const clientId = form.get('client_id');
    const verifier = form.get('code_verifier');
    if (!code || !redirectUri || !clientId) {
      refuse('invalid_request', 'code, redirect_uri and client_id are required');
      return;
    }
    if (!verifier || !/^[A-Za-z0-9._~-]{43,128}$/.test(verifier)) {
      refuse('invalid_request', 'a code_verifier of 43–128 unreserved characters is required (PKCE)');
      return;
    }
    if (clientId !== options.clientId) {
      refuse('invalid_client', 'unknown client_id');
      return;
    }
    const pending = codes.get(code);
    // One attempt per code, right or wrong: a code that leaked is worth nothing after it.
    codes.delete(code);
    if (!pending || pending.expiresAtMs <= now()) {
      refuse('invalid_grant', 'the code is unknown, used or expired');
      return;
    }
    if (pending.clientId !== clientId) {
      refuse('invalid_grant', 'the code was issued to another client');
      return;
    }
    if (pending.redirectUri !== redirectUri) {
      refuse('invalid_grant', 'redirect_uri differs from the authorization request');
      return;
    }
    if (s256(verifier) !== pending.challenge) {
      refuse('invalid_grant', 'code_verifier does not match the code_challenge');
      return;
    }
    const user = options.users().find((u) => u.sub === pending.sub);
    if (!user) {
      refuse('invalid_grant', 'the user is gone');
      return;
    }
    const idToken = await options.issuer.issue(user, {
      ...(pending.nonce && { nonce: pending.nonce }),
      expiresInSeconds: ID_TOKEN_LIFETIME_SECONDS,
    });
    json(response, 200, { id_token: idToken, token_type: 'Bearer', expires_in: ID_TOKEN_LIFETIME_SECONDS });
  };

  const logout = (params: URLSearchParams, origin: string, response: ServerResponse) => {
    // Both styles: OIDC RP-initiated logout (post_logout_redirect_uri) and Cognito's (logout_uri).
    const target = params.get('post_logout_redirect_uri') ?? params.get('logout_uri');
    if (sameOrigin(target, origin)) {
      const url = new URL(target);
      const state = params.get('state');
      if (state) url.searchParams.set('state', state);
      response.writeHead(302, { location: url.toString(), 'cache-control': 'no-store' });
      response.end();
      return;
    }
    send(
      response,
      200,
      page('已退出', '<h1>已退出统一身份认证</h1><p class="muted">可以关闭此页面。</p>'),
      'text/html; charset=utf-8',
    );
  };

  return {
    async handle(request, response) {
      const method = (request.method ?? 'GET').toUpperCase();
      const url = new URL(request.url ?? '/', 'http://local');
      const origin = originOf(request);
      const path = url.pathname;
      if (path === '/config.json' && (method === 'GET' || method === 'HEAD')) {
        json(response, 200, runtimeConfig(origin));
        return true;
      }
      if (path !== OIDC_BASE_PATH && !path.startsWith(`${OIDC_BASE_PATH}/`)) return false;
      const cors = { 'access-control-allow-origin': '*' };
      const route = `${method} ${path.slice(OIDC_BASE_PATH.length)}`;
      switch (route) {
        case 'GET /.well-known/openid-configuration':
          json(response, 200, discovery(origin), cors);
          return true;
        case 'GET /jwks.json':
          json(response, 200, options.issuer.jwks(), cors);
          return true;
        case 'GET /authorize':
          authorizePage(url.searchParams, origin, response);
          return true;
        case 'POST /authorize':
          await authorizeChoice(request, origin, response);
          return true;
        case 'POST /token':
          await token(request, response);
          return true;
        case 'GET /logout':
          logout(url.searchParams, origin, response);
          return true;
        default:
          json(response, 404, { error: 'not_found', error_description: `no ${route} at the local provider` });
          return true;
      }
    },
  };
};
