/**
 * What else the machine is doing when a full bench starts. The figures are CPU time and throughput
 * on 2 shared cores: another local cloud left running (a crashed test or bench, an `npm start` in
 * another terminal) takes a core from under them, as happened once on 2026-12-07 (raw PutItem 551/s
 * against 1,106 that morning). The report names such processes rather than let the figures just
 * look slow.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';

/** The processes of the local cloud and its dynalite, by the entry file they run. */
const LOCAL_CLOUD_ENTRIES = ['infra/local/main.ts', 'infra/local/dynalite-process.ts'];

export interface StrayProcess {
  pid: number;
  entry: string;
}

/** Local clouds and dynalites running now, from any checkout (Linux `/proc`; none found elsewhere). */
export const localCloudProcesses = (): StrayProcess[] => {
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return [];
  }
  const found: StrayProcess[] = [];
  for (const pid of pids) {
    let command: string;
    try {
      command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
    } catch {
      continue; // gone meanwhile, or not ours to read
    }
    const entry = LOCAL_CLOUD_ENTRIES.find((file) => command.includes(file));
    if (entry) found.push({ pid: Number(pid), entry });
  }
  return found;
};

/** The header lines of a report: the load when the run began, and any local cloud already running. */
export const machineStateLines = (strays: readonly StrayProcess[], load = loadavg()): string[] => [
  `- Load at the start: ${load.map((value) => value.toFixed(2)).join(', ')} (1, 5, 15 min)`,
  ...(strays.length > 0
    ? [
        `- **Already running at the start**, under every figure: ${strays.map((p) => `pid ${p.pid} (${p.entry})`).join(', ')}`,
      ]
    : []),
];
