import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.geojson': 'application/geo+json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
  // The demo HLS clip of the demo cameras (web/public/demo-hls).
  '.m3u8': 'application/vnd.apple.mpegurl',
  '.ts': 'video/mp2t',
};

const fileAt = async (path: string) => {
  try {
    const info = await stat(path);
    return info.isFile() ? info : undefined;
  } catch {
    return undefined;
  }
};

/**
 * Serves the built cockpit (`web/dist`) when it exists, the way CloudFront would serve the bucket:
 * files as they are, `index.html` for `/` and for extension-less paths (client-side routes).
 * Returns false when nothing was served.
 */
export const serveStatic = async (
  root: string,
  rawPath: string,
  method: string,
  response: ServerResponse,
): Promise<boolean> => {
  if (method !== 'GET' && method !== 'HEAD') return false;
  let relative: string;
  try {
    relative = normalize(decodeURIComponent(rawPath)).replace(/^([/\\])+/, '');
  } catch {
    return false;
  }
  if (relative.split(sep).includes('..')) return false;
  const candidates = [join(root, relative)];
  if (relative === '' || relative.endsWith(sep)) candidates.unshift(join(root, relative, 'index.html'));
  else if (!extname(relative)) candidates.push(join(root, 'index.html'));

  for (const path of candidates) {
    if (!path.startsWith(root)) continue;
    const info = await fileAt(path);
    if (!info) continue;
    response.writeHead(200, {
      'content-type': CONTENT_TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream',
      'content-length': info.size,
      'cache-control': path.endsWith('index.html') ? 'no-cache' : 'public, max-age=300',
    });
    if (method === 'HEAD') response.end();
    else createReadStream(path).pipe(response);
    return true;
  }
  return false;
};
