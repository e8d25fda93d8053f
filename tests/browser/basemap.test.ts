import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../infra/local/paths';
import { type SpawnedCloud, spawnLocalCloud } from '../../infra/local/spawn';
import { loadDistrict } from '../../shared/district/load';
import type { GeoPoint } from '../../shared/domain/case';
import { pointInPolygon, wgs84ToGcj02 } from '../../shared/domain/geo';
import { ensureWebBuild } from '../../web/scripts/ensure-build';
import { CHROMIUM, CHROMIUM_FLAGS, skipWithoutChromium } from '../support/chromium';
import { districtFileWith, type Rgb, startFixtureTiles } from '../support/fixture-tiles';

/**
 * The cockpit on a base map (Leaflet over raster tiles), in Chromium against the local cloud. A
 * tile server of this test draws fixture tiles: a plain ground with a red cross where a landmark
 * stands *in the tiles' own datum*, i.e. at the landmark's WGS-84 coordinates for a WGS-84 source
 * and at its GCJ-02 coordinates (about 500 m off here) for a GCJ-02 source, as a real 高德 tile
 * shows it. A green cross marks where an uncorrected WGS-84 point would be drawn. A report made at
 * the landmark must be drawn on the red cross on both kinds of base map, within a few pixels, which
 * for GCJ-02 is only true when the shift is applied. A district without a base map says so.
 */
const skip = skipWithoutChromium;
const TOLERANCE_PX = 3;
const DISTRICT_FILE = join(REPO_ROOT, 'districts/sandun.json');
const district = loadDistrict(DISTRICT_FILE);
const zone = district.zones[0]!;
const category = district.categories.find((c) => c.priority === 'normal' && c.group === 'event')!;
/** The cockpit draws a normal-priority case in this colour (web/src/cockpit/echarts.ts THEME). */
const NORMAL_COLOUR = [0x36, 0xcf, 0xc9] as const;

/** Halfway from the zone's centre to its first corner: clear of the zone's label, which sits at the centre. */
const corners = (zone.boundary.coordinates[0] ?? []).slice(0, -1);
const mean = (i: number) => corners.reduce((s, p) => s + (p[i] ?? 0), 0) / corners.length;
const landmark: GeoPoint = {
  lat: Number(((mean(1) + (corners[0]?.[1] ?? 0)) / 2).toFixed(6)),
  lng: Number(((mean(0) + (corners[0]?.[0] ?? 0)) / 2).toFixed(6)),
};

/** Every tile image on the page has loaded (evaluated in the page). */
const TILES_LOADED = "[...document.querySelectorAll('.leaflet-tile')].every((t) => t.complete)";

const RED: Rgb = [255, 0, 0];
const GREEN: Rgb = [0, 200, 0];

/** The centroid of the pixels near a colour, in a raw RGB screenshot (optionally within a window). */
const centroid = (
  raw: { data: Buffer; width: number; height: number },
  near: (r: number, g: number, b: number) => boolean,
  around?: { x: number; y: number; radius: number },
) => {
  let sx = 0;
  let sy = 0;
  let n = 0;
  for (let y = 0; y < raw.height; y++) {
    for (let x = 0; x < raw.width; x++) {
      if (around && Math.hypot(x - around.x, y - around.y) > around.radius) continue;
      const i = (y * raw.width + x) * 3;
      if (near(raw.data[i] ?? 0, raw.data[i + 1] ?? 0, raw.data[i + 2] ?? 0)) {
        sx += x;
        sy += y;
        n++;
      }
    }
  }
  return n === 0 ? undefined : { x: sx / n, y: sy / n, pixels: n };
};

// The tiles are dimmed a little by the page (CSS filter) and zones are washed over them: loose bands.
const isRed = (r: number, g: number, b: number) => r > 100 && r - g > 70 && r - b > 50;
const isGreen = (r: number, g: number, b: number) => g > 90 && g - r > 50 && g - b > 30;
const isCaseColour = (r: number, g: number, b: number) =>
  Math.abs(r - NORMAL_COLOUR[0]) < 30 &&
  Math.abs(g - NORMAL_COLOUR[1]) < 25 &&
  Math.abs(b - NORMAL_COLOUR[2]) < 25;

describe.skipIf(skip)('the cockpit on a base map', () => {
  const work = mkdtempSync(join(tmpdir(), 'xietong-basemap-'));
  let tiles: Awaited<ReturnType<typeof startFixtureTiles>>;
  let browser: Browser;
  const clouds: SpawnedCloud[] = [];
  const pageErrors: string[] = [];

  /** Sandun's file with a base map from the fixture server, beside the catalogue it extends. */
  const districtWith = (basemap: unknown) =>
    districtFileWith(DISTRICT_FILE, work, `district-${clouds.length}.json`, basemap ? { basemap } : {});

  const openCockpit = async (basemap: unknown) => {
    const dataDir = mkdtempSync(join(work, 'data-'));
    const cloud = await spawnLocalCloud({ dataDir, args: ['--district', districtWith(basemap)] });
    clouds.push(cloud);
    const { users } = (await (await fetch(`${cloud.info.url}/local/tokens`)).json()) as {
      users: { sub: string; token: string }[];
    };
    const page = await browser.newPage({ viewport: { width: 1920, height: 1080 }, locale: 'zh-CN' });
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(cloud.info.url);
    await page.locator('button.user[data-sub="local:command_centre"]').click();
    await page.locator('body[data-updated-at]').waitFor();
    return { cloud, page, users };
  };

  const reportAtLandmark = async (
    cloud: SpawnedCloud,
    page: Page,
    users: { sub: string; token: string }[],
  ) => {
    const reporter = users.find((u) => u.sub === `local:field_worker:${category.lead}`)!;
    const response = await fetch(`${cloud.info.url}/v1/cases`, {
      method: 'POST',
      headers: { authorization: `Bearer ${reporter.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        source: 'patrol',
        category: category.code,
        description: `巡查发现：${category.name.zh}`,
        location: { ...landmark, crs: 'wgs84' },
      }),
    });
    expect(response.status).toBe(202);
    await expect
      .poll(
        async () => Number(await page.locator('[data-testid=district-map]').getAttribute('data-points')),
        {
          timeout: 15_000,
        },
      )
      .toBe(1);
    // Tiles loaded, the canvas drawn.
    await page.waitForFunction(TILES_LOADED);
    await page.waitForTimeout(300);
  };

  const screenshotOfMap = async (page: Page) => {
    const png = await page.locator('[data-testid=district-map]').screenshot();
    const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    return { data, width: info.width, height: info.height, png };
  };

  beforeAll(async () => {
    await ensureWebBuild({ quiet: true });
    tiles = await startFixtureTiles({
      // A real 高德 tile shows the landmark at its GCJ-02 coordinates; green: where WGS-84 would put it.
      wgs84: [{ at: landmark, colour: RED }],
      gcj02: [
        { at: wgs84ToGcj02(landmark), colour: RED },
        { at: landmark, colour: GREEN },
      ],
    });
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS });
    expect(pointInPolygon(landmark, zone.boundary)).toBe(true);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    for (const cloud of clouds) await cloud.kill('SIGKILL');
    await tiles?.close();
    rmSync(work, { recursive: true, force: true });
  });

  it.each(['wgs84', 'gcj02'] as const)(
    'draws a case on its place on a %s base map',
    async (crs) => {
      const { cloud, page, users } = await openCockpit({
        crs,
        layers: [{ id: 'fixture', url: `${tiles.url}/${crs}/{z}/{x}/{y}.png` }],
        attribution: '测试底图 fixture tiles',
        minZoom: 10,
        maxZoom: 18,
      });
      await page.locator('[data-testid=district-map].tile-map .leaflet-tile-loaded').first().waitFor();
      expect(await page.locator('[data-testid=district-map]').getAttribute('data-basemap')).toBe(crs);
      await reportAtLandmark(cloud, page, users);

      // Zoom in on the case as a user would: the mouse wheel over it (Leaflet keeps that point still).
      const overview = await screenshotOfMap(page);
      const seen = centroid(overview, isCaseColour);
      expect(seen, 'the case is on the map').toBeDefined();
      const box = (await page.locator('[data-testid=district-map]').boundingBox())!;
      await page.mouse.move(box.x + seen!.x, box.y + seen!.y);
      await page.mouse.wheel(0, -100);
      await page.waitForTimeout(600);
      // Out of the way, so the case's tooltip doesn't cover the landmark.
      await page.mouse.move(box.x + box.width - 5, box.y + 5);
      await page.waitForFunction(TILES_LOADED);
      await page.waitForTimeout(500);
      const shot = await screenshotOfMap(page);
      const screenshots = process.env.XT_SCREENSHOTS_DIR ?? work;
      writeFileSync(join(screenshots, `cockpit-basemap-${crs}.png`), shot.png);
      await page.screenshot({ path: join(screenshots, `cockpit-page-basemap-${crs}.png`) });
      const cross = centroid(shot, isRed);
      expect(cross, 'the landmark is on screen').toBeDefined();
      const marker = centroid(shot, isCaseColour, { x: cross!.x, y: cross!.y, radius: 80 });
      expect(marker, 'the case is drawn near the landmark').toBeDefined();
      const error = Math.hypot(marker!.x - cross!.x, marker!.y - cross!.y);
      process.stdout.write(`${crs}: case drawn ${error.toFixed(1)} px from the landmark\n`);
      expect(error).toBeLessThanOrEqual(TOLERANCE_PX);

      if (crs === 'gcj02') {
        // The shift is real at this zoom (tens of pixels), and the case is not where its raw
        // WGS-84 coordinates would put it.
        const uncorrected = centroid(shot, isGreen);
        expect(uncorrected).toBeDefined();
        const offset = Math.hypot(uncorrected!.x - cross!.x, uncorrected!.y - cross!.y);
        process.stdout.write(`gcj02: the uncorrected point would be ${offset.toFixed(1)} px away\n`);
        expect(offset).toBeGreaterThan(10 * TOLERANCE_PX);
      }
      expect(await page.locator('.leaflet-control-attribution').textContent()).toContain('测试底图');
      expect(pageErrors).toEqual([]);
      await page.close();
    },
    120_000,
  );

  it('keeps the schematic, with a note, for a district without a base map', async () => {
    const { page } = await openCockpit(undefined);
    await expect(page.locator('[data-testid=no-basemap]').textContent()).resolves.toContain('未配置底图');
    expect(await page.locator('[data-testid=district-map] canvas').count()).toBeGreaterThan(0);
    expect(await page.locator('.leaflet-container').count()).toBe(0);
    await page.close();
  }, 120_000);
});
