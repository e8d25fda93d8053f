import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LocalCloudInfo } from './cloud';
import { REPO_ROOT, TSX_LOADER } from './paths';

/**
 * Starts `infra/local/main.ts` as a child process, for the end-to-end tests and the bench. Node runs
 * it directly with tsx's loader (not through the `tsx` CLI, which would add a process in between),
 * so the child's pid is the local cloud's and a SIGKILL really is a crash.
 */
const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));

/**
 * Node flags the local cloud runs with, here and in `npm start` (package.json). Every SDK call it
 * makes is checked against its caller's role, which an AsyncLocalStorage carries (`iam/caller.ts`);
 * on Node 22 that storage otherwise hooks every promise the process makes. With the async context
 * frame (Node 24's default) it doesn't: 5–10 % of the local cloud's CPU in a burst, run beside runs
 * without. A Node that doesn't know a flag (before 22.7) runs without it rather than not at all.
 */
const LOCAL_CLOUD_NODE_FLAGS = ['--experimental-async-context-frame'].filter((flag) =>
  process.allowedNodeEnvironmentFlags.has(flag),
);

export interface SpawnedCloud {
  process: ChildProcess;
  info: LocalCloudInfo;
  /** Everything the child wrote so far. */
  output(): string;
  /** Sends the signal and resolves with the exit code (or the signal's name). */
  kill(signal?: NodeJS.Signals): Promise<number | string>;
}

export interface SpawnOptions {
  dataDir: string;
  port?: number;
  args?: string[];
  timeoutMs?: number;
  env?: Record<string, string>;
  /** Extra node flags for the local cloud's process, e.g. `--cpu-prof`. */
  nodeArgs?: string[];
}

export interface ExitedCloud {
  code: number | string;
  output: string;
}

const exitOf = (child: ChildProcess): Promise<number | string> =>
  new Promise((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else if (child.signalCode !== null) resolve(child.signalCode);
    else child.once('exit', (code, signal) => resolve(code ?? signal ?? -1));
  });

const readInfo = (dataDir: string): LocalCloudInfo | undefined => {
  try {
    return JSON.parse(readFileSync(join(dataDir, 'local-cloud.json'), 'utf8')) as LocalCloudInfo;
  } catch {
    return undefined;
  }
};

const launch = (options: SpawnOptions) => {
  const child = spawn(
    process.execPath,
    [
      ...LOCAL_CLOUD_NODE_FLAGS,
      ...(options.nodeArgs ?? []),
      '--import',
      TSX_LOADER,
      MAIN,
      '--port',
      String(options.port ?? 0),
      '--data',
      options.dataDir,
      ...(options.args ?? []),
    ],
    {
      cwd: REPO_ROOT,
      env: { ...process.env, ...options.env },
      // The channel is how the cloud knows its parent is gone (infra/local/main.ts): it then stops.
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    },
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  return { child, output: () => output };
};

/** Starts the local cloud and resolves once it has written `local-cloud.json` (it is then serving). */
export const spawnLocalCloud = async (options: SpawnOptions): Promise<SpawnedCloud> => {
  const { child, output } = launch(options);
  // The channel only tells the cloud when this process is gone: it must not keep this one running.
  child.channel?.unref();
  const exited = exitOf(child);
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  let done = false;
  void exited.then(() => {
    done = true;
  });
  for (;;) {
    // A crashed instance leaves its file behind: only ours counts.
    const info = readInfo(options.dataDir);
    if (info && info.pid === child.pid) {
      return {
        process: child,
        info,
        output,
        async kill(signal = 'SIGTERM') {
          if (child.exitCode === null && child.signalCode === null) child.kill(signal);
          return exited;
        },
      };
    }
    if (done) throw new Error(`the local cloud exited (${await exited}) before it was ready:\n${output()}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the local cloud was not ready within ${options.timeoutMs ?? 60_000} ms:\n${output()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
};

/** Runs the CLI expecting it to stop on its own (a refusal, a usage error). */
export const runLocalCloudToExit = async (options: SpawnOptions): Promise<ExitedCloud> => {
  const { child, output } = launch(options);
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
  const code = await exitOf(child);
  clearTimeout(timer);
  return { code, output: output() };
};
