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

/**
 * Partition key prefixes of the items that are ever deleted (registry entries; cases never are):
 * a subscription and a camera each have a partition of their own, and the stack grants DeleteItem
 * on these partitions only.
 */
export const DELETABLE_PARTITIONS = { subscription: 'SUB#', camera: 'CAMERA#' } as const;

export const INDEXES = {
  /** Every case of the district, newest first (partition CASES; INTEGRATION_KEYS holds the integration keys, CAMERAS the camera registry). */
  all: { name: 'gsi1-all', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
  /** Cases by status, newest first (also the sweep's way to find unrouted reports). */
  byStatus: { name: 'gsi2-status', partitionKey: 'gsi2pk', sortKey: 'gsi2sk' },
  /** Cases by responsible department (assignee, else lead), newest first. */
  byDepartment: { name: 'gsi3-department', partitionKey: 'gsi3pk', sortKey: 'gsi3sk' },
  /** Cases by grid zone, newest first (CAMERAS#ZONE#…: a zone's cameras). */
  byZone: { name: 'gsi4-zone', partitionKey: 'gsi4pk', sortKey: 'gsi4sk' },
  /** Open cases with a running deadline, soonest due first (overdue = due before now). */
  byDue: { name: 'gsi5-due', partitionKey: 'gsi5pk', sortKey: 'gsi5sk' },
  /** A reporter's own reports, newest first (their list scope). */
  bySubmitter: { name: 'gsi6-submitter', partitionKey: 'gsi6pk', sortKey: 'gsi6sk' },
  /** Dedup candidates: routed, live cases by geohash cell (CELL#, precision 7), newest first; cameras by cell (CAMCELL#, precision 6). */
  byCell: { name: 'gsi7-cell', partitionKey: 'gsi7pk', sortKey: 'gsi7sk' },
  /** Work queues: possible duplicates waiting for review (REVIEW), joint visits by status (VISITS#…). */
  byQueue: { name: 'gsi8-queue', partitionKey: 'gsi8pk', sortKey: 'gsi8sk' },
  /** Everything at one premises (一户一档): its cases and joint visits, newest first. */
  byPremises: { name: 'gsi9-premises', partitionKey: 'gsi9pk', sortKey: 'gsi9sk' },
  /**
   * Every case by when it last changed, oldest first: the cockpit's incremental refresh reads only
   * what changed since its last poll instead of every open case every few seconds.
   */
  byChange: { name: 'gsi10-change', partitionKey: 'gsi10pk', sortKey: 'gsi10sk' },
} as const satisfies Record<string, IndexDesign>;

export const ALL_INDEXES: IndexDesign[] = Object.values(INDEXES);

/**
 * Items carrying this attribute (epoch seconds) are deleted by DynamoDB TTL some time after it
 * passes: the rate-limit windows. Nothing may rely on the deletion (it lags; dynalite never does it).
 */
export const TTL_ATTRIBUTE = 'expiresAt';
