import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SpawnedCloud, spawnLocalCloud } from '../../infra/local/spawn';
import { distanceMetres } from '../../shared/domain/geo';
import { ensureWebBuild } from '../../web/scripts/ensure-build';
import { type AttachmentView, type CaseView, createApi } from '../../web/src/api';
import { CHROMIUM, CHROMIUM_FLAGS, skipWithoutChromium } from '../support/chromium';
import { jpegWithExif } from '../support/evidence-harness';

/**
 * Reports from the street, in Chromium (390×844, a phone) against the local cloud:
 * - 巡查上报 on the field page with the network switched off: the page reopens from the service
 *   worker, the report and its photo wait in IndexedDB, and once the network is back they reach the
 *   API exactly once, the photo attached to the new case and checked against its place and time;
 * - a workflow command made offline on a case someone else changed meanwhile comes back as a
 *   conflict, which the officer resolves by applying it to the case as it is now;
 * - 随手拍, the citizens' page: a report with the phone's position, a photo and a description (no
 *   category: triage picks it), driven to closure through the API by the staff, then shown with its
 *   department and result, then the citizen's verdict (基本满意 with a comment) on the closed case.
 *
 * Skipped only on a developer machine without Chromium; with CI set it always runs.
 */
const skip = skipWithoutChromium;

const LIVE_MS = 15_000;
const OFFICER = 'local:field_worker:market-regulation';
/** Where the officer stands, in 紫金港网格, and where the citizen's problem is. */
const PATROL_AT = { lat: 30.2841, lng: 120.0688 };
const CITIZEN_AT = { lat: 30.2866, lng: 120.0719 };
const PATROL_TEXT = '巡查发现：消防通道被杂物堵塞，需清理';
const CITIZEN_TEXT = '人行道上的井盖不见了，晚上很危险';

interface DemoUser {
  sub: string;
  role: string;
  department: string | null;
  zone: string | null;
  token: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.skipIf(skip)('reports from the street in Chromium', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'xietong-street-'));
  const screenshots = process.env.XT_SCREENSHOTS_DIR ?? mkdtempSync(join(tmpdir(), 'xietong-screenshots-'));
  let cloud: SpawnedCloud;
  let browser: Browser;
  let users: DemoUser[] = [];
  const pageErrors: string[] = [];

  const user = (sub: string) => {
    const found = users.find((u) => u.sub === sub);
    if (!found) throw new Error(`no demo user ${sub}`);
    return found;
  };
  const apiAs = (sub: string) => createApi(cloud.info.url, () => user(sub).token);
  const commandCentre = () => apiAs('local:command_centre');

  const until = async <T>(what: string, look: () => Promise<T | undefined>, ms = LIVE_MS): Promise<T> => {
    const end = Date.now() + ms;
    for (;;) {
      const found = await look().catch(() => undefined);
      if (found !== undefined) return found;
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await sleep(150);
    }
  };

  const phone = (at: { lat: number; lng: number }, accuracy: number): Promise<BrowserContext> =>
    browser.newContext({
      viewport: { width: 390, height: 844 },
      deviceScaleFactor: 2,
      isMobile: true,
      hasTouch: true,
      locale: 'zh-CN',
      geolocation: { latitude: at.lat, longitude: at.lng, accuracy },
      permissions: ['geolocation'],
    });

  const watch = (page: Page, name: string) => {
    page.on('pageerror', (error) => pageErrors.push(`${name}: ${error.message}`));
    page.on('console', (message) => {
      // Offline on purpose: the browser logs each refused request.
      if (
        message.type() === 'error' &&
        !/ERR_INTERNET_DISCONNECTED|Failed to fetch|Failed to load resource/.test(message.text())
      ) {
        pageErrors.push(`${name} console: ${message.text()}`);
      }
    });
  };

  /** Every case the command centre sees with this description. */
  const casesDescribed = async (text: string) =>
    (await commandCentre().listAll({}, { maxPages: 10 })).items.filter((c) => c.description === text);

  const photoFile = async (at: { lat: number; lng: number }, name: string) => ({
    name,
    mimeType: 'image/jpeg',
    buffer: await jpegWithExif({ takenAt: new Date().toISOString(), gps: at }),
  });

  const signInAs = async (page: Page, path: string, sub: string) => {
    await page.goto(`${cloud.info.url}${path}`);
    await page.locator(`button.user[data-sub="${sub}"]`).click();
  };

  /** The page's service worker is in control and holds the page and every asset it loaded. */
  const shellCached = (page: Page) =>
    page.waitForFunction(
      `(async () => {
        if (!navigator.serviceWorker.controller) return false;
        const cache = await caches.open('xietong-shell-v1');
        const kept = new Set((await cache.keys()).map((r) => new URL(r.url).pathname));
        const loaded = performance.getEntriesByType('resource').map((e) => new URL(e.name))
          .filter((u) => u.origin === location.origin && u.pathname.startsWith('/assets/'))
          .map((u) => u.pathname);
        return kept.has(location.pathname) && loaded.length > 0 && loaded.every((p) => kept.has(p));
      })()`,
      undefined,
      { timeout: LIVE_MS },
    );

  beforeAll(async () => {
    mkdirSync(screenshots, { recursive: true });
    await ensureWebBuild({ quiet: true });
    cloud = await spawnLocalCloud({ dataDir });
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS });
    users = ((await (await fetch(`${cloud.info.url}/local/tokens`)).json()) as { users: DemoUser[] }).users;
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await cloud?.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
    process.stdout.write(`street report screenshots: ${screenshots}\n`);
  });

  it('巡查上报 without signal: kept on the phone, sent once when the network returns, its photo checked', async () => {
    const context = await phone(PATROL_AT, 12);
    const page = await context.newPage();
    watch(page, 'patrol');
    const reportPosts: number[] = [];
    page.on('response', (response) => {
      const request = response.request();
      if (request.method() === 'POST' && new URL(request.url()).pathname === '/v1/cases') {
        reportPosts.push(response.status());
      }
    });
    await signInAs(page, '/field.html', OFFICER);
    await page.locator('[data-testid=tasks], .empty').first().waitFor({ timeout: LIVE_MS });
    // The classifier (loaded while there is signal) is among what the worker keeps.
    await page.locator('body[data-suggester=ready]').waitFor({ state: 'attached', timeout: LIVE_MS });
    await shellCached(page);

    // The signal goes: the page says so, and opens again from the phone itself.
    await context.setOffline(true);
    await page.locator('[data-testid=offline-banner]:visible').waitFor();
    const reopened = await page.reload();
    expect(reopened?.fromServiceWorker()).toBe(true);
    await page.locator('[data-testid=patrol-new]').waitFor({ timeout: LIVE_MS });
    await page.locator('[data-testid=offline-banner]:visible').waitFor();

    await page.locator('[data-testid=patrol-new]').click();
    const form = page.locator('[data-testid=patrol-form]');
    await form.waitFor();
    // The phone's position, with its accuracy.
    const status = page.locator('[data-testid=place-status][data-accuracy=good]');
    await status.waitFor({ timeout: LIVE_MS });
    expect(await status.textContent()).toContain('±12 米');
    const map = page.locator('[data-testid=pin-map]');
    expect(await map.getAttribute('data-pin')).toBe('gps');

    // A tap on the map moves the pin by hand; 获取当前位置 puts it back on the GPS fix.
    const box = await map.boundingBox();
    await page.mouse.click((box?.x ?? 0) + 60, (box?.y ?? 0) + 60);
    await page.locator('[data-testid=pin-map][data-pin=manual]').waitFor();
    await page.locator('[data-testid=locate-me]').click();
    await page.locator('[data-testid=pin-map][data-pin=gps]').waitFor();
    expect(Number(await map.getAttribute('data-lat'))).toBeCloseTo(PATROL_AT.lat, 5);

    // The description suggests its category as it is typed (the classifier runs on the phone).
    await page.locator('[data-testid=patrol-description]').fill(PATROL_TEXT);
    const suggestion = page.locator(
      '[data-testid=patrol-suggestions] button[data-category="event.fire-lane-blocked"]',
    );
    await suggestion.waitFor({ timeout: LIVE_MS });
    await suggestion.click();
    expect(await page.locator('[data-testid=category-select]').inputValue()).toBe('event.fire-lane-blocked');
    await page
      .locator('[data-testid=report-photo-input]')
      .setInputFiles(await photoFile(PATROL_AT, 'fire-lane.jpg'));
    await page.locator('[data-testid=picked-photos] img').waitFor();
    await page.screenshot({ path: join(screenshots, 'field-patrol-report.png') });
    await page.locator('[data-testid=patrol-submit]').click();

    // Both wait on the phone, in order, and the page says so.
    const outbox = page.locator('[data-testid=outbox]');
    await page.locator('[data-testid=outbox][data-count="2"]').waitFor();
    expect(
      await outbox
        .locator('.outbox-entry')
        .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-kind'))),
    ).toEqual(['report', 'photo']);
    expect(await outbox.textContent()).toContain('等待网络');
    await page.screenshot({ path: join(screenshots, 'field-outbox-offline.png') });
    await sleep(1_500);
    expect(await casesDescribed(PATROL_TEXT)).toEqual([]);
    expect(reportPosts.filter((s) => s < 300)).toEqual([]);

    // The signal returns: the report goes first, then its photo, and the outbox empties.
    await context.setOffline(false);
    await page
      .locator('[data-testid=outbox][data-count="0"]')
      .waitFor({ state: 'attached', timeout: LIVE_MS * 2 });
    const caseId = await until(
      'the sent report',
      async () => (await page.getAttribute('body', 'data-last-report')) ?? undefined,
    );
    expect(await page.locator('[data-testid=outbox-notice]').textContent()).toContain(caseId);

    const created = await casesDescribed(PATROL_TEXT);
    expect(created.map((c) => c.id)).toEqual([caseId]);
    expect(reportPosts.filter((s) => s >= 200 && s < 300)).toEqual([202]);
    const c = created[0] as CaseView;
    expect(c.source).toBe('patrol');
    expect(c.category).toBe('event.fire-lane-blocked');
    expect(c.submittedBy.subject).toBe(OFFICER);
    expect(distanceMetres(c.location, PATROL_AT)).toBeLessThan(1);

    // The photo reached the case through the evidence path and was checked against its place.
    const officerApi = apiAs(OFFICER);
    const photos = await until('the photo’s verdict', async () => {
      const items = (await officerApi.attachments(caseId)).items;
      return items.length > 0 && items.every((a) => a.status !== 'pending') ? items : undefined;
    });
    expect(photos).toHaveLength(1);
    const photo = photos[0] as AttachmentView;
    expect(photo.status).toBe('verified');
    expect(photo.facts?.distanceMetres).toBeLessThan(20);
    expect(photo.facts?.takenAt).toBeDefined();
    await context.close();
  });

  it('a command made offline on a case changed meanwhile comes back as a conflict the officer resolves', async () => {
    // A task of market regulation, dispatched.
    const staff = apiAs(OFFICER);
    const reported = await staff.report(
      {
        source: 'patrol',
        category: 'event.household-workshop',
        description: '居民楼内疑似家庭作坊（离线冲突）',
        location: { lat: 30.2852, lng: 120.0712, crs: 'wgs84' },
      },
      `conflict-${Date.now()}`,
    );
    const registered = await until('registration', async () => {
      const c = await commandCentre().get(reported.id);
      return c.status === 'registered' ? c : undefined;
    });
    const chief = apiAs(`local:area_chief:${registered.zone?.id}`);
    const dispatched = await chief.command(registered.id, 'dispatch', {}, registered.version);
    expect(dispatched.assignee).toBe('market-regulation');

    const context = await phone(PATROL_AT, 12);
    const page = await context.newPage();
    watch(page, 'conflict');
    await signInAs(page, '/field.html', OFFICER);
    await page.locator(`a.task[data-case-id="${registered.id}"]`).click();
    await page.locator('[data-testid=field-status]').waitFor();

    // Offline, the officer accepts: kept with the version they saw.
    await context.setOffline(true);
    await page.locator('button[data-command=accept]').click();
    await page.locator('[data-testid=submit-accept]').click();
    await page.locator('[data-testid=outbox][data-count="1"]').waitFor();
    expect(await page.locator('[data-testid=field-notice]').textContent()).toContain('已保存在本机');
    // One kept command per case: no second 签收 while the first waits.
    await page.locator('[data-testid=command-kept]').waitFor();
    expect(await page.locator('button[data-command=accept]').count()).toBe(0);

    // Meanwhile the area chief adds a note: the case moves on.
    const noted = await chief.command(
      registered.id,
      'progress',
      { note: '已电话联系物业' },
      dispatched.version,
    );
    expect(noted.version).toBe(dispatched.version + 1);

    // Back online: the stale accept is not applied, and not lost either.
    await context.setOffline(false);
    const conflict = page.locator('.outbox-entry[data-state=conflict]');
    await conflict.waitFor({ timeout: LIVE_MS });
    expect(await conflict.textContent()).toContain('冲突');
    expect((await commandCentre().get(registered.id)).status).toBe('dispatched');
    await page.evaluate('scrollTo(0, 0)');
    await page.screenshot({ path: join(screenshots, 'field-outbox-conflict.png') });

    // The officer applies it to the case as it is now.
    await conflict.locator('[data-testid=outbox-retry]').click();
    await page
      .locator('[data-testid=outbox][data-count="0"]')
      .waitFor({ state: 'attached', timeout: LIVE_MS });
    const accepted = await commandCentre().get(registered.id);
    expect(accepted.status).toBe('accepted');
    expect(accepted.timeline.filter((e) => e.action === 'accepted')).toHaveLength(1);
    await context.close();
  });

  it('随手拍: a citizen’s report with a photo, its progress to closure, the result and the verdict step', async () => {
    const context = await phone(CITIZEN_AT, 20);
    const page = await context.newPage();
    watch(page, 'citizen');
    await signInAs(page, '/report.html', 'local:reporter');
    await page.locator('[data-testid=citizen-form]').waitFor();
    expect(await page.locator('.field-top h1').textContent()).toBe('随手拍');

    await page.locator('[data-testid=locate-me]').click();
    await page.locator('[data-testid=pin-map][data-pin=gps]').waitFor({ timeout: LIVE_MS });
    await page.locator('[data-testid=citizen-description]').fill(CITIZEN_TEXT);
    await page
      .locator('[data-testid=report-photo-input]')
      .setInputFiles(await photoFile(CITIZEN_AT, 'manhole.jpg'));
    await page.locator('[data-testid=picked-photos] img').waitFor();
    await page.screenshot({ path: join(screenshots, 'citizen-report.png') });
    await page.locator('[data-testid=citizen-submit]').click();

    const caseId = await until(
      'the citizen’s case',
      async () => (await page.getAttribute('body', 'data-last-report')) ?? undefined,
    );
    const card = page.locator(`[data-testid=my-reports] li[data-case-id="${caseId}"]`);
    await card.waitFor({ timeout: LIVE_MS });

    // The photo reached the case and was checked (its verdict is a step on the case's timeline).
    const photos = await until('the photo’s verdict', async () => {
      const items = (await apiAs('local:reporter').attachments(caseId)).items;
      return items.length > 0 && items.every((a) => a.status !== 'pending') ? items : undefined;
    });
    expect(photos.map((a) => a.status)).toEqual(['verified']);

    // Triage picked the category (no category was sent); the staff take it to closure.
    const registered = await until('registration', async () => {
      const c = await commandCentre().get(caseId);
      return c.status === 'registered' ? c : undefined;
    });
    expect(registered.source).toBe('citizen');
    expect(registered.category).toBe('component.manhole-cover-missing');
    const chief = apiAs(`local:area_chief:${registered.zone?.id}`);
    let c = await chief.command(caseId, 'dispatch', {}, registered.version);
    const department = c.assignee ?? '';
    const worker = apiAs(`local:field_worker:${department}`);
    c = await worker.command(caseId, 'accept', {}, c.version);
    c = await worker.command(caseId, 'resolve', { result: '已更换新井盖并设置警示' }, c.version);
    c = await chief.command(caseId, 'verify', { passed: true }, c.version);
    c = await commandCentre().command(caseId, 'close', {}, c.version);
    expect(c.status).toBe('closed');

    // The citizen sees it closed, who handled it and the result.
    await page.locator('[data-testid=tab-mine]').click();
    await page
      .locator(`[data-testid=my-reports] li[data-case-id="${caseId}"][data-status=closed]`)
      .waitFor({ timeout: LIVE_MS });
    expect(await card.locator('[data-testid=citizen-status]').textContent()).toBe('已办结');
    const handler = (await commandCentre().district()).departments.find((d) => d.id === department);
    expect(await card.locator('[data-testid=citizen-department]').textContent()).toContain(handler?.name.zh);
    expect(await card.locator('[data-testid=citizen-result]').textContent()).toContain(
      '已更换新井盖并设置警示',
    );

    // The verdict step is offered on the closed case.
    const verdict = card.locator('[data-testid=verdict-form]');
    await verdict.waitFor();
    await page.screenshot({ path: join(screenshots, 'citizen-my-reports.png') });
    await verdict.locator('[data-testid=verdict-basically_satisfied]').click();
    await verdict.locator('[data-testid=verdict-comment]').fill('处理及时，希望加强巡查');

    await verdict.locator('[data-testid=verdict-submit]').click();
    const given = card.locator('[data-testid=verdict-given][data-rating=basically_satisfied]');
    await given.waitFor({ timeout: LIVE_MS });
    expect(await given.textContent()).toContain('基本满意');
    const judged = await commandCentre().get(caseId);
    expect(judged.satisfaction?.rating).toBe('basically_satisfied');
    expect(judged.satisfaction?.comment).toBe('处理及时，希望加强巡查');
    expect(judged.satisfaction?.channel).toBe('citizen');
    await context.close();
    expect(pageErrors).toEqual([]);
  });
});
