import type { Actor, Case, CaseSummarySource, LinkedReport } from '../domain/case';
import { isOverdue, nextDue } from '../domain/deadlines';
import { maskName, maskPhonesInText, maskReporter, maySeePersonalData } from '../domain/personal-data';

/** The case as the API shows it: the stored record plus what is derived at read time. */
export interface CaseView extends Case {
  overdue: boolean;
  nextDueAt?: string;
  /** True when the reporter's name and phone (and phone numbers in the text) are masked for this reader. */
  personalDataMasked: boolean;
}

/**
 * The reporter's verdict comments are their words, like the description: phone numbers in them are
 * masked alike, in the case's `satisfaction` and on the timeline's verdict entries.
 */
const maskVerdicts = (c: Case): Pick<Case, 'timeline'> & Partial<Pick<Case, 'satisfaction'>> => ({
  timeline: c.timeline.map((entry) =>
    entry.action === 'satisfaction-recorded' && entry.note !== undefined
      ? { ...entry, note: maskPhonesInText(entry.note) }
      : entry,
  ),
  ...(c.satisfaction && {
    satisfaction: {
      ...c.satisfaction,
      ...(c.satisfaction.comment !== undefined && { comment: maskPhonesInText(c.satisfaction.comment) }),
    },
  }),
});

/**
 * A report merged into the case is another citizen's: who may see its personal data is decided for
 * it, not for the case. The command centre and the assigned department see it; the citizen who
 * reported the case sees their own report only, not the neighbours' who reported the same thing.
 */
const linkedReportView = (c: Case, linked: LinkedReport, reader: Actor): LinkedReport => {
  if (maySeePersonalData(reader, { assignee: c.assignee, submittedBy: linked.submittedBy })) return linked;
  return {
    ...linked,
    description: maskPhonesInText(linked.description),
    ...(linked.reporter && { reporter: maskReporter(linked.reporter) }),
    // A citizen's account is personal data too; staff and machine clients are named as they act.
    ...(linked.submittedBy.role === 'reporter' && {
      submittedBy: {
        subject: 'masked',
        role: 'reporter',
        ...(linked.submittedBy.name !== undefined && { name: maskName(linked.submittedBy.name) }),
      },
    }),
  };
};

/** What this reader may see of the case: personal data masked unless they are entitled to it. */
export const caseView = (c: Case, now: string, reader: Actor): CaseView => {
  const due = nextDue(c);
  const masked = !maySeePersonalData(reader, c);
  return {
    ...c,
    ...(masked && c.reporter && { reporter: maskReporter(c.reporter) }),
    ...(masked && { description: maskPhonesInText(c.description) }),
    linkedReports: c.linkedReports.map((linked) => linkedReportView(c, linked, reader)),
    ...(masked && maskVerdicts(c)),
    overdue: isOverdue(c, now),
    ...(due && { nextDueAt: due }),
    personalDataMasked: masked,
  };
};

/**
 * What a board needs of a case (`GET /v1/cases?view=summary`): where it is, what state, who has it,
 * how urgent, and whether it waits for triage or a duplicate review — what the store's summary list
 * reads (`CASE_SUMMARY_SOURCE`) less what only serves to work out the rest (deadlines, hold, who
 * submitted it). No timeline or reporter: a board of 2,000 open cases reads a fraction of the bytes,
 * in pages of up to 1,000. The full case is one `GET /v1/cases/{id}` away.
 */
export type CaseSummary = Omit<CaseSummarySource, 'deadlines' | 'hold' | 'submittedBy'> &
  Pick<CaseView, 'overdue' | 'nextDueAt' | 'personalDataMasked'>;

/** A case as a board sees it, from what the store's summary list reads (`CASE_SUMMARY_SOURCE`). */
export const caseSummaryOf = (c: CaseSummarySource, now: string, reader: Actor): CaseSummary => {
  const due = nextDue(c);
  const masked = !maySeePersonalData(reader, c);
  const { deadlines: _deadlines, hold: _hold, submittedBy: _submittedBy, ...shown } = c;
  return {
    ...shown,
    ...(masked && { description: maskPhonesInText(c.description) }),
    overdue: isOverdue(c, now),
    ...(due && { nextDueAt: due }),
    personalDataMasked: masked,
  };
};
