import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseTilePath, upstreamTileUrl } from '../../shared/district/basemap';
import type { BasemapConfig } from '../../shared/district/schema';
import type { RuntimeLog } from './log';

/** The variable that holds a keyed base map's key on this machine (on AWS: an SSM parameter). */
export const BASEMAP_KEY_VARIABLE = 'XIETONG_BASEMAP_KEY';

const TILE_TIMEOUT_MS = 10_000;

/**
 * The local twin of the CloudFront tile path (infra/stack/web.ts): `/basemap/<layer>/{z}/{x}/{y}`
 * is fetched from the layer's source with the district's key added, so the key never reaches the
 * page. Only for a base map with a `keyParameter`; other sources are loaded by the page directly.
 */
export const createBasemapProxy = (
  basemap: BasemapConfig,
  log: RuntimeLog,
  key = process.env[BASEMAP_KEY_VARIABLE],
) => {
  if (basemap.keyParameter && !key) {
    log.warn(`the base map needs its ${basemap.keyParameter} key: set ${BASEMAP_KEY_VARIABLE}`);
  }
  return {
    async handle(request: IncomingMessage, response: ServerResponse): Promise<boolean> {
      const path = (request.url ?? '/').split('?')[0] ?? '/';
      if (!basemap.keyParameter || !path.startsWith('/basemap/')) return false;
      const tile = request.method === 'GET' ? parseTilePath(basemap, path) : undefined;
      if (!tile) {
        response.writeHead(404, { 'content-type': 'application/json' });
        response.end('{"message":"Not Found"}');
        return true;
      }
      try {
        const upstream = await fetch(upstreamTileUrl(tile, basemap.keyParameter, key), {
          signal: AbortSignal.timeout(TILE_TIMEOUT_MS),
        });
        const body = Buffer.from(await upstream.arrayBuffer());
        response.writeHead(upstream.status, {
          'content-type': upstream.headers.get('content-type') ?? 'application/octet-stream',
          'cache-control': upstream.ok ? 'public, max-age=86400' : 'no-store',
        });
        response.end(body);
      } catch (error) {
        log.warn(`base map tile ${path}: ${(error as Error).message}`);
        response.writeHead(502, { 'content-type': 'application/json' });
        response.end('{"message":"Bad Gateway"}');
      }
      return true;
    },
  };
};
