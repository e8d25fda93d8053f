import { systemClock } from '../../shared/ports';
import { sfn } from '../../shared/runtime/clients/sfn';
import { districtIndexFromEnv } from '../../shared/runtime/composition/district';
import { timersFromEnv, watchedCasesFromEnv } from '../../shared/runtime/composition/timers';
import { makeHandler } from './app';

// Re-arming starts timers: the Step Functions client is built at cold start (see `sfn`).
await sfn();

export const handler = makeHandler({
  watched: watchedCasesFromEnv(),
  district: districtIndexFromEnv(),
  clock: systemClock,
  timers: timersFromEnv(),
});
