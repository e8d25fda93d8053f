/**
 * The field page's and the citizen page's app shell, so they open without signal: the pages and
 * config.json network first (a deploy shows at once when online), the hashed assets from the cache
 * (their names change with their content). API calls are never cached here: the page keeps its
 * own snapshots and sends what waits (web/src/outbox), with the user's token, which never reaches
 * this worker.
 */
const CACHE = 'xietong-shell-v1';
const SHELL = ['/field.html', '/report.html', '/config.json', '/favicon.svg'];
const NEVER = ['/v1/', '/local/', '/health', '/openapi.json', '/open311/', '/basemap/'];

/** The hashed scripts and styles a page names in its HTML. */
const assetsOf = (html) => [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]);

const cacheShell = async () => {
  const cache = await caches.open(CACHE);
  for (const path of SHELL) {
    try {
      const response = await fetch(path, { cache: 'no-store' });
      if (!response.ok) continue;
      if (path.endsWith('.html')) {
        const html = await response.clone().text();
        await cache.addAll(assetsOf(html)).catch(() => undefined);
      }
      await cache.put(path, response);
    } catch {
      // Offline while installing: the pages cache what they load (see 'message').
    }
  }
};

self.addEventListener('install', (event) => {
  event.waitUntil(cacheShell().then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((key) => key !== CACHE).map((key) => caches.delete(key))))
      .then(() => self.clients.claim()),
  );
});

/** The page names what it loaded before this worker controlled it (lazy chunks, the map's CSS). */
self.addEventListener('message', (event) => {
  const urls = event.data?.cache;
  if (!Array.isArray(urls)) return;
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) =>
        Promise.all(
          urls
            .filter((url) => typeof url === 'string' && new URL(url).origin === self.location.origin)
            .map((url) => cache.match(url).then((hit) => hit ?? cache.add(url).catch(() => undefined))),
        ),
      ),
  );
});

const networkFirst = async (request, key) => {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    if (response.ok) await cache.put(key, response.clone());
    return response;
  } catch (error) {
    const hit = await cache.match(key);
    if (hit) return hit;
    throw error;
  }
};

const cacheFirst = async (request) => {
  const cache = await caches.open(CACHE);
  const hit = await cache.match(request);
  if (hit) return hit;
  const response = await fetch(request);
  if (response.ok) await cache.put(request, response.clone());
  return response;
};

self.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || NEVER.some((prefix) => url.pathname.startsWith(prefix))) return;
  // Pages (`?code=…` of a sign-in redirect is the same page) and config.json: network first.
  event.respondWith(
    url.pathname.startsWith('/assets/') ? cacheFirst(request) : networkFirst(request, url.pathname),
  );
});
