import type { BasemapConfig } from './schema';

/** `/basemap/<layer>/<z>/<x>/<y>`: the platform's own path to a keyed layer's tiles. */
const TILE_PATH = /^\/basemap\/([a-z][a-z0-9-]{0,30})\/(\d{1,2})\/(\d{1,8})\/(\d{1,8})$/;

export interface TileRequest {
  layer: BasemapConfig['layers'][number];
  z: number;
  x: number;
  y: number;
}

/** The layer and tile a `/basemap/...` path asks for; undefined for anything else. */
export const parseTilePath = (basemap: BasemapConfig, path: string): TileRequest | undefined => {
  const match = TILE_PATH.exec(path);
  if (!match) return undefined;
  const layer = basemap.layers.find((l) => l.id === match[1]);
  const [z, x, y] = [match[2], match[3], match[4]].map(Number) as [number, number, number];
  if (!layer || z < basemap.minZoom || z > basemap.maxZoom || x >= 2 ** z || y >= 2 ** z) return undefined;
  return { layer, z, x, y };
};

/**
 * The source's URL of one tile, with the key added as the source's own query parameter. The
 * subdomain is chosen from the tile's coordinates, as Leaflet does, so a tile always comes from
 * the same host (and its cache).
 */
export const upstreamTileUrl = ({ layer, z, x, y }: TileRequest, keyParameter?: string, key?: string) => {
  const subdomains = layer.subdomains ?? '';
  const s = subdomains ? (subdomains[Math.abs(x + y) % subdomains.length] ?? '') : '';
  const url = new URL(
    layer.url
      .replaceAll('{s}', s)
      .replaceAll('{z}', String(z))
      .replaceAll('{x}', String(x))
      .replaceAll('{y}', String(y)),
  );
  if (keyParameter && key) url.searchParams.set(keyParameter, key);
  return url.toString();
};

/**
 * The hosts the page loads tiles from directly (every `{s}` expanded), for the Content-Security-Policy;
 * a keyed base map is fetched through the platform's own path, so it adds none.
 */
export const tileHostsOf = (basemap: BasemapConfig | undefined): string[] => {
  if (!basemap || basemap.keyParameter) return [];
  const hosts = new Set<string>();
  for (const layer of basemap.layers) {
    const origin = /^(https?:\/\/[^/?#]+)/.exec(layer.url)?.[1] ?? '';
    const subdomains = layer.subdomains ? [...layer.subdomains] : [''];
    for (const s of origin.includes('{s}') ? subdomains : ['']) hosts.add(origin.replaceAll('{s}', s));
  }
  return [...hosts].sort();
};

/** Where a keyed layer's tiles come from: the origin host CloudFront fetches them from. */
export const upstreamHostOf = (layer: BasemapConfig['layers'][number]): string => {
  const host = /^https?:\/\/([^/?#]+)/.exec(layer.url)?.[1] ?? '';
  return host.replaceAll('{s}', layer.subdomains?.[0] ?? '');
};

/**
 * The CloudFront Function (cloudfront-js-2.0) that turns `/basemap/<layer>/{z}/{x}/{y}` into the
 * layer's own path and query, with the key added. `key` is placed in the code as given (on AWS a
 * deploy-time reference to an SSM parameter, resolved by CloudFormation), so it never reaches a page.
 */
export const tileRewriteFunctionCode = (basemap: BasemapConfig, key: string): string => {
  const layers = Object.fromEntries(
    basemap.layers.map((layer) => {
      const url = new URL(layer.url.replaceAll('{s}', layer.subdomains?.[0] ?? ''));
      return [layer.id, { path: decodeURI(url.pathname), query: [...url.searchParams.entries()] }];
    }),
  );
  return [
    `var LAYERS = ${JSON.stringify(layers)};`,
    `var KEY_PARAMETER = ${JSON.stringify(basemap.keyParameter ?? '')};`,
    `var KEY = "${key}";`,
    `var MIN_ZOOM = ${basemap.minZoom}, MAX_ZOOM = ${basemap.maxZoom};`,
    'function fill(text, z, x, y) {',
    "  return text.split('{z}').join(z).split('{x}').join(x).split('{y}').join(y);",
    '}',
    'function handler(event) {',
    '  var request = event.request;',
    '  var m = /^\\/basemap\\/([a-z][a-z0-9-]{0,30})\\/(\\d{1,2})\\/(\\d{1,8})\\/(\\d{1,8})$/.exec(request.uri);',
    '  var layer = m && LAYERS[m[1]];',
    '  var z = m ? Number(m[2]) : -1;',
    '  if (!layer || z < MIN_ZOOM || z > MAX_ZOOM || Number(m[3]) >= Math.pow(2, z) || Number(m[4]) >= Math.pow(2, z)) {',
    "    return { statusCode: 404, statusDescription: 'Not Found' };",
    '  }',
    '  var query = {};',
    '  layer.query.forEach(function (pair) { query[pair[0]] = { value: fill(pair[1], m[2], m[3], m[4]) }; });',
    '  if (KEY_PARAMETER) query[KEY_PARAMETER] = { value: KEY };',
    '  request.uri = fill(layer.path, m[2], m[3], m[4]);',
    '  request.querystring = query;',
    '  return request;',
    '}',
  ].join('\n');
};
