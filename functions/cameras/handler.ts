import { systemClock } from '../../shared/ports';
import { cameraStoreFromEnv, caseStoreFromEnv, districtIndexFromEnv } from '../../shared/runtime/composition';
import { identityFrom } from '../../shared/runtime/config';
import { type CamerasDeps, makeHandler } from './app';

export const buildDeps = (): CamerasDeps => ({
  cameras: cameraStoreFromEnv(),
  store: caseStoreFromEnv(),
  district: districtIndexFromEnv(),
  clock: systemClock,
  identity: identityFrom(),
});

export const handler = makeHandler(buildDeps());
