import {
  type CameraStatus,
  isStreamUrl,
  STREAM_URL_MESSAGE,
  STREAM_URL_RULE,
} from '../district/camera-input';
import type { GeoPoint } from './case';
import type { DistrictIndex } from './district-index';
import { InvalidInputError } from './errors';
import { distanceMetres } from './geo';
import { locateZone } from './routing';

/**
 * Cameras beside the case (视频监控): a registry of the district's cameras with where they stand
 * and where to watch them. The platform stores stream links, it never relays video.
 */
export interface Camera {
  id: string;
  name: string;
  location: GeoPoint;
  /** The grid zone the camera stands in, derived from its location (never given by the client). */
  zone: string;
  /** Compass bearing the camera looks along, degrees clockwise from north. */
  direction?: number;
  /** Horizontal field of view, degrees. */
  fieldOfView?: number;
  /** Where a browser plays it (HLS): an http(s) URL, or a path on this platform (the demo clip). */
  streamUrl: string;
  /** The department that runs the camera. */
  owner: string;
  status: CameraStatus;
  createdAt: string;
  updatedAt: string;
}

/** What an administrator or the district file says about a camera; the zone is derived. */
export type CameraInput = Omit<Camera, 'zone' | 'createdAt' | 'updatedAt' | 'status'> & {
  status?: CameraStatus;
};

/**
 * Geohash precision of the camera cell index: a precision-6 cell is ~610 m × 1,060 m here, so a
 * 500 m lookup reads about 6 cells and the 2 km maximum about 40 (precision 7 would take ~800).
 */
export const CAMERA_CELL_PRECISION = 6;

export const NEAREST_RADIUS_METRES = { default: 500, max: 2000 } as const;

/** Checks what a schema can't (inside the district, a known owner, a playable link) and places the camera in its zone. */
export const placeCamera = (
  district: DistrictIndex,
  input: CameraInput,
  now: string,
  existing?: Camera,
): Camera => {
  if (!isStreamUrl(input.streamUrl))
    throw new InvalidInputError('streamUrl', STREAM_URL_RULE, STREAM_URL_MESSAGE);
  if (!district.department(input.owner)) {
    throw new InvalidInputError(
      'owner',
      'unknown_department',
      `no department "${input.owner}" in this district`,
    );
  }
  const match = locateZone(district, input.location);
  // A camera is looked through for cases in the district: it must stand inside one of its zones.
  if (match.distanceMetres > 0) {
    throw new InvalidInputError(
      'location',
      'outside_district',
      `(${input.location.lat}, ${input.location.lng}) is outside every zone of ${district.config.name.en} (${Math.round(match.distanceMetres)} m from ${match.zone.id})`,
    );
  }
  return {
    id: input.id,
    name: input.name,
    location: { lat: input.location.lat, lng: input.location.lng },
    zone: match.zone.id,
    ...(input.direction !== undefined && { direction: input.direction }),
    ...(input.fieldOfView !== undefined && { fieldOfView: input.fieldOfView }),
    streamUrl: input.streamUrl,
    owner: input.owner,
    status: input.status ?? existing?.status ?? 'online',
    createdAt: existing?.createdAt ?? now,
    updatedAt: now,
  };
};

export interface NearbyCamera {
  camera: Camera;
  distanceMetres: number;
}

/** The cameras within the radius, nearest first (ties by id, so the order is stable). */
export const nearestCameras = (cameras: Camera[], point: GeoPoint, radiusMetres: number): NearbyCamera[] =>
  cameras
    .map((camera) => ({ camera, distanceMetres: distanceMetres(point, camera.location) }))
    .filter((c) => c.distanceMetres <= radiusMetres)
    .sort((a, b) => a.distanceMetres - b.distanceMetres || a.camera.id.localeCompare(b.camera.id))
    .map((c) => ({ ...c, distanceMetres: Math.round(c.distanceMetres) }));
