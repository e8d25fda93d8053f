import { integrationKeyStoreFromEnv } from '../../shared/runtime/composition';
import { makeHandler } from './app';

export const handler = makeHandler({ keys: integrationKeyStoreFromEnv() });
