import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../infra/local/paths';
import { type SpawnedCloud, spawnLocalCloud } from '../../infra/local/spawn';
import { distanceMetres, wgs84ToGcj02 } from '../../shared/domain/geo';
import { ensureWebBuild } from '../../web/scripts/ensure-build';
import { createApi } from '../../web/src/api';
import { CHROMIUM, CHROMIUM_FLAGS, skipWithoutChromium } from '../support/chromium';

/**
 * The way to the case on the field page, in a real browser (Debian's Chromium through
 * playwright-core) against the local cloud: with the phone's position mocked, every task shows how
 * far it is, 按距离排序 puts the nearest first (and back), and 导航 opens the map app the district
 * file names — here 腾讯, so the link carries the case's point shifted to GCJ-02. Without the
 * permission the list still works and says why there are no distances.
 *
 * Skipped only on a developer machine without Chromium; with CI set it always runs.
 */
const skip = skipWithoutChromium;
const LIVE_WITHIN_MS = 10_000;
const CATEGORY = 'event.household-workshop';
const DEPARTMENT = 'market-regulation';
/** Where the mocked phone stands, in 紫金港网格. */
const WORKER = { lat: 30.284, lng: 120.069 };
/** Three places in three zones, ~0.2, ~1.6 and ~4.6 km from the worker. */
const PLACES = {
  near: { lat: 30.2858, lng: 120.0702, address: '紫金港路 21 号' },
  mid: { lat: 30.292, lng: 120.083, address: '古墩路 588 号' },
  far: { lat: 30.312, lng: 120.105, address: '西城年华 3 幢' },
} as const;
type Place = keyof typeof PLACES;
/** The district's 导航 settings in the test's copy of the district file. */
const NAVIGATION = { provider: 'tencent', source: 'xietong-field-test' } as const;

interface DemoUser {
  sub: string;
  role: string;
  department: string | null;
  zone: string | null;
  token: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.skipIf(skip)('the way to the case on the field page in Chromium', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'xietong-field-nav-'));
  const screenshots = process.env.XT_SCREENSHOTS_DIR ?? mkdtempSync(join(tmpdir(), 'xietong-screenshots-'));
  let cloud: SpawnedCloud;
  let browser: Browser;
  let users: DemoUser[] = [];
  const caseIds = {} as Record<Place, string>;
  const pageErrors: string[] = [];

  const user = (role: string, match: Partial<DemoUser>) => {
    const found = users.find(
      (u) => u.role === role && Object.entries(match).every(([k, v]) => u[k as keyof DemoUser] === v),
    );
    if (!found) throw new Error(`no demo user ${role} ${JSON.stringify(match)}`);
    return found;
  };

  /** Reports a case and waits until intake has registered it. */
  const report = async (place: Place) => {
    const worker = user('field_worker', { department: DEPARTMENT });
    const { address, ...point } = PLACES[place];
    const reply = await fetch(`${cloud.info.url}/v1/cases`, {
      method: 'POST',
      headers: { authorization: `Bearer ${worker.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        source: 'patrol',
        category: CATEGORY,
        description: `居民楼内疑似家庭作坊（${address}）`,
        location: { ...point, crs: 'wgs84', address },
      }),
    });
    expect(reply.status).toBe(202);
    const id = ((await reply.json()) as { id: string }).id;
    const staff = createApi(cloud.info.url, () => user('department_staff', { department: DEPARTMENT }).token);
    for (let i = 0; i < 150; i++) {
      const c = await staff.get(id).catch(() => undefined);
      if (c?.status === 'registered') return c;
      await sleep(100);
    }
    throw new Error(`case ${id} at ${place} was never registered`);
  };

  const watch = (page: Page, name: string) => {
    page.on('pageerror', (error) => pageErrors.push(`${name}: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') pageErrors.push(`${name} console: ${message.text()}`);
    });
  };

  const phone = (options: { located: boolean }): Promise<BrowserContext> =>
    browser.newContext({
      viewport: { width: 390, height: 844 },
      deviceScaleFactor: 2,
      isMobile: true,
      hasTouch: true,
      locale: 'zh-CN',
      ...(options.located && {
        geolocation: { latitude: WORKER.lat, longitude: WORKER.lng, accuracy: 12 },
        permissions: ['geolocation'],
      }),
    });

  const openTasks = async (context: BrowserContext, name: string) => {
    const page = await context.newPage();
    watch(page, name);
    await page.goto(`${cloud.info.url}/field.html`);
    await page.locator(`button.user[data-sub="local:field_worker:${DEPARTMENT}"]`).click();
    for (const id of Object.values(caseIds)) {
      await page.locator(`a.task[data-case-id="${id}"]`).waitFor({ timeout: LIVE_WITHIN_MS });
    }
    return page;
  };

  /** Our three tasks in the order the list shows them. */
  const shownOrder = async (page: Page): Promise<Place[]> => {
    const ids = await page
      .locator('[data-testid=tasks] a.task')
      .evaluateAll((links) => links.map((a) => a.getAttribute('data-case-id')));
    const placeOf = new Map(Object.entries(caseIds).map(([place, id]) => [id, place as Place]));
    return ids.flatMap((id) => (id && placeOf.has(id) ? [placeOf.get(id)!] : []));
  };

  const card = (page: Page, place: Place) =>
    page.locator('li.task-card', { has: page.locator(`a.task[data-case-id="${caseIds[place]}"]`) });

  beforeAll(async () => {
    mkdirSync(screenshots, { recursive: true });
    await ensureWebBuild({ quiet: true });
    // The demo district, with its field page sending 导航 to 腾讯 instead of the default 高德.
    const district = JSON.parse(readFileSync(join(REPO_ROOT, 'districts/sandun.json'), 'utf8'));
    district.navigation = NAVIGATION;
    const districtFile = join(dataDir, 'sandun-field-nav.json');
    writeFileSync(districtFile, JSON.stringify(district));
    copyFileSync(join(REPO_ROOT, 'districts/catalogue.json'), join(dataDir, 'catalogue.json'));
    copyFileSync(
      join(REPO_ROOT, 'districts/sandun.examples.json'),
      join(dataDir, 'sandun-field-nav.examples.json'),
    );
    cloud = await spawnLocalCloud({ dataDir, args: ['--district', districtFile] });
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS });
    users = ((await (await fetch(`${cloud.info.url}/local/tokens`)).json()) as { users: DemoUser[] }).users;

    // Reported nearest first and dispatched furthest first: by urgency (nearest deadline, then the
    // newest report) the list starts with the furthest, the reverse of nearest first.
    const registered = [];
    for (const place of ['near', 'mid', 'far'] as const) registered.push({ place, c: await report(place) });
    for (const { place, c } of registered.reverse()) {
      const chief = user('area_chief', { zone: c.zone?.id ?? '' });
      const dispatched = await createApi(cloud.info.url, () => chief.token).command(
        c.id,
        'dispatch',
        {},
        c.version,
      );
      expect(dispatched.status).toBe('dispatched');
      caseIds[place] = c.id;
      await sleep(20);
    }
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await cloud?.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
    process.stdout.write(`field navigation screenshots: ${screenshots}\n`);
  });

  it('shows each task’s distance from the worker, and sorts nearest first on a tap', async () => {
    const context = await phone({ located: true });
    const page = await openTasks(context, 'located');
    await page
      .locator('[data-testid=task-tools][data-location=located]')
      .waitFor({ timeout: LIVE_WITHIN_MS });

    for (const place of Object.keys(PLACES) as Place[]) {
      const distance = card(page, place).locator('[data-testid=task-distance]');
      await distance.waitFor();
      const expected = distanceMetres(WORKER, PLACES[place]);
      expect(Math.abs(Number(await distance.getAttribute('data-metres')) - expected)).toBeLessThanOrEqual(1);
      const text = (await distance.textContent()) ?? '';
      expect(text).toMatch(/^[\d.,]+ (米|公里)$/);
      const shown = text.endsWith('公里')
        ? Number(text.replace(' 公里', '')) * 1000
        : Number(text.replace(' 米', ''));
      // Rounded as a walk needs it: to 10 m near, to 100 m from a kilometre.
      expect(Math.abs(shown - expected)).toBeLessThanOrEqual(expected < 1000 ? 5 : 50);
    }

    // Today's order stays the default: the most urgent first, here the furthest.
    expect(await page.getAttribute('[data-testid=tasks]', 'data-order')).toBe('urgency');
    expect(await shownOrder(page)).toEqual(['far', 'mid', 'near']);
    const toggle = page.locator('[data-testid=sort-distance]');
    expect(await toggle.getAttribute('aria-pressed')).toBe('false');
    expect(await toggle.textContent()).toBe('按距离排序');

    await toggle.click();
    await page.locator('[data-testid=tasks][data-order=distance]').waitFor();
    expect(await shownOrder(page)).toEqual(['near', 'mid', 'far']);
    expect(await page.getAttribute('[data-testid=sort-distance]', 'aria-pressed')).toBe('true');
    await page.screenshot({ path: join(screenshots, 'field-nearest-first.png') });

    // The live refresh (every 2 s) keeps the chosen order, and so does a reload.
    const before = await page.getAttribute('body', 'data-updated-at');
    await page.waitForFunction(`document.body.dataset.updatedAt !== ${JSON.stringify(before)}`, undefined, {
      timeout: LIVE_WITHIN_MS,
    });
    expect(await shownOrder(page)).toEqual(['near', 'mid', 'far']);
    await page.reload();
    await page.locator('[data-testid=tasks][data-order=distance]').waitFor({ timeout: LIVE_WITHIN_MS });
    expect(await shownOrder(page)).toEqual(['near', 'mid', 'far']);

    await page.locator('[data-testid=sort-distance]').click();
    await page.locator('[data-testid=tasks][data-order=urgency]').waitFor();
    expect(await shownOrder(page)).toEqual(['far', 'mid', 'near']);
    await context.close();
  });

  it('points 导航 at the district’s map app with the case’s coordinates, on the list and the case', async () => {
    const context = await phone({ located: true });
    const page = await openTasks(context, 'navigate');
    for (const place of Object.keys(PLACES) as Place[]) {
      const link = card(page, place).locator('[data-testid=task-navigate]');
      expect(await link.textContent()).toContain('导航');
      expect(await link.getAttribute('target')).toBe('_blank');
      const href = (await link.getAttribute('href')) ?? '';
      expect(href.startsWith('https://apis.map.qq.com/uri/v1/marker?')).toBe(true);
      const query = new URL(href).searchParams;
      expect(query.get('coord_type')).toBe('2');
      expect(query.get('referer')).toBe(NAVIGATION.source);
      const marker = /^coord:([\d.]+),([\d.]+);title:(.*);addr:/.exec(query.get('marker') ?? '');
      // 腾讯 reads GCJ-02: the case's WGS-84 point shifted, not passed through.
      const gcj = wgs84ToGcj02(PLACES[place]);
      expect(Number(marker?.[1])).toBeCloseTo(gcj.lat, 6);
      expect(Number(marker?.[2])).toBeCloseTo(gcj.lng, 6);
      expect(distanceMetres(PLACES[place], gcj)).toBeGreaterThan(300);
      expect(marker?.[3]).toBe(PLACES[place].address);
    }

    // The case itself offers the same way there.
    const listHref = await card(page, 'mid').locator('[data-testid=task-navigate]').getAttribute('href');
    await page.locator(`a.task[data-case-id="${caseIds.mid}"]`).click();
    const onCase = page.locator('[data-testid=field-case] [data-testid=task-navigate]');
    await onCase.waitFor();
    expect(await onCase.getAttribute('href')).toBe(listHref);
    await page.screenshot({ path: join(screenshots, 'field-case-navigate.png') });
    await context.close();
  });

  it('does not ask for the position on opening: it offers a button instead', async () => {
    const context = await phone({ located: false });
    const page = await openTasks(context, 'not asked');
    await page.locator('[data-testid=task-tools][data-location=idle]').waitFor({ timeout: LIVE_WITHIN_MS });
    expect(await page.locator('[data-testid=locate]').textContent()).toBe('显示与我的距离');
    expect(await page.locator('[data-testid=task-distance]').count()).toBe(0);
    expect(await shownOrder(page)).toEqual(['far', 'mid', 'near']);
    await context.close();
  });

  it('still lists the tasks, with 导航, when the position is refused, and says so briefly', async () => {
    const context = await phone({ located: false });
    const page = await context.newPage();
    // Refused in the browser's settings (as a worker who once tapped 禁止).
    const cdp = await context.newCDPSession(page);
    const { targetInfo } = await cdp.send('Target.getTargetInfo');
    await cdp.send('Browser.setPermission', {
      permission: { name: 'geolocation' },
      setting: 'denied',
      origin: cloud.info.url,
      ...(targetInfo.browserContextId && { browserContextId: targetInfo.browserContextId }),
    });
    watch(page, 'refused');
    await page.goto(`${cloud.info.url}/field.html`);
    await page.locator(`button.user[data-sub="local:field_worker:${DEPARTMENT}"]`).click();
    for (const id of Object.values(caseIds)) {
      await page.locator(`a.task[data-case-id="${id}"]`).waitFor({ timeout: LIVE_WITHIN_MS });
    }
    await page.locator('[data-testid=task-tools][data-location=denied]').waitFor({ timeout: LIVE_WITHIN_MS });
    expect(await page.locator('[data-testid=task-tools]').textContent()).toContain(
      '未获定位授权，不显示距离',
    );
    expect(await page.locator('[data-testid=task-distance]').count()).toBe(0);
    expect(await page.locator('[data-testid=task-navigate]').count()).toBeGreaterThanOrEqual(3);

    // Nearest first cannot apply without a position: the toggle is off, the order the urgency order.
    expect(await page.locator('[data-testid=sort-distance]').isDisabled()).toBe(true);
    expect(await page.getAttribute('[data-testid=sort-distance]', 'aria-pressed')).toBe('false');
    expect(await page.getAttribute('[data-testid=tasks]', 'data-order')).toBe('urgency');
    expect(await shownOrder(page)).toEqual(['far', 'mid', 'near']);
    await page.screenshot({ path: join(screenshots, 'field-location-refused.png') });
    await context.close();
    expect(pageErrors).toEqual([]);
  });
});
