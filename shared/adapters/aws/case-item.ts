import type { Case } from '../../domain/case';
import { nextDue } from '../../domain/deadlines';
import { geohash } from '../../domain/geohash';
import type { IntakeFingerprint, StoredCase } from '../../ports';

/**
 * The case entity in the single table. Keys and index attributes are computed here and only here;
 * index attributes are omitted (sparse indexes) when they don't apply.
 */
/** The sort key of a case item; other items of a case's partition have their own. */
export const CASE_SORT_KEY = 'CASE';

export const caseKey = (id: string) => ({ pk: `CASE#${id}`, sk: CASE_SORT_KEY });

export const departmentKey = (c: Case): string | undefined => c.assignee ?? c.lead;

const KEY_ATTRIBUTES = [
  'pk',
  'sk',
  'entity',
  'intake',
  'nextDueAt',
  'gsi1pk',
  'gsi1sk',
  'gsi2pk',
  'gsi2sk',
  'gsi3pk',
  'gsi3sk',
  'gsi4pk',
  'gsi4sk',
  'gsi5pk',
  'gsi5sk',
  'gsi6pk',
  'gsi6sk',
  'gsi7pk',
  'gsi7sk',
  'gsi8pk',
  'gsi8sk',
  'gsi9pk',
  'gsi9sk',
  'gsi10pk',
  'gsi10sk',
] as const;

/**
 * Every attribute of a case item that is the case itself: what a full list reads back, leaving out
 * the twenty-odd key and index attributes (about a third of a page of 50 cases, which the table
 * would encode and the function decode for nothing). A record, so that the compiler checks it names
 * each field of `Case`, the optional ones too, and nothing else.
 */
const CASE_ATTRIBUTES: Record<keyof Case, true> = {
  id: true,
  district: true,
  status: true,
  version: true,
  source: true,
  category: true,
  priority: true,
  description: true,
  location: true,
  occurredAt: true,
  reportedAt: true,
  updatedAt: true,
  reporter: true,
  submittedBy: true,
  externalRef: true,
  camera: true,
  triage: true,
  suggestions: true,
  zone: true,
  areaChief: true,
  lead: true,
  cooperating: true,
  assignee: true,
  deadlines: true,
  escalation: true,
  hold: true,
  dispatchedAt: true,
  acceptedAt: true,
  handledAt: true,
  closedAt: true,
  counters: true,
  premisesId: true,
  linkedReports: true,
  mergedInto: true,
  statusBeforeMerge: true,
  repeatOf: true,
  repeatedBy: true,
  possibleDuplicates: true,
  jointVisitId: true,
  satisfaction: true,
  evidence: true,
  timeline: true,
};
export const CASE_FIELDS = Object.keys(CASE_ATTRIBUTES) as (keyof Case)[];

export const toItem = (c: Case, intake?: IntakeFingerprint): Record<string, unknown> => {
  const newestFirst = `${c.reportedAt}#${c.id}`;
  const department = departmentKey(c);
  const due = nextDue(c);
  return {
    ...c,
    ...caseKey(c.id),
    entity: 'case',
    ...(intake && { intake }),
    gsi1pk: 'CASES',
    gsi1sk: newestFirst,
    gsi2pk: `STATUS#${c.status}`,
    gsi2sk: newestFirst,
    ...(department && { gsi3pk: `DEPT#${department}`, gsi3sk: newestFirst }),
    ...(c.zone && { gsi4pk: `ZONE#${c.zone.id}`, gsi4sk: newestFirst }),
    ...(due && { nextDueAt: due, gsi5pk: 'DUE', gsi5sk: `${due}#${c.id}` }),
    gsi6pk: `SUBMITTER#${c.submittedBy.subject}`,
    gsi6sk: newestFirst,
    // The cell index holds the router's candidates only. Merged and cancelled cases are no one's
    // duplicate target, and a report still waiting for its router is not a case yet: the router
    // finds another router's report in flight through the area claim, never here. Kept out, a
    // burst's queue of unrouted reports costs neither an index write at intake nor a read in every
    // look at its neighbourhood.
    ...(c.status !== 'merged' &&
      c.status !== 'cancelled' &&
      c.status !== 'reported' && { gsi7pk: `CELL#${geohash(c.location)}`, gsi7sk: newestFirst }),
    ...(c.possibleDuplicates?.length && c.status !== 'merged' && { gsi8pk: 'REVIEW', gsi8sk: newestFirst }),
    ...(c.premisesId && { gsi9pk: `PREMISES#${c.premisesId}`, gsi9sk: `${c.reportedAt}#CASE#${c.id}` }),
    gsi10pk: 'CHANGES',
    gsi10sk: `${c.updatedAt}#${c.id}`,
  };
};

export const fromItem = (item: Record<string, unknown>): StoredCase => {
  const record = { ...item };
  const intake = record.intake as IntakeFingerprint | undefined;
  for (const attribute of KEY_ATTRIBUTES) delete record[attribute];
  return { case: record as unknown as Case, ...(intake && { intake }) };
};
