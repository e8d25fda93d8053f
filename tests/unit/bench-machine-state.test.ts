import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { localCloudProcesses, machineStateLines } from '../../bench/machine-state';

describe('the bench’s look at the machine before it starts', () => {
  it.runIf(process.platform === 'linux')(
    'finds a local cloud already running, whichever checkout it runs from',
    async () => {
      // A stand-in with the local cloud's entry file on its command line, as `ps` would show it.
      const stray = spawn(process.execPath, [
        '-e',
        'setTimeout(() => {}, 30_000)',
        '/elsewhere/infra/local/main.ts',
      ]);
      try {
        await new Promise((ready) => stray.once('spawn', ready));
        expect(localCloudProcesses()).toContainEqual({ pid: stray.pid, entry: 'infra/local/main.ts' });
      } finally {
        stray.kill('SIGKILL');
      }
    },
  );

  it('writes the load, and names what was running only when something was', () => {
    expect(machineStateLines([], [0.5, 1.25, 2])).toEqual([
      '- Load at the start: 0.50, 1.25, 2.00 (1, 5, 15 min)',
    ]);
    expect(machineStateLines([{ pid: 42, entry: 'infra/local/main.ts' }], [3, 2, 1])[1]).toBe(
      '- **Already running at the start**, under every figure: pid 42 (infra/local/main.ts)',
    );
  });
});
