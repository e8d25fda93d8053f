/**
 * Builds the web app into `web/dist` unless a build newer than every source is already there.
 * `npm start` runs it first (prestart), so a fresh clone shows the cockpit at `/`; the browser
 * tests call `ensureWebBuild()` for the same reason.
 */
import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const WEB = fileURLToPath(new URL('..', import.meta.url));
const REPO = join(WEB, '..');
const BUILT = join(WEB, 'dist', 'index.html');
/** Two browser test files start at once on CI: one builds, the other waits (vite empties dist first). */
const LOCK = join(WEB, '.build-lock');
const STALE_LOCK_MS = 180_000;

/** Everything the bundle is made from: the app, its pages and the shared code it imports. */
const SOURCES = [
  join(WEB, 'src'),
  join(WEB, 'public'),
  join(WEB, 'index.html'),
  join(WEB, 'field.html'),
  join(WEB, 'report.html'),
  join(WEB, 'vite.config.ts'),
  join(REPO, 'shared', 'domain'),
  join(REPO, 'shared', 'http'),
  join(REPO, 'package-lock.json'),
];

const newestIn = (path: string): number => {
  let info: ReturnType<typeof statSync>;
  try {
    info = statSync(path);
  } catch {
    return 0;
  }
  if (!info.isDirectory()) return info.mtimeMs;
  return readdirSync(path).reduce(
    (newest, name) => Math.max(newest, newestIn(join(path, name))),
    info.mtimeMs,
  );
};

export const webBuildIsFresh = (): boolean => {
  const built = newestIn(BUILT);
  return built > 0 && SOURCES.every((source) => newestIn(source) <= built);
};

export interface WebBuildResult {
  built: boolean;
  ms: number;
}

export const ensureWebBuild = async (
  options: { force?: boolean; quiet?: boolean } = {},
): Promise<WebBuildResult> => {
  const started = performance.now();
  if (!options.force && webBuildIsFresh()) return { built: false, ms: 0 };
  for (;;) {
    try {
      mkdirSync(LOCK);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (Date.now() - newestIn(LOCK) > STALE_LOCK_MS) rmSync(LOCK, { recursive: true, force: true });
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  try {
    // Someone else may have built it while this one waited.
    if (!options.force && webBuildIsFresh())
      return { built: false, ms: Math.round(performance.now() - started) };
    const { build } = await import('vite');
    await build({ configFile: join(WEB, 'vite.config.ts'), logLevel: options.quiet ? 'warn' : 'info' });
    return { built: true, ms: Math.round(performance.now() - started) };
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
};

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const force = process.argv.includes('--force');
  const result = await ensureWebBuild({ force });
  if (!result.built) process.stdout.write('web/dist is up to date\n');
}
