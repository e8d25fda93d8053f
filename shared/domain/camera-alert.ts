/**
 * What a camera alert brings to a report: the camera, the alert and its snapshot. Part of the
 * report's and the case's record, so this module imports nothing from the domain.
 */

/** What a camera alert adds to its report: which camera saw what, and the snapshot it sent. */
export interface CameraAlertFacts {
  cameraId: string;
  alertType: string;
  /** When the analytics system saw it. */
  alertAt: string;
  /** The analytics system's own alert id, when it sends one (its retries carry the same id). */
  alertId?: string;
  /** The snapshot URL as sent (where the platform fetched it from). */
  snapshotUrl?: string;
  /** The snapshot's bytes as the platform holds them until the report's case is known, or why it has none. */
  snapshot?: CameraSnapshot;
}

/** The image types a snapshot may be (what camera platforms send; the check reads the magic bytes). */
export const SNAPSHOT_CONTENT_TYPES = ['image/jpeg', 'image/png'] as const;
export type SnapshotContentType = (typeof SNAPSHOT_CONTENT_TYPES)[number];

/** Why a snapshot URL gave no image. */
export const SNAPSHOT_FETCH_FAILURES = [
  'unreachable',
  'timeout',
  'address_refused',
  'http_status',
  'too_large',
  'unsupported_type',
] as const;
export type SnapshotFetchFailure = (typeof SNAPSHOT_FETCH_FAILURES)[number];

/** What the report records about its snapshot (kept on the report and on its link when merged). */
export interface CameraSnapshot {
  /** `upload`: the system uploads it with the form the reply gave; `url`: the platform fetched it. */
  via: 'upload' | 'url';
  /** Where the bytes wait for the report's case (`snapshots/<report>`). */
  objectKey: string;
  contentType?: SnapshotContentType;
  bytes?: number;
  /** Declared in the signed alert (upload), or computed when fetched (url). */
  sha256?: string;
  fetchedAt?: string;
  /** The fetch that failed: the report stands, the case records the snapshot as unavailable. */
  failure?: { rule: SnapshotFetchFailure; reason: string };
}
