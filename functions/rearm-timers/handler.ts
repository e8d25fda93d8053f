import { systemClock } from '../../shared/ports';
import {
  districtIndexFromEnv,
  sfn,
  timersFromEnv,
  watchedCasesFromEnv,
} from '../../shared/runtime/composition';
import { makeHandler } from './app';

// Re-arming starts timers: the Step Functions client is built at cold start (see `sfn`).
await sfn();

export const handler = makeHandler({
  watched: watchedCasesFromEnv(),
  district: districtIndexFromEnv(),
  clock: systemClock,
  timers: timersFromEnv(),
});
