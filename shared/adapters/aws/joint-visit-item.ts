import type { JointVisit } from '../../domain/joint-visit';

/**
 * The joint-visit entity in the single table: its own item, in the work queue of its status
 * (`VISITS#<status>`) and in its premises' history next to the cases there.
 */
export const visitKey = (id: string) => ({ pk: `VISIT#${id}`, sk: 'VISIT' });

export const VISIT_ENTITY = 'joint-visit';

const KEY_ATTRIBUTES = ['pk', 'sk', 'entity', 'gsi8pk', 'gsi8sk', 'gsi9pk', 'gsi9sk'] as const;

export const visitQueue = (status: JointVisit['status']) => `VISITS#${status}`;

export const toVisitItem = (v: JointVisit): Record<string, unknown> => ({
  ...v,
  ...visitKey(v.id),
  entity: VISIT_ENTITY,
  gsi8pk: visitQueue(v.status),
  gsi8sk: `${v.createdAt}#${v.id}`,
  gsi9pk: `PREMISES#${v.premisesId}`,
  gsi9sk: `${v.createdAt}#VISIT#${v.id}`,
});

export const fromVisitItem = (item: Record<string, unknown>): JointVisit => {
  const record = { ...item };
  for (const attribute of KEY_ATTRIBUTES) delete record[attribute];
  return record as unknown as JointVisit;
};
