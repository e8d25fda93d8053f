import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The repository root: entry files in `FUNCTIONS` and the default district path are relative to it. */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * tsx's loader, for `node --import <it> file.ts` in the processes we start. Resolved with require
 * (not `import.meta.resolve`) so it also works from code that vitest transforms.
 */
export const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
