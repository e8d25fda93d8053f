import { systemClock } from '../../shared/ports';
import { integrationKeyStoreFromEnv } from '../../shared/runtime/composition/integrations';
import { identityFrom } from '../../shared/runtime/config';
import { type IntegrationKeysDeps, makeHandler } from './app';

export const buildDeps = (): IntegrationKeysDeps => ({
  keys: integrationKeyStoreFromEnv(),
  clock: systemClock,
  identity: identityFrom(),
});

export const handler = makeHandler(buildDeps());
