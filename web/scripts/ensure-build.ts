/**
 * Builds the web app into `web/dist` unless a build newer than every source is already there.
 * `npm start` runs it first (prestart), so a fresh clone shows the cockpit at `/`; the browser
 * tests call `ensureWebBuild()` for the same reason.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const WEB = fileURLToPath(new URL('..', import.meta.url));
const REPO = join(WEB, '..');
const BUILT = join(WEB, 'dist', 'index.html');

/** Everything the bundle is made from: the app, its pages and the shared code it imports. */
const SOURCES = [
  join(WEB, 'src'),
  join(WEB, 'public'),
  join(WEB, 'index.html'),
  join(WEB, 'field.html'),
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
  const { build } = await import('vite');
  await build({ configFile: join(WEB, 'vite.config.ts'), logLevel: options.quiet ? 'warn' : 'info' });
  return { built: true, ms: Math.round(performance.now() - started) };
};

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const force = process.argv.includes('--force');
  const result = await ensureWebBuild({ force });
  if (!result.built) process.stdout.write('web/dist is up to date\n');
}
