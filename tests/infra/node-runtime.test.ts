import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LOCAL_NODE_PACKAGE, NODE_MAJOR } from '../../infra/node-runtime';
import { LAMBDA_RUNTIME } from '../../infra/stack/functions';

/**
 * The local runtime is Lambda's runtime: the Node major that CDK deploys is the one `npm test` runs
 * on (here, in a forked test worker) and the one npm scripts start their tools with (tsx, by PATH).
 */
const manifest = JSON.parse(readFileSync('package.json', 'utf8')) as {
  engines: { node: string };
  optionalDependencies: Record<string, string>;
};
const majorOf = (version: string) => Number(version.replace(/^[v^~]/, '').split('.')[0]);

describe('the Node.js runtime', () => {
  it('is the one CDK deploys', () => {
    expect(LAMBDA_RUNTIME.name).toBe(`nodejs${NODE_MAJOR}.x`);
  });

  it('is pinned exactly by the optional dependency that brings its binary, and engines asks for it', () => {
    const pinned = manifest.optionalDependencies[LOCAL_NODE_PACKAGE];
    expect(pinned, `package.json optionalDependencies.${LOCAL_NODE_PACKAGE}`).toMatch(/^\d+\.\d+\.\d+$/);
    expect(majorOf(pinned!)).toBe(NODE_MAJOR);
    expect(manifest.engines.node).toMatch(new RegExp(`^\\^${NODE_MAJOR}\\.`));
  });

  it('runs this test worker', () => {
    expect(
      majorOf(process.version),
      `tests run on ${process.version} (${process.execPath}); run them with npm test, which puts node_modules/.bin/node first`,
    ).toBe(NODE_MAJOR);
  });

  it('runs what npm scripts start by name (tsx finds node on PATH)', () => {
    const tsx = join('node_modules', '.bin', 'tsx');
    const run = spawnSync(tsx, ['-e', 'process.stdout.write(process.version)'], { encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    expect(majorOf(run.stdout)).toBe(NODE_MAJOR);
  });
});
