import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * One local cloud per data folder: two dynalite instances on one LevelDB path crash
 * (`LEVEL_DATABASE_NOT_OPEN`). The lock file holds our pid and the pids of the helper processes we
 * started (dynalite), so a lock left by a killed instance is taken over only once all of them are gone.
 */
export class DataDirLockedError extends Error {
  override readonly name = 'DataDirLockedError';
  constructor(
    readonly dataDir: string,
    readonly pid: number,
  ) {
    super(
      `another local cloud (pid ${pid}) is already using ${dataDir}; stop it first or pass a different --data folder`,
    );
  }
}

interface LockContent {
  pid: number;
  helperPids: number[];
}

export interface DataDirLock {
  readonly file: string;
  /** Records a helper process so that a later instance waits for it before reusing the folder. */
  addHelperPid(pid: number): void;
  release(): void;
}

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

const readLock = (file: string): LockContent | undefined => {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const parsed = JSON.parse(text) as Partial<LockContent>;
    return {
      pid: Number(parsed.pid),
      helperPids: Array.isArray(parsed.helperPids) ? parsed.helperPids.map(Number) : [],
    };
  } catch {
    // A bare pid (or a half-written file) is still worth honouring.
    const pid = Number.parseInt(text, 10);
    return { pid: Number.isFinite(pid) ? pid : 0, helperPids: [] };
  }
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export const acquireDataDirLock = async (dataDir: string, helperGraceMs = 5_000): Promise<DataDirLock> => {
  const file = join(dataDir, '.lock');
  const content: LockContent = { pid: process.pid, helperPids: [] };
  const write = (flag: 'wx' | 'w') => writeFileSync(file, `${JSON.stringify(content)}\n`, { flag });

  for (let attempt = 0; ; attempt++) {
    try {
      write('wx');
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= 3) throw error;
    }
    const holder = readLock(file);
    if (holder && holder.pid > 0 && holder.pid !== process.pid && isAlive(holder.pid)) {
      throw new DataDirLockedError(dataDir, holder.pid);
    }
    // Stale lock: its owner is gone. Its dynalite child notices and exits; give it a moment.
    const deadline = Date.now() + helperGraceMs;
    while ((holder?.helperPids ?? []).some(isAlive)) {
      if (Date.now() > deadline) {
        const survivor = holder?.helperPids.find(isAlive) ?? 0;
        throw new DataDirLockedError(dataDir, survivor);
      }
      await sleep(100);
    }
    rmSync(file, { force: true });
  }

  let released = false;
  return {
    file,
    addHelperPid(pid) {
      content.helperPids.push(pid);
      if (!released) write('w');
    },
    release() {
      if (released) return;
      released = true;
      const holder = readLock(file);
      if (holder?.pid === process.pid) rmSync(file, { force: true });
    },
  };
};
