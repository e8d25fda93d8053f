import { systemClock } from '../../shared/ports';
import { caseStoreFromEnv } from '../../shared/runtime/composition/cases';
import { districtIndexFromEnv } from '../../shared/runtime/composition/district';
import { makeHandler } from './app';

export const handler = makeHandler({
  district: districtIndexFromEnv(),
  store: caseStoreFromEnv(),
  clock: systemClock,
});
