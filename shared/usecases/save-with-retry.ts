import type { Case } from '../domain/case';
import { VersionConflictError } from '../domain/errors';
import type { CaseStore, StoredCase } from '../ports';

const MAX_ATTEMPTS = 5;

/**
 * Re-reads and re-applies a step until its version-checked write lands (or the case is gone). Only
 * a version conflict retries: it means someone else changed the case, so the next look differs.
 */
export const saveWithRetry = async (
  store: CaseStore,
  id: string,
  step: (c: Case) => Case,
  missing: () => Error,
  /** The case as the caller just read it: the first attempt starts from it instead of reading again. */
  read?: StoredCase,
): Promise<Case> => {
  for (let attempt = 1; ; attempt++) {
    const stored = attempt === 1 && read ? read : await store.get(id);
    if (!stored) throw missing();
    const next = step(stored.case);
    if (next === stored.case) return next;
    try {
      await store.save({ ...stored, case: next }, stored.case.version);
      return next;
    } catch (error) {
      if (!(error instanceof VersionConflictError) || attempt >= MAX_ATTEMPTS) throw error;
    }
  }
};
