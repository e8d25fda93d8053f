import { premisesReaderFromEnv } from '../../shared/runtime/composition/joint-visits';
import { identityFrom } from '../../shared/runtime/config';
import { makeHandler, type PremisesDeps } from './app';

export const buildDeps = (): PremisesDeps => ({
  premises: premisesReaderFromEnv(),
  identity: identityFrom(),
});

export const handler = makeHandler(buildDeps());
