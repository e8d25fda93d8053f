import { integrationKeyStoreFromEnv } from '../../shared/runtime/composition/integrations';
import { makeHandler } from './app';

export const handler = makeHandler({ keys: integrationKeyStoreFromEnv() });
