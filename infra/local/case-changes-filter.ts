import { CASE_SORT_KEY } from '../../shared/adapters/aws/case-item';

/**
 * The filter the stack gives the case-changes event source (`Keys.sk = CASE`, infra/stack/functions.ts),
 * on a stream record's keys: the local stream mapping applies it, and the local stream records only
 * what it lets through.
 */
export const matchesCaseChangesFilter = (keys: Record<string, unknown>): boolean =>
  (keys.sk as { S?: string } | undefined)?.S === CASE_SORT_KEY;
