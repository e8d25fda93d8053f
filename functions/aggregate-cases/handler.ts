import { evaluationAggregatesFromEnv } from '../../shared/runtime/composition/evaluation';
import { makeHandler } from './app';

export const handler = makeHandler({ aggregates: evaluationAggregatesFromEnv() });
