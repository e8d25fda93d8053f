import { ENV } from '../../../shared/runtime/env';

/**
 * The local cloud without the citizens' report limits, for the runs whose bursts stand for many
 * citizens reporting through the one demo reporter (the load, crash and access-matrix runs).
 */
export const CITIZEN_LIMITS_OFF = { [ENV.citizenReportsPerMinute]: 'off' };
