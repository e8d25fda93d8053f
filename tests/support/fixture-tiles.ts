import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { basename, join } from 'node:path';
import sharp from 'sharp';
import { catalogueFileFor } from '../../shared/district/load';
import type { GeoPoint } from '../../shared/domain/case';

/**
 * Raster tiles for the cockpit's base map, made on the spot (no network): a light ground and,
 * where asked, crosses at given places in the tiles' own datum. The browser test finds the crosses
 * in a screenshot; the cockpit benchmark uses plain ground.
 */
export type Rgb = readonly [number, number, number];
export interface Cross {
  at: GeoPoint;
  colour: Rgb;
}

/** Web Mercator: a point's global pixel at zoom z (256-pixel tiles). */
export const globalPixel = (point: GeoPoint, z: number) => {
  const size = 256 * 2 ** z;
  const sin = Math.sin((point.lat * Math.PI) / 180);
  return {
    x: ((point.lng + 180) / 360) * size,
    y: (0.5 - Math.log((1 + sin) / (1 - sin)) / (4 * Math.PI)) * size,
  };
};

const ARM = 30;

/** The crosses within reach of tile (z, x, y), drawn on the ground. */
const tile = (crosses: Cross[], z: number, x: number, y: number): Promise<Buffer> => {
  const pixels = Buffer.alloc(256 * 256 * 3, 0xd8);
  for (const { at, colour } of crosses) {
    const centre = globalPixel(at, z);
    const cx = Math.round(centre.x - x * 256);
    const cy = Math.round(centre.y - y * 256);
    for (let d = -ARM; d <= ARM; d++) {
      for (let w = -2; w <= 2; w++) {
        for (const [px, py] of [
          [cx + d, cy + w],
          [cx + w, cy + d],
        ] as const) {
          if (px < 0 || py < 0 || px > 255 || py > 255) continue;
          pixels.set(colour, (py * 256 + px) * 3);
        }
      }
    }
  }
  return sharp(pixels, { raw: { width: 256, height: 256, channels: 3 } })
    .png()
    .toBuffer();
};

/**
 * Serves `/<source>/{z}/{x}/{y}.png`, each source with its crosses (none: one plain tile, made once).
 */
export const startFixtureTiles = async (sources: Record<string, Cross[]>) => {
  const plain = tile([], 0, 0, 0);
  const server: Server = createServer((request, response) => {
    const match = /^\/([a-z0-9-]+)\/(\d+)\/(\d+)\/(\d+)\.png$/.exec(request.url ?? '');
    const crosses = match ? sources[match[1] ?? ''] : undefined;
    if (!match || !crosses) {
      response.writeHead(404).end();
      return;
    }
    const png =
      crosses.length === 0 ? plain : tile(crosses, Number(match[2]), Number(match[3]), Number(match[4]));
    void png.then((body) =>
      response.writeHead(200, { 'content-type': 'image/png', 'cache-control': 'no-store' }).end(body),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return {
    url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
};

/**
 * A copy of a district file in `dir` with `changes` applied (e.g. a base map), beside a copy of the
 * catalogue it extends; returns the copy's path.
 */
export const districtFileWith = (
  districtFile: string,
  dir: string,
  name: string,
  changes: Record<string, unknown>,
): string => {
  const document = JSON.parse(readFileSync(districtFile, 'utf8')) as Record<string, unknown>;
  const catalogue = catalogueFileFor(districtFile);
  if (catalogue) copyFileSync(catalogue, join(dir, basename(catalogue)));
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify({ ...document, ...changes }));
  return file;
};
