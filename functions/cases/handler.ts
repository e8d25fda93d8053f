import { systemClock } from '../../shared/ports';
import { caseStoreFromEnv, districtIndexFromEnv } from '../../shared/runtime/composition';
import { identityFrom } from '../../shared/runtime/config';
import { type CasesDeps, makeHandler } from './app';

export const buildDeps = (): CasesDeps => ({
  store: caseStoreFromEnv(),
  district: districtIndexFromEnv(),
  clock: systemClock,
  identity: identityFrom(),
});

export const handler = makeHandler(buildDeps());
