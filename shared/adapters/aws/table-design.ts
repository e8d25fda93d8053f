/**
 * The single table's key schema: partition key `pk`, sort key `sk`, and one sparse GSI per list
 * query. Entities compute these attributes (see `case-item.ts`); CDK and the local cloud create the
 * table from this description so the two can never drift.
 */
export interface IndexDesign {
  name: string;
  partitionKey: string;
  sortKey: string;
}

export const TABLE_KEYS = { partitionKey: 'pk', sortKey: 'sk' } as const;

export const INDEXES = {
  /** Every case of the district, newest first. */
  all: { name: 'gsi1-all', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
  /** Cases by status, newest first (also the sweep's way to find unrouted reports). */
  byStatus: { name: 'gsi2-status', partitionKey: 'gsi2pk', sortKey: 'gsi2sk' },
  /** Cases by responsible department (assignee, else lead), newest first. */
  byDepartment: { name: 'gsi3-department', partitionKey: 'gsi3pk', sortKey: 'gsi3sk' },
  /** Cases by grid zone, newest first. */
  byZone: { name: 'gsi4-zone', partitionKey: 'gsi4pk', sortKey: 'gsi4sk' },
  /** Open cases with a running deadline, soonest due first (overdue = due before now). */
  byDue: { name: 'gsi5-due', partitionKey: 'gsi5pk', sortKey: 'gsi5sk' },
  /** A reporter's own reports, newest first (their list scope). */
  bySubmitter: { name: 'gsi6-submitter', partitionKey: 'gsi6pk', sortKey: 'gsi6sk' },
} as const satisfies Record<string, IndexDesign>;

export const ALL_INDEXES: IndexDesign[] = Object.values(INDEXES);
