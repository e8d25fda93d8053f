import { systemClock } from '../../shared/ports';
import { caseStoreFromEnv } from '../../shared/runtime/composition/cases';
import { districtIndexFromEnv } from '../../shared/runtime/composition/district';
import { evaluationAggregatesFromEnv } from '../../shared/runtime/composition/evaluation';
import { exportStoreFromEnv } from '../../shared/runtime/composition/export-store';
import { identityFrom } from '../../shared/runtime/config';
import { type EvaluationDeps, makeHandler } from './app';

export const buildDeps = (): EvaluationDeps => {
  const exports = exportStoreFromEnv();
  return {
    store: caseStoreFromEnv(),
    aggregates: evaluationAggregatesFromEnv(),
    district: districtIndexFromEnv(),
    clock: systemClock,
    identity: identityFrom(),
    ...(exports && { exports }),
  };
};

export const handler = makeHandler(buildDeps());
