import { evaluationAggregatesFromEnv } from '../../shared/runtime/composition';
import { makeHandler } from './app';

export const handler = makeHandler({ aggregates: evaluationAggregatesFromEnv() });
