import { CAMERA_CELL_PRECISION, type Camera } from '../../domain/camera';
import { geohash } from '../../domain/geohash';
import { DELETABLE_PARTITIONS, INDEXES } from './table-design';

/**
 * The camera entity in the single table. Three sparse index entries: the district's list
 * (`all`: CAMERAS), its zone's (`byZone`: CAMERAS#ZONE#…) and its geohash cell (`byCell`:
 * CAMCELL#…, precision 6, apart from the cases' precision-7 CELL# partitions).
 */
export const cameraKey = (id: string) => ({ pk: `${DELETABLE_PARTITIONS.camera}${id}`, sk: 'CAMERA' });

export const CAMERAS_PARTITION = 'CAMERAS';
export const cameraZonePartition = (zone: string) => `CAMERAS#ZONE#${zone}`;
export const cameraCellPartition = (cell: string) => `CAMCELL#${cell}`;

const FIELDS = [
  'id',
  'name',
  'location',
  'zone',
  'direction',
  'fieldOfView',
  'streamUrl',
  'owner',
  'status',
  'createdAt',
  'updatedAt',
] as const satisfies readonly (keyof Camera)[];

export const toCameraItem = (camera: Camera): Record<string, unknown> => ({
  ...camera,
  ...cameraKey(camera.id),
  entity: 'camera',
  [INDEXES.all.partitionKey]: CAMERAS_PARTITION,
  [INDEXES.all.sortKey]: camera.id,
  [INDEXES.byZone.partitionKey]: cameraZonePartition(camera.zone),
  [INDEXES.byZone.sortKey]: camera.id,
  [INDEXES.byCell.partitionKey]: cameraCellPartition(geohash(camera.location, CAMERA_CELL_PRECISION)),
  [INDEXES.byCell.sortKey]: camera.id,
});

export const cameraFromItem = (item: Record<string, unknown>): Camera =>
  Object.fromEntries(
    FIELDS.filter((field) => item[field] !== undefined).map((field) => [field, item[field]]),
  ) as unknown as Camera;
