import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Context } from 'aws-lambda';
import type { FunctionSpec } from '../../shared/runtime/functions';
import { runAsCaller } from './iam/caller';
import { callerOf } from './lambda-context';

/** What the local runtime knows about a handler: it takes an event and a context and returns a promise. */
export type LambdaHandler = (event: never, context: Context) => Promise<unknown>;

export interface LoadedFunction {
  spec: FunctionSpec;
  handler: LambdaHandler;
}

export interface LoadFailure {
  spec: FunctionSpec;
  reason: string;
  error?: unknown;
}

export class FunctionLoadError extends Error {
  override readonly name = 'FunctionLoadError';
  constructor(readonly failures: LoadFailure[]) {
    super(
      `cannot load ${failures.length} function(s):\n${failures
        .map(({ spec, reason }) => `  - ${spec.name} (${spec.entry}): ${reason}`)
        .join('\n')}`,
    );
  }
}

const firstLine = (error: unknown) => (error instanceof Error ? error.message : String(error)).split('\n')[0];

/**
 * Imports every entry file the way Lambda does at cold start: the module reads its configuration
 * while it loads, so the environment must be complete before this runs.
 */
export const loadFunctions = async (
  root: string,
  specs: FunctionSpec[],
): Promise<Map<string, LoadedFunction>> => {
  const loaded = new Map<string, LoadedFunction>();
  const failures: LoadFailure[] = [];
  for (const spec of specs) {
    try {
      // Lambda's init phase runs with the function's role too: calls made while loading are checked.
      const module = (await runAsCaller(
        callerOf(spec),
        () => import(pathToFileURL(resolve(root, spec.entry)).href),
      )) as {
        handler?: unknown;
      };
      if (typeof module.handler !== 'function') {
        failures.push({ spec, reason: 'does not export a `handler` function' });
        continue;
      }
      loaded.set(spec.name, { spec, handler: module.handler as LambdaHandler });
    } catch (error) {
      failures.push({ spec, reason: firstLine(error) ?? 'import failed', error });
    }
  }
  if (failures.length > 0) throw new FunctionLoadError(failures);
  return loaded;
};
