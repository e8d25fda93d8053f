import type { Case } from './case';
import { verifyTimeline } from './timeline';

export interface AuditReport {
  caseId: string;
  version: number;
  entries: number;
  intact: boolean;
  /** The first timeline entry (seq) that fails, when not intact. */
  brokenAt?: number;
  reason?: string;
}

/**
 * Checks a case's history: the hash chain links every entry to the one before, and there is one
 * entry per version (each change adds exactly one), so entries cut off the end show too.
 */
export const auditCase = (c: Case): AuditReport => {
  const base = { caseId: c.id, version: c.version, entries: c.timeline.length };
  const chain = verifyTimeline(c.timeline);
  if (!chain.intact) {
    return {
      ...base,
      intact: false,
      ...(chain.brokenAt !== undefined && { brokenAt: chain.brokenAt }),
      reason: 'an entry was edited, removed or reordered: its hash or link does not match',
    };
  }
  if (c.timeline.length !== c.version) {
    return {
      ...base,
      intact: false,
      brokenAt: Math.min(c.timeline.length, c.version) + 1,
      reason: `the case is at version ${c.version} but its timeline has ${c.timeline.length} entries`,
    };
  }
  return { ...base, intact: true };
};
