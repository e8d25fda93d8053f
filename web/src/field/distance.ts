import type { GeoPoint } from '../../../shared/domain/case';
import { distanceMetres } from '../../../shared/domain/geo';
import { formatNumber, t } from '../i18n';

/** Anything with a WGS-84 position, as a case is. */
interface Located {
  location: GeoPoint;
}

/** Metres from the worker to the case, or undefined while the worker's position is unknown. */
export const distanceTo = (from: GeoPoint | undefined, item: Located): number | undefined =>
  from ? distanceMetres(from, item.location) : undefined;

/**
 * The tasks nearest first when asked and the position is known; otherwise (and between equals)
 * in the order given, which is the list's own (urgency).
 */
export const orderByDistance = <T extends Located>(
  tasks: readonly T[],
  from: GeoPoint | undefined,
  nearestFirst: boolean,
): T[] => {
  if (!nearestFirst || !from) return [...tasks];
  return tasks
    .map((task, index) => ({ task, index, metres: distanceMetres(from, task.location) }))
    .sort((a, b) => a.metres - b.metres || a.index - b.index)
    .map(({ task }) => task);
};

/** 350 米 / 1.2 公里 / 12 公里: as precise as a phone's fix and a walk need. */
export const distanceText = (metres: number): string => {
  const tens = Math.max(10, Math.round(metres / 10) * 10);
  if (tens < 1_000) return t('fieldMetres', { n: formatNumber(tens) });
  const km = metres / 1_000;
  return t('fieldKilometres', { n: formatNumber(km < 10 ? Math.round(km * 10) / 10 : Math.round(km)) });
};
