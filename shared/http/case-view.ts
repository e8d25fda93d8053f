import type { Actor, Case } from '../domain/case';
import { isOverdue, nextDue } from '../domain/deadlines';
import { maskPhonesInText, maskReporter, maySeePersonalData } from '../domain/personal-data';

/** The case as the API shows it: the stored record plus what is derived at read time. */
export interface CaseView extends Case {
  overdue: boolean;
  nextDueAt?: string;
  /** True when the reporter's name and phone (and phone numbers in the text) are masked for this reader. */
  personalDataMasked: boolean;
}

/** What this reader may see of the case: personal data masked unless they are entitled to it. */
export const caseView = (c: Case, now: string, reader: Actor): CaseView => {
  const due = nextDue(c);
  const masked = !maySeePersonalData(reader, c);
  return {
    ...c,
    ...(masked && c.reporter && { reporter: maskReporter(c.reporter) }),
    ...(masked && { description: maskPhonesInText(c.description) }),
    overdue: isOverdue(c, now),
    ...(due && { nextDueAt: due }),
    personalDataMasked: masked,
  };
};
