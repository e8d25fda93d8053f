import { systemClock } from '../../shared/ports';
import { caseStoreFromEnv, districtIndexFromEnv } from '../../shared/runtime/composition';
import { claimNamesFrom } from '../../shared/runtime/config';
import { type CasesDeps, makeHandler } from './app';

export const buildDeps = (): CasesDeps => ({
  store: caseStoreFromEnv(),
  district: districtIndexFromEnv(),
  clock: systemClock,
  claimNames: claimNamesFrom(),
});

export const handler = makeHandler(buildDeps());
