import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../infra/local/paths';
import { type SpawnedCloud, spawnLocalCloud } from '../../infra/local/spawn';
import { loadDistrict } from '../../shared/district/load';
import { distanceMetres } from '../../shared/domain/geo';
import { KEY_ID_HEADER, signatureHeaders } from '../../shared/domain/signature';
import { ensureWebBuild } from '../../web/scripts/ensure-build';
import { CHROMIUM, CHROMIUM_FLAGS, skipWithoutChromium } from '../support/chromium';

/**
 * The video panel in a real browser (Debian's Chromium through playwright-core) against the local
 * cloud: an area chief opens a case on the cockpit, sees the cameras nearest it (the district
 * file's demo cameras, registered at start-up) and plays one — the demo HLS clip the platform
 * serves locally — and the video element's clock advances.
 *
 * Skipped only on a developer machine without Chromium; with CI set it always runs.
 */
const skip = skipWithoutChromium;

const district = loadDistrict(join(REPO_ROOT, 'districts/sandun.json'));
const zone = district.zones.find((z) => z.id === 'zijingang')!;
const category = district.categories.find((c) => c.code === 'event.fire-lane-blocked')!;
/** Next to the demo cameras of the zone. */
const location = { lat: 30.2852, lng: 120.0689 };

interface DemoUser {
  sub: string;
  token: string;
}

describe.skipIf(skip)('the cockpit’s video panel in Chromium', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'xietong-cameras-'));
  const screenshots = process.env.XT_SCREENSHOTS_DIR ?? mkdtempSync(join(tmpdir(), 'xietong-screenshots-'));
  let cloud: SpawnedCloud;
  let browser: Browser;
  let users: DemoUser[] = [];
  let caseId = '';
  const pageErrors: string[] = [];

  const token = (sub: string) => {
    const found = users.find((u) => u.sub === sub);
    if (!found) throw new Error(`no demo user ${sub}`);
    return found.token;
  };

  beforeAll(async () => {
    mkdirSync(screenshots, { recursive: true });
    await ensureWebBuild({ quiet: true });
    cloud = await spawnLocalCloud({ dataDir });
    // Headless Chromium may refuse to start media without a gesture; the test clicks, but be sure.
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [...CHROMIUM_FLAGS, '--autoplay-policy=no-user-gesture-required'],
    });
    users = ((await (await fetch(`${cloud.info.url}/local/tokens`)).json()) as { users: DemoUser[] }).users;
    const response = await fetch(`${cloud.info.url}/v1/cases`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token(`local:field_worker:${category.lead}`)}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({
        source: 'patrol',
        category: category.code,
        description: '消防通道被杂物堵塞，请查看附近监控',
        location: { ...location, crs: 'wgs84' },
      }),
    });
    expect(response.status).toBe(202);
    caseId = ((await response.json()) as { id: string }).id;
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await cloud?.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** Signs the chief in, opens the case, checks the nearest cameras and plays the first online one. */
  const openAndPlay = async (page: Page) => {
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') pageErrors.push(message.text());
    });
    await page.goto(cloud.info.url);
    await page.locator(`button.user[data-sub="local:area_chief:${zone.id}"]`).click();
    await page.locator('body[data-updated-at]').waitFor();

    // The case reaches the chief's dispatch queue once routed; open it there.
    const item = page.locator(`.queue-item[data-case-id="${caseId}"]`).first();
    await item.waitFor({ timeout: 10_000 });
    await item.click();
    const cameras = page.locator('[data-testid=case-panel] [data-testid=camera-list] .camera-item');
    await cameras.first().waitFor({ timeout: 10_000 });

    // Nearest first, the same ones the district file places within 500 m.
    const expected = (district.cameras ?? [])
      .map((c) => ({ id: c.id, d: distanceMetres(location, c.location) }))
      .filter((c) => c.d <= 500)
      .sort((a, b) => a.d - b.d)
      .map((c) => c.id);
    const shown = await cameras.evaluateAll((buttons) =>
      buttons.map((b) => b.getAttribute('data-camera-id')),
    );
    expect(shown).toEqual(expected);
    // The chief's own zone's cameras are on the district map.
    await page.waitForFunction(
      "Number(document.querySelector('[data-testid=district-map]')?.getAttribute('data-cameras')) > 0",
    );

    await page.locator('[data-testid=camera-list] .camera-item:not([disabled])').first().click();
    await page.locator('[data-testid=camera-video]').waitFor({ state: 'visible' });
    // The element's clock runs only while frames are decoded: the clip really plays.
    await page.waitForFunction(
      "document.querySelector('[data-testid=camera-video]')?.currentTime > 1",
      undefined,
      {
        timeout: 20_000,
      },
    );
    const state = (await page.evaluate(
      "(({ currentTime, paused, videoWidth, dataset }) => ({ currentTime, paused, width: videoWidth, player: dataset.player }))(document.querySelector('[data-testid=camera-video]'))",
    )) as { currentTime: number; paused: boolean; width: number; player: string };
    expect(state.currentTime).toBeGreaterThan(1);
    expect(state.width).toBe(320);
    process.stdout.write(`camera player: ${JSON.stringify(state)}\n`);
    return state;
  };

  it('takes a signed camera alert through the gateway, as a report at the camera', async () => {
    const base = cloud.info.url;
    const issued = await fetch(`${base}/v1/integration-keys`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token('local:admin')}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        name: '视频分析平台',
        source: 'camera',
        actions: ['alerts'],
        rateLimitPerMinute: 600,
      }),
    });
    expect(issued.status).toBe(201);
    const { id, signingSecret } = (await issued.json()) as { id: string; signingSecret: string };
    const alert = (fields: Record<string, unknown>, signed = true) => {
      const body = JSON.stringify({
        cameraId: 'cam-os-01',
        alertType: 'street_vending',
        occurredAt: new Date().toISOString(),
        ...fields,
      });
      return fetch(`${base}/v1/integrations/cameras/alerts`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(signed && { [KEY_ID_HEADER]: id, ...signatureHeaders(signingSecret, body, Date.now()) }),
        },
        body,
      });
    };
    const unsigned = await alert({}, false);
    expect(unsigned.status).toBe(401);
    expect(unsigned.headers.get('content-type')).toContain('application/problem+json');
    const unknown = await alert({ cameraId: 'cam-nowhere' });
    expect(unknown.status).toBe(422);
    const reply = await alert({ alertId: 'e2e-1' });
    expect(reply.status).toBe(202);
    const view = (await reply.json()) as { id: string; source: string; camera: { cameraId: string } };
    expect(view).toMatchObject({ source: 'camera', camera: { cameraId: 'cam-os-01' } });
  });

  it('shows an area chief the nearest cameras of a case and plays one', async () => {
    const context = await browser.newContext({ viewport: { width: 1920, height: 1080 }, locale: 'zh-CN' });
    const page = await context.newPage();
    const state = await openAndPlay(page);
    // Chromium offers native HLS; where it does, the page uses it.
    const native = await page.evaluate(
      "document.createElement('video').canPlayType('application/vnd.apple.mpegurl')",
    );
    expect(state.player).toBe(native === '' ? 'hls.js' : 'native');
    await page.screenshot({ path: join(screenshots, 'cockpit-cameras.png') });
    expect(pageErrors).toEqual([]);
    await context.close();
  }, 90_000);

  it('plays it through hls.js where the browser has no native HLS', async () => {
    const context = await browser.newContext({ viewport: { width: 1600, height: 900 }, locale: 'zh-CN' });
    // A browser without native HLS (most desktop Chromium and Firefox builds): MSE via hls.js.
    await context.addInitScript(
      "{ const original = HTMLMediaElement.prototype.canPlayType; HTMLMediaElement.prototype.canPlayType = function (type) { return type.includes('mpegurl') ? '' : original.call(this, type); }; }",
    );
    const page = await context.newPage();
    const state = await openAndPlay(page);
    expect(state.player).toBe('hls.js');
    expect(pageErrors).toEqual([]);
    await context.close();
  }, 90_000);
});
