/**
 * Registers the app-shell service worker (web/public/sw.js) for this page only (its scope is the
 * page's path: the cockpit is never controlled), and hands it every script and style the page
 * loads — also those loaded before the worker was in control, or later on demand (the map, the
 * classifier) — so the next opening without signal finds them all.
 */
const isAsset = (url: string) => {
  const parsed = new URL(url);
  return parsed.origin === location.origin && parsed.pathname.startsWith('/assets/');
};

export const keepShellOffline = async (): Promise<void> => {
  if (!('serviceWorker' in navigator)) return;
  try {
    await navigator.serviceWorker.register('/sw.js', { scope: location.pathname });
    const ready = await navigator.serviceWorker.ready;
    const send = (urls: string[]) => {
      if (urls.length > 0) ready.active?.postMessage({ cache: urls });
    };
    send([`${location.origin}${location.pathname}`]);
    new PerformanceObserver((list) =>
      send(
        list
          .getEntries()
          .map((entry) => entry.name)
          .filter(isAsset),
      ),
    ).observe({
      type: 'resource',
      buffered: true,
    });
  } catch (error) {
    console.warn('service worker', error);
  }
};
