import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { extendClients } from '../../../shared/runtime/clients/extensions';
import type { RuntimeLog } from '../log';
import { createFaultInjector, type FaultStats } from './injector';
import type { FaultRule } from './plan';

/** Where a running cloud with `--faults` keeps its counts (for the bench and the tests). */
export const FAULTS_FILE = 'local-faults.json';

export interface FaultInjection {
  stats(): FaultStats;
  stop(): void;
}

/**
 * Puts fault injection on every handler client (before the handlers load) and keeps
 * `<data>/local-faults.json` up to date every second: attempts per service and failures injected.
 */
export const startFaultInjection = (options: {
  rules: FaultRule[];
  seed: number;
  dataDir: string;
  log: RuntimeLog;
}): FaultInjection => {
  const injector = createFaultInjector(options.rules, options.seed);
  extendClients((client) => injector.extend(client));
  options.log.warn(
    `fault injection on (seed ${options.seed}): ${options.rules
      .map(({ kind, rate }) => `${kind.service} ${kind.code} ${kind.status} at ${(rate * 100).toFixed(2)} %`)
      .join(', ')}`,
  );
  const file = join(options.dataDir, FAULTS_FILE);
  const write = () => writeFileSync(file, `${JSON.stringify(injector.stats(), null, 2)}\n`);
  write();
  const timer = setInterval(write, 1000);
  timer.unref();
  return {
    stats: () => injector.stats(),
    stop() {
      clearInterval(timer);
      write();
    },
  };
};
