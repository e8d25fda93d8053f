import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { loadDistrict } from '../../shared/district/load';
import {
  DEFAULT_NAVIGATION,
  type NavigationSettings,
  navigationSchema,
} from '../../shared/district/navigation';
import { distanceMetres, wgs84ToGcj02 } from '../../shared/domain/geo';
import { distanceText, distanceTo, orderByDistance } from '../../web/src/field/distance';
import { FALLBACK_NAVIGATION, navigationUrl, opensInNewTab } from '../../web/src/field/navigation';
import {
  type GeolocationLike,
  type PermissionsLike,
  type PositionSources,
  type PositionState,
  watchPosition,
} from '../../web/src/field/position';
import { setLang } from '../../web/src/i18n';

/** A case in 紫金港网格 (WGS-84), as the platform stores it. */
const target = { lat: 30.2858, lng: 120.0702, name: '文一西路 998 号' };
const settings = (over: Partial<NavigationSettings> = {}) => navigationSchema().parse(over);
const query = (url: string) => new URL(url).searchParams;

describe('the district file’s navigation settings', () => {
  it('default to 高德 with WGS-84, so district files without them stay valid', () => {
    const sandun = loadDistrict(fileURLToPath(new URL('../../districts/sandun.json', import.meta.url)));
    expect(sandun.navigation).toEqual(DEFAULT_NAVIGATION);
    expect(settings()).toEqual({ provider: 'amap', source: 'xietong', coordinate: 'wgs84' });
    // The page's own copy, for an API that sends none, is the same.
    expect(FALLBACK_NAVIGATION).toEqual(DEFAULT_NAVIGATION);
  });

  it('take a custom link only with provider custom, and only an https or geo: one with both coordinates', () => {
    const refused = (value: unknown) => navigationSchema().safeParse(value).success === false;
    expect(refused({ provider: 'custom' })).toBe(true);
    expect(refused({ provider: 'amap', urlTemplate: 'https://map.example.cn/?p={lat},{lng}' })).toBe(true);
    expect(refused({ provider: 'custom', urlTemplate: 'javascript:alert({lat},{lng})' })).toBe(true);
    expect(refused({ provider: 'custom', urlTemplate: 'http://map.example.cn/?p={lat},{lng}' })).toBe(true);
    expect(refused({ provider: 'custom', urlTemplate: 'https://map.example.cn/?p={lat}' })).toBe(true);
    expect(refused({ provider: 'here' })).toBe(true);
    expect(refused({ provider: 'tencent', source: 'a key; with spaces' })).toBe(true);
    expect(refused({ provider: 'custom', urlTemplate: 'https://gis.example.cn/nav?to={lng},{lat}' })).toBe(
      false,
    );
  });
});

describe('the 导航 link', () => {
  it('gives 高德 the WGS-84 point as stored and says so', () => {
    const url = navigationUrl(settings(), target);
    expect(url.startsWith('https://uri.amap.com/marker?')).toBe(true);
    const q = query(url);
    expect(q.get('position')).toBe('120.0702,30.2858');
    expect(q.get('coordinate')).toBe('wgs84');
    expect(q.get('callnative')).toBe('1');
    expect(q.get('name')).toBe(target.name);
    expect(q.get('src')).toBe('xietong');
  });

  it('gives 百度 and 腾讯 the point shifted to GCJ-02, the datum they are told', () => {
    const gcj = wgs84ToGcj02(target);
    // The shift is real here (hundreds of metres), so a link that ignored it would be visibly off.
    expect(distanceMetres(target, gcj)).toBeGreaterThan(300);

    const baidu = query(
      navigationUrl(settings({ provider: 'baidu', source: 'webapp.sandun.xietong' }), target),
    );
    const [bLat, bLng] = (baidu.get('location') ?? '').split(',').map(Number);
    expect(bLat).toBeCloseTo(gcj.lat, 6);
    expect(bLng).toBeCloseTo(gcj.lng, 6);
    expect(baidu.get('coord_type')).toBe('gcj02');
    expect(baidu.get('src')).toBe('webapp.sandun.xietong');
    expect(baidu.get('title')).toBe(target.name);

    const tencentUrl = navigationUrl(settings({ provider: 'tencent', source: 'KEY-123' }), target);
    expect(tencentUrl.startsWith('https://apis.map.qq.com/uri/v1/marker?')).toBe(true);
    const tencent = query(tencentUrl);
    const marker = /^coord:([\d.]+),([\d.]+);title:(.*);addr:/.exec(tencent.get('marker') ?? '');
    expect(Number(marker?.[1])).toBeCloseTo(gcj.lat, 6);
    expect(Number(marker?.[2])).toBeCloseTo(gcj.lng, 6);
    expect(marker?.[3]).toBe(target.name);
    expect(tencent.get('coord_type')).toBe('2');
    expect(tencent.get('referer')).toBe('KEY-123');
  });

  it('gives geo: the WGS-84 point and fills a custom template in the datum it names', () => {
    expect(navigationUrl(settings({ provider: 'geo' }), { ...target, name: '井盖缺失' })).toBe(
      `geo:30.2858,120.0702?q=30.2858,120.0702(${encodeURIComponent('井盖缺失')})`,
    );
    const template = 'https://gis.example.cn/nav?to={lng},{lat}&label={name}';
    const wgs = navigationUrl(settings({ provider: 'custom', urlTemplate: template }), target);
    expect(query(wgs).get('to')).toBe('120.0702,30.2858');
    expect(query(wgs).get('label')).toBe(target.name);
    const gcj = wgs84ToGcj02(target);
    const shifted = navigationUrl(
      settings({ provider: 'custom', urlTemplate: template, coordinate: 'gcj02' }),
      target,
    );
    const [lng, lat] = (query(shifted).get('to') ?? '').split(',').map(Number);
    expect(lat).toBeCloseTo(gcj.lat, 6);
    expect(lng).toBeCloseTo(gcj.lng, 6);
  });

  it('encodes a name that would otherwise end the parameter', () => {
    const q = query(navigationUrl(settings(), { ...target, name: '1 号&2 号 #3' }));
    expect(q.get('name')).toBe('1 号&2 号 #3');
    expect(q.get('coordinate')).toBe('wgs84');
  });

  it('opens web links in a new tab and geo: in place', () => {
    expect(opensInNewTab(navigationUrl(settings(), target))).toBe(true);
    expect(opensInNewTab(navigationUrl(settings({ provider: 'geo' }), target))).toBe(false);
  });
});

describe('distances and nearest first', () => {
  const worker = { lat: 30.284, lng: 120.069 };
  const task = (id: string, lat: number, lng: number) => ({ id, location: { lat, lng } });
  // In the urgency order the list has today: the furthest is the most urgent.
  const tasks = [
    task('far', 30.312, 120.105),
    task('near', 30.2858, 120.0702),
    task('mid', 30.292, 120.083),
    task('near-twin', 30.2858, 120.0702),
  ];

  it('measures from the worker with the domain’s great-circle distance', () => {
    expect(distanceTo(undefined, tasks[1]!)).toBeUndefined();
    const metres = distanceTo(worker, tasks[1]!) ?? 0;
    expect(metres).toBe(distanceMetres(worker, tasks[1]!.location));
    expect(metres).toBeGreaterThan(200);
    expect(metres).toBeLessThan(250);
  });

  it('orders nearest first, keeping the urgency order between equals, without touching the list', () => {
    const before = tasks.map((t) => t.id);
    expect(orderByDistance(tasks, worker, true).map((t) => t.id)).toEqual([
      'near',
      'near-twin',
      'mid',
      'far',
    ]);
    expect(tasks.map((t) => t.id)).toEqual(before);
  });

  it('keeps the urgency order when not asked, or while the position is unknown', () => {
    const ids = tasks.map((t) => t.id);
    expect(orderByDistance(tasks, worker, false).map((t) => t.id)).toEqual(ids);
    expect(orderByDistance(tasks, undefined, true).map((t) => t.id)).toEqual(ids);
  });

  afterEach(() => setLang('zh-CN'));

  it('writes a distance as precisely as a walk needs, in both languages', () => {
    setLang('zh-CN');
    expect(distanceText(3)).toBe('10 米');
    expect(distanceText(347)).toBe('350 米');
    expect(distanceText(996)).toBe('1 公里');
    expect(distanceText(1_234)).toBe('1.2 公里');
    expect(distanceText(12_345)).toBe('12 公里');
    setLang('en');
    expect(distanceText(347)).toBe('350 m');
    expect(distanceText(1_234)).toBe('1.2 km');
  });
});

describe('asking for the worker’s position', () => {
  const fakeSources = (permission: 'granted' | 'denied' | 'prompt', secure = true) => {
    const watchers: Parameters<GeolocationLike['watchPosition']>[] = [];
    const geolocation: GeolocationLike = {
      watchPosition: (...args) => watchers.push(args),
      clearWatch: () => undefined,
    };
    const permissions: PermissionsLike = {
      query: async () => ({ state: permission, addEventListener: () => undefined }),
    };
    const sources: PositionSources = { geolocation, permissions, secure };
    const fix = (lat: number, lng: number) =>
      watchers.at(-1)?.[0]({ coords: { latitude: lat, longitude: lng, accuracy: 15 } });
    const deny = () => watchers.at(-1)?.[1]({ code: 1, PERMISSION_DENIED: 1 });
    return { sources, watchers, fix, deny };
  };

  const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

  it('does not prompt on its own: it waits for a tap unless permission was given before', async () => {
    const asked = fakeSources('prompt');
    const states: PositionState[] = [];
    const watch = watchPosition((s) => states.push(s), asked.sources);
    await settle();
    expect(watch.state()).toEqual({ kind: 'idle' });
    expect(asked.watchers).toHaveLength(0);
    watch.start();
    asked.fix(30.284, 120.069);
    expect(watch.state()).toEqual({ kind: 'located', at: { lat: 30.284, lng: 120.069 }, accuracyMetres: 15 });

    const granted = fakeSources('granted');
    const auto = watchPosition(() => undefined, granted.sources);
    await settle();
    expect(granted.watchers).toHaveLength(1);
    expect(auto.state()).toEqual({ kind: 'locating' });
  });

  it('says denied when refused, and unavailable without geolocation or a secure page', async () => {
    const refused = fakeSources('prompt');
    const watch = watchPosition(() => undefined, refused.sources);
    watch.start();
    refused.deny();
    expect(watch.state()).toEqual({ kind: 'denied' });

    const blocked = watchPosition(() => undefined, fakeSources('denied').sources);
    await settle();
    expect(blocked.state()).toEqual({ kind: 'denied' });

    const plainHttp = watchPosition(() => undefined, fakeSources('granted', false).sources);
    await settle();
    expect(plainHttp.state()).toEqual({ kind: 'unavailable' });
    expect(watchPosition(() => undefined, { secure: true }).state()).toEqual({ kind: 'unavailable' });
  });
});
