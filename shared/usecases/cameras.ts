import { authorize, inScope, scopeOf } from '../domain/authorization';
import {
  CAMERA_CELL_PRECISION,
  type Camera,
  type CameraInput,
  type NearbyCamera,
  nearestCameras,
  placeCamera,
} from '../domain/camera';
import type { Actor } from '../domain/case';
import type { DistrictIndex } from '../domain/district-index';
import {
  CameraExistsError,
  CameraNotFoundError,
  CaseNotFoundError,
  ForbiddenActionError,
} from '../domain/errors';
import { cellsWithin } from '../domain/geohash';
import type { CameraStore, CaseStore, Clock } from '../ports';

export interface CameraRegistryDeps {
  cameras: CameraStore;
  district: DistrictIndex;
  clock: Clock;
}

export const registerCamera = async (
  deps: CameraRegistryDeps,
  actor: Actor,
  input: CameraInput,
): Promise<Camera> => {
  authorize(actor, 'manage_cameras');
  const camera = placeCamera(deps.district, input, deps.clock.now());
  if (!(await deps.cameras.create(camera))) throw new CameraExistsError(camera.id);
  return camera;
};

export const replaceCamera = async (
  deps: CameraRegistryDeps,
  actor: Actor,
  input: CameraInput,
): Promise<Camera> => {
  authorize(actor, 'manage_cameras');
  const existing = await deps.cameras.get(input.id);
  if (!existing) throw new CameraNotFoundError(input.id);
  const camera = placeCamera(deps.district, input, deps.clock.now(), existing);
  // Removed between the read and the write: the same answer as if it had never been there.
  if (!(await deps.cameras.replace(camera))) throw new CameraNotFoundError(input.id);
  return camera;
};

export const removeCamera = async (deps: CameraRegistryDeps, actor: Actor, id: string): Promise<void> => {
  authorize(actor, 'manage_cameras');
  if (!(await deps.cameras.remove(id))) throw new CameraNotFoundError(id);
};

/** The registry, or one zone of it; an area chief sees their own zone's and may not ask for another. */
export const listCameras = async (
  deps: CameraRegistryDeps,
  actor: Actor,
  zone?: string,
): Promise<Camera[]> => {
  const scope = scopeOf(actor, 'cameras');
  if (!scope) throw new ForbiddenActionError('cameras', `the ${actor.role} role may not list cameras`);
  if (scope === 'zone') {
    if (!actor.zone) throw new ForbiddenActionError('cameras', 'the token carries no zone');
    if (zone !== undefined && zone !== actor.zone) {
      throw new ForbiddenActionError('cameras', `zone ${zone} is outside the ${actor.role}'s scope`);
    }
    return deps.cameras.list(actor.zone);
  }
  if (scope !== 'all')
    throw new ForbiddenActionError('cameras', `the ${actor.role} role may not list cameras`);
  return deps.cameras.list(zone);
};

export interface NearbyCamerasDeps {
  cameras: CameraStore;
  store: CaseStore;
}

/**
 * The cameras within `radiusMetres` of a case, nearest first, from the camera cell index (one
 * Query per cell, never a Scan). Whoever may read the case may look through the cameras around
 * it; a case outside their read scope answers 404 like a missing one.
 */
export const camerasNearCase = async (
  deps: NearbyCamerasDeps,
  actor: Actor,
  caseId: string,
  radiusMetres: number,
): Promise<{ caseId: string; radiusMetres: number; cameras: NearbyCamera[] }> => {
  const stored = await deps.store.get(caseId);
  const readScope = scopeOf(actor, 'read');
  if (!stored || !readScope || !inScope(readScope, actor, stored.case)) throw new CaseNotFoundError(caseId);
  const location = stored.case.location;
  const candidates = await deps.cameras.inCells(cellsWithin(location, radiusMetres, CAMERA_CELL_PRECISION));
  return { caseId, radiusMetres, cameras: nearestCameras(candidates, location, radiusMetres) };
};

/**
 * Imports the district file's cameras into the registry: new ids are registered, ids already
 * there are left as they are (the registry, once edited through the API, is the truth). Idempotent.
 */
export const importDistrictCameras = async (
  deps: CameraRegistryDeps,
): Promise<{ imported: string[]; kept: string[] }> => {
  const imported: string[] = [];
  const kept: string[] = [];
  const now = deps.clock.now();
  for (const seed of deps.district.config.cameras ?? []) {
    const camera = placeCamera(deps.district, seed, now);
    if (await deps.cameras.create(camera)) imported.push(camera.id);
    else kept.push(camera.id);
  }
  return { imported, kept };
};
