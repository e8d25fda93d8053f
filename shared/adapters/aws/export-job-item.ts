import { type ExportJob, JOB_RETENTION_SECONDS } from '../../domain/export-job';
import { TTL_ATTRIBUTE } from './table-design';

/**
 * The export job entity in the single table: one item per job, read by id only (the requester
 * follows their own job's link), so it sits in no index. DynamoDB's TTL removes it two days after
 * it was made; nothing relies on that (the file itself is gone after a day).
 */
export const exportJobKey = (id: string) => ({ pk: `EXPORT#${id}`, sk: 'EXPORT' });

export const EXPORT_JOB_ENTITY = 'export-job';

const KEY_ATTRIBUTES = ['pk', 'sk', 'entity', TTL_ATTRIBUTE] as const;

export const toExportJobItem = (job: ExportJob): Record<string, unknown> => ({
  ...job,
  ...exportJobKey(job.id),
  entity: EXPORT_JOB_ENTITY,
  [TTL_ATTRIBUTE]: Math.floor(Date.parse(job.createdAt) / 1000) + JOB_RETENTION_SECONDS,
});

export const fromExportJobItem = (item: Record<string, unknown>): ExportJob => {
  const record = { ...item };
  for (const attribute of KEY_ATTRIBUTES) delete record[attribute];
  return record as unknown as ExportJob;
};
