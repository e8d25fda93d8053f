import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page, type Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SpawnedCloud, spawnLocalCloud } from '../../infra/local/spawn';
import { ensureWebBuild } from '../../web/scripts/ensure-build';
import { CHROMIUM, CHROMIUM_FLAGS, skipWithoutChromium } from '../support/chromium';

/**
 * The OIDC sign-in in a real browser against the local cloud started with `--auth oidc`: the cockpit
 * sends the user to the local provider (authorization code + PKCE), the provider's page lists the
 * demo users, the command centre is picked, the cockpit exchanges the code and loads its figures with
 * the ID token as bearer token; a provider error shows in the sign-in box; signing out passes through
 * the provider's logout and lands on the sign-in box again. A field worker who left from a page route
 * (`#report`) comes back to it.
 *
 * Skipped only on a developer machine without Chromium; with CI set it always runs.
 */
const skip = skipWithoutChromium;

describe.skipIf(skip)('OIDC sign-in in Chromium', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'xietong-oidc-browser-'));
  const screenshots = process.env.XT_SCREENSHOTS_DIR ?? mkdtempSync(join(tmpdir(), 'xietong-screenshots-'));
  let cloud: SpawnedCloud;
  let browser: Browser;
  let desk: BrowserContext;
  let cockpit: Page;
  const pageErrors: string[] = [];
  const apiCalls: { url: string; authorization: string | undefined }[] = [];

  beforeAll(async () => {
    mkdirSync(screenshots, { recursive: true });
    await ensureWebBuild({ quiet: true });
    cloud = await spawnLocalCloud({ dataDir, args: ['--auth', 'oidc'] });
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS });
    desk = await browser.newContext({ viewport: { width: 1600, height: 900 }, locale: 'zh-CN' });
    cockpit = await desk.newPage();
    cockpit.on('pageerror', (error) => pageErrors.push(error.message));
    cockpit.on('request', (request: Request) => {
      if (new URL(request.url()).pathname.startsWith('/v1/')) {
        apiCalls.push({ url: request.url(), authorization: request.headers().authorization });
      }
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await cloud?.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
    process.stdout.write(`OIDC browser test screenshots: ${screenshots}\n`);
  });

  it('serves a config.json that names the local provider', async () => {
    const config = (await (await fetch(`${cloud.info.url}/config.json`)).json()) as {
      auth: string;
      oidc: { issuer: string };
    };
    expect(config.auth).toBe('oidc');
    expect(config.oidc.issuer).toBe(`${cloud.info.url}/local/oidc`);
  });

  it('shows a provider error in the sign-in box', async () => {
    await cockpit.goto(cloud.info.url);
    await cockpit.locator('[data-testid=signin-oidc]').click();
    await cockpit.waitForURL(/\/local\/oidc\/authorize\?/);
    await cockpit.locator('button[data-cancel]').click();
    const error = cockpit.locator('[data-testid=signin-error]');
    await error.waitFor();
    expect(await error.textContent()).toContain('access_denied');
    // The provider's parameters left the address bar.
    expect(new URL(cockpit.url()).search).toBe('');
  });

  it('signs the command centre in through the provider and loads the figures with the ID token', async () => {
    await cockpit.goto(cloud.info.url);
    expect(await cockpit.locator('button.user').count()).toBe(0); // no demo-user list with OIDC
    await cockpit.locator('[data-testid=signin-oidc]').click();
    await cockpit.waitForURL(/\/local\/oidc\/authorize\?/);
    const authorize = new URL(cockpit.url());
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorize.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(authorize.searchParams.get('redirect_uri')).toBe(`${cloud.info.url}/`);
    expect(await cockpit.locator('html').getAttribute('lang')).toBe('zh-CN');
    expect(await cockpit.textContent('body')).toContain('统一身份认证');
    await cockpit.screenshot({ path: join(screenshots, 'oidc-authorize.png') });

    await cockpit.locator('button[data-sub="local:command_centre"]').click();
    await cockpit.locator('body[data-updated-at]').waitFor({ timeout: 15_000 });
    await expect(cockpit.locator('h1.title').textContent()).resolves.toContain('三墩镇');
    expect(new URL(cockpit.url()).search).toBe('');

    const session = JSON.parse(
      String(await cockpit.evaluate("sessionStorage.getItem('xietong.session')")),
    ) as { sub: string; role: string; token: string; expiresAt: number };
    expect(session).toMatchObject({ sub: 'local:command_centre', role: 'command_centre' });
    expect(session.expiresAt).toBeGreaterThan(Date.now());
    // No pending sign-in (state, nonce, PKCE verifier) is left in the tab.
    expect(
      await cockpit.evaluate("Object.keys(sessionStorage).filter((key) => key.startsWith('xietong.oidc.'))"),
    ).toEqual([]);
    const withToken = apiCalls.filter((call) => call.authorization === `Bearer ${session.token}`);
    expect(withToken.length).toBeGreaterThan(0);
    const direct = await fetch(`${cloud.info.url}/v1/cases?limit=1`, {
      headers: { authorization: `Bearer ${session.token}` },
    });
    expect(direct.status).toBe(200);
    await cockpit.screenshot({ path: join(screenshots, 'oidc-cockpit.png') });
  });

  it('brings a field worker back to the page route they left from (#report)', async () => {
    const phone = await browser.newContext({ viewport: { width: 400, height: 800 }, locale: 'zh-CN' });
    try {
      const field = await phone.newPage();
      field.on('pageerror', (error) => pageErrors.push(error.message));
      await field.goto(`${cloud.info.url}/field.html#report`);
      await field.locator('[data-testid=signin-oidc]').click();
      await field.waitForURL(/\/local\/oidc\/authorize\?/);
      expect(new URL(field.url()).searchParams.get('redirect_uri')).toBe(`${cloud.info.url}/field.html`);
      await field.locator('button[data-sub^="local:field_worker:"]').first().click();
      await field.waitForFunction("JSON.parse(sessionStorage.getItem('xietong.session') ?? 'null')?.role");
      const back = new URL(field.url());
      expect(`${back.pathname}${back.search}${back.hash}`).toBe('/field.html#report');
      expect(
        JSON.parse(String(await field.evaluate("sessionStorage.getItem('xietong.session')"))),
      ).toMatchObject({ role: 'field_worker' });
    } finally {
      await phone.close();
    }
  });

  it('signs out through the provider and comes back to the sign-in box', async () => {
    const logout = cockpit.waitForRequest((request) => request.url().includes('/local/oidc/logout'));
    await cockpit.locator('header button.btn.ghost', { hasText: '退出' }).click();
    const request = await logout;
    const params = new URL(request.url()).searchParams;
    expect(params.get('post_logout_redirect_uri')).toBe(`${cloud.info.url}/`);
    expect(params.get('id_token_hint')).toBeTruthy();
    await cockpit.locator('[data-testid=signin-oidc]').waitFor();
    expect(await cockpit.evaluate("sessionStorage.getItem('xietong.session')")).toBeNull();
    expect(pageErrors).toEqual([]);
  });
});
