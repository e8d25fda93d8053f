import { createHash } from 'node:crypto';
import type { GeoPoint } from './case';
import { geohash } from './geohash';

/**
 * A premises (一户一档) ties together every case and visit at one place. In order of trust: the id
 * a department system supplies (a licence or house number), the normalized address, or — with
 * neither — a ~38 m × 19 m cell around the point.
 */
export const PREMISES_CELL_PRECISION = 8;

const shortHash = (text: string) => createHash('sha256').update(text).digest('base64url').slice(0, 16);

/**
 * Addresses as people type them: full-width digits and letters, spaces, punctuation, 號 for 号,
 * a district prefix or not. Normalizing makes "古墩路 1185 号" and "古墩路1185號" the same place.
 */
export const normalizeAddress = (address: string): string =>
  address
    .normalize('NFKC')
    .replace(/號/g, '号')
    .replace(/^(浙江省)?(杭州市)?(西湖区)?(三墩镇)?/, '')
    .replace(/[\s\p{P}\p{S}]+/gu, '')
    .toLowerCase();

export const premisesIdOf = (report: {
  premisesId?: string;
  location: GeoPoint & { address?: string };
}): string => {
  if (report.premisesId) return `P-ref-${shortHash(report.premisesId.trim())}`;
  const address = report.location.address ? normalizeAddress(report.location.address) : '';
  // An address needs a number to name one premises; "古墩路" alone is a whole road.
  if (/\d/.test(address)) return `P-addr-${shortHash(address)}`;
  return `P-cell-${geohash(report.location, PREMISES_CELL_PRECISION)}`;
};
