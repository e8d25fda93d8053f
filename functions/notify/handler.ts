import { districtIndexFromEnv } from '../../shared/runtime/composition';
import { notificationChannelFromEnv } from '../../shared/runtime/deadline-composition';
import { makeHandler } from './app';

export const handler = makeHandler({ channel: notificationChannelFromEnv(districtIndexFromEnv()) });
