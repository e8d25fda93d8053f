import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import {
  parseTilePath,
  tileHostsOf,
  tileRewriteFunctionCode,
  upstreamHostOf,
  upstreamTileUrl,
} from '../../shared/district/basemap';
import { districtSchemas } from '../../shared/district/schema';

const { BasemapConfig } = districtSchemas();

/** 天地图 as a district file names it: WMTS in key-value form, eight hosts, a key in `tk`. */
const tianditu = BasemapConfig.parse({
  crs: 'wgs84',
  layers: [
    {
      id: 'vec',
      url: 'https://t{s}.tianditu.gov.cn/vec_w/wmts?SERVICE=WMTS&REQUEST=GetTile&LAYER=vec&TILEMATRIXSET=w&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}',
      subdomains: '01234567',
    },
    {
      id: 'cva',
      url: 'https://t{s}.tianditu.gov.cn/cva_w/wmts?TILEMATRIX={z}&TILEROW={y}&TILECOL={x}',
      subdomains: '01',
      label: true,
    },
  ],
  attribution: '天地图',
  keyParameter: 'tk',
});
const amap = BasemapConfig.parse({
  crs: 'gcj02',
  layers: [
    {
      id: 'road',
      url: 'https://webrd0{s}.is.autonavi.com/appmaptile?style=8&x={x}&y={y}&z={z}',
      subdomains: '1234',
    },
  ],
  attribution: '高德地图',
});

describe('base map sources', () => {
  it('refuses a key written into a tile URL', () => {
    const keyed = {
      ...amap,
      layers: [{ id: 'a', url: 'https://t0.tianditu.gov.cn/x?tk=abc123&z={z}&x={x}&y={y}' }],
    };
    expect(BasemapConfig.safeParse(keyed).success).toBe(false);
  });

  it('reads the platform tile path, within the zoom range and the tile grid', () => {
    expect(parseTilePath(tianditu, '/basemap/vec/14/13712/6635')).toMatchObject({ z: 14, x: 13712, y: 6635 });
    expect(parseTilePath(tianditu, '/basemap/vec/3/1/1')).toBeUndefined(); // below minZoom
    expect(parseTilePath(tianditu, '/basemap/vec/12/4096/1')).toBeUndefined(); // off the grid
    expect(parseTilePath(tianditu, '/basemap/img/14/1/1')).toBeUndefined(); // no such layer
  });

  it('fetches a tile from the source with the key added, always from the same host', () => {
    const tile = parseTilePath(tianditu, '/basemap/vec/14/13712/6635')!;
    const url = new URL(upstreamTileUrl(tile, 'tk', 'secret'));
    expect(url.host).toBe(`t${(13712 + 6635) % 8}.tianditu.gov.cn`);
    expect(url.searchParams.get('TILEMATRIX')).toBe('14');
    expect(url.searchParams.get('TILEROW')).toBe('6635');
    expect(url.searchParams.get('TILECOL')).toBe('13712');
    expect(url.searchParams.get('tk')).toBe('secret');
  });

  it('lists exactly the hosts a page loads tiles from (none for a keyed source)', () => {
    expect(tileHostsOf(amap)).toEqual([1, 2, 3, 4].map((s) => `https://webrd0${s}.is.autonavi.com`));
    expect(tileHostsOf(tianditu)).toEqual([]);
    expect(tileHostsOf(undefined)).toEqual([]);
    expect(upstreamHostOf(tianditu.layers[0]!)).toBe('t0.tianditu.gov.cn');
  });

  it('rewrites a tile request at the edge into the source request with the key', () => {
    const code = tileRewriteFunctionCode(tianditu, 'edge-key');
    const run = (uri: string) =>
      runInNewContext(`${code}\nhandler(event)`, {
        event: { request: { uri, querystring: { foo: { value: 'bar' } }, headers: {} } },
      }) as { uri?: string; querystring?: Record<string, { value: string }>; statusCode?: number };
    const rewritten = run('/basemap/vec/14/13712/6635');
    expect(rewritten.uri).toBe('/vec_w/wmts');
    expect(rewritten.querystring).toMatchObject({
      SERVICE: { value: 'WMTS' },
      TILEMATRIX: { value: '14' },
      TILEROW: { value: '6635' },
      TILECOL: { value: '13712' },
      tk: { value: 'edge-key' },
    });
    expect(rewritten.querystring?.foo).toBeUndefined();
    expect(run('/basemap/vec/25/1/1').statusCode).toBe(404);
    expect(run('/basemap/../etc/1/1/1').statusCode).toBe(404);
  });
});
