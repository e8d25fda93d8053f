import type { Case } from '../domain/case';
import { isOverdue, nextDue } from '../domain/deadlines';

/** The case as the API shows it: the stored record plus what is derived at read time. */
export interface CaseView extends Case {
  overdue: boolean;
  nextDueAt?: string;
}

export const caseView = (c: Case, now: string): CaseView => {
  const due = nextDue(c);
  return { ...c, overdue: isOverdue(c, now), ...(due && { nextDueAt: due }) };
};
