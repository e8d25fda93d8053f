import { systemClock } from '../../shared/ports';
import { caseStoreFromEnv, districtIndexFromEnv } from '../../shared/runtime/composition';
import { makeHandler } from './app';

export const handler = makeHandler({
  district: districtIndexFromEnv(),
  store: caseStoreFromEnv(),
  clock: systemClock,
});
