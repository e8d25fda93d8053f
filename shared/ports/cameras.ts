import type { Camera } from '../domain/camera';
import type { SnapshotContentType } from '../domain/camera-alert';

// The camera registry and the fetcher of camera snapshots.

/** The camera registry (视频监控): one item per camera, found by id, zone or geohash cell. */
export interface CameraStore {
  /** Registers a new camera; false when the id is taken. */
  create(camera: Camera): Promise<boolean>;
  /** Replaces a registered camera; false when there is none with this id. */
  replace(camera: Camera): Promise<boolean>;
  /** Removes it; false when there was none. */
  remove(id: string): Promise<boolean>;
  get(id: string): Promise<Camera | undefined>;
  /** Every camera of the district (a zone's when given), by id. */
  list(zone?: string): Promise<Camera[]>;
  /** The cameras in these geohash cells (precision `CAMERA_CELL_PRECISION`): one index query per cell. */
  inCells(cells: string[]): Promise<Camera[]>;
}

export interface SnapshotFetchRequest {
  url: URL;
  /** The district lets this host resolve to private, loopback or link-local addresses. */
  allowPrivateAddresses: boolean;
  maxBytes: number;
  timeoutMs: number;
}

export interface FetchedSnapshot {
  bytes: Uint8Array;
  contentType: SnapshotContentType;
}

/** Fetches a camera snapshot from its URL; throws SnapshotFetchError saying why there is none. */
export interface SnapshotFetcher {
  fetch(request: SnapshotFetchRequest): Promise<FetchedSnapshot>;
}
