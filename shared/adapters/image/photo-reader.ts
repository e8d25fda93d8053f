import type exifr from 'exifr';
import type sharp from 'sharp';
import type { GeoPoint } from '../../domain/case';

/**
 * sharp (a native libvips binding) and exifr are loaded by the first photo checked, not at cold start:
 * the function's other path (a camera snapshot arriving) and its init don't need them.
 */
let photoLibraries: Promise<{ sharp: typeof sharp; exifr: typeof exifr }> | undefined;
const loadPhotoLibraries = () =>
  (photoLibraries ??= Promise.all([import('sharp'), import('exifr')]).then(([s, e]) => ({
    sharp: s.default,
    exifr: e.default,
  })));

/** What a photo says about itself (EXIF) and its pixels. */
export interface PhotoFacts {
  takenAt?: string;
  gps?: GeoPoint;
  width?: number;
  height?: number;
}

export class UndecodableImageError extends Error {
  override readonly name = 'UndecodableImageError';
}

/** Offset in minutes of `timeZone` at the instant `utcMs` (e.g. +480 for Asia/Shanghai). */
const offsetMinutes = (timeZone: string, utcMs: number): number => {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(utcMs));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const asUtc = Date.UTC(
    get('year'),
    get('month') - 1,
    get('day'),
    get('hour'),
    get('minute'),
    get('second'),
  );
  return Math.round((asUtc - utcMs) / 60_000);
};

/**
 * EXIF times are wall-clock times without a zone unless the camera wrote OffsetTimeOriginal; a
 * phone's clock shows the district's local time, so that is the zone assumed.
 */
export const exifTimeToIso = (
  value: string,
  offset: string | undefined,
  timeZone: string,
): string | undefined => {
  const match = /^(\d{4}):(\d{2}):(\d{2})[ T](\d{2}):(\d{2}):(\d{2})/.exec(value.trim());
  if (!match) return undefined;
  const [, y, mo, d, h, mi, s] = match.map(Number) as number[];
  const wall = Date.UTC(y!, mo! - 1, d!, h!, mi!, s!);
  if (Number.isNaN(wall)) return undefined;
  const explicit = offset && /^([+-])(\d{2}):(\d{2})$/.exec(offset.trim());
  const minutes = explicit
    ? (explicit[1] === '-' ? -1 : 1) * (Number(explicit[2]) * 60 + Number(explicit[3]))
    : offsetMinutes(timeZone, wall - offsetMinutes(timeZone, wall) * 60_000);
  return new Date(wall - minutes * 60_000).toISOString();
};

/** Reads EXIF time and GPS (exifr) and the size in pixels (sharp); an image sharp can't decode throws. */
export const readPhoto = async (bytes: Uint8Array, timeZone: string): Promise<PhotoFacts> => {
  const { sharp, exifr } = await loadPhotoLibraries();
  let exif: Record<string, unknown> | undefined;
  try {
    // Raw values: exifr would read the zone-less EXIF time in the process's own zone.
    exif = await exifr.parse(Buffer.from(bytes), {
      gps: true,
      reviveValues: false,
      pick: [
        'DateTimeOriginal',
        'CreateDate',
        'OffsetTimeOriginal',
        'GPSLatitude',
        'GPSLatitudeRef',
        'GPSLongitude',
        'GPSLongitudeRef',
      ],
    });
  } catch {
    exif = undefined; // no or broken EXIF: the photo stands without time and place
  }
  let width: number | undefined;
  let height: number | undefined;
  try {
    const meta = await sharp(bytes, { failOn: 'truncated' }).metadata();
    width = meta.width;
    height = meta.height;
  } catch (error) {
    throw new UndecodableImageError((error as Error).message);
  }
  const facts: PhotoFacts = { ...(width && { width }), ...(height && { height }) };
  const time = (exif?.DateTimeOriginal ?? exif?.CreateDate) as string | undefined;
  if (typeof time === 'string') {
    const takenAt = exifTimeToIso(time, exif?.OffsetTimeOriginal as string | undefined, timeZone);
    if (takenAt) facts.takenAt = takenAt;
  }
  const lat = exif?.latitude;
  const lng = exif?.longitude;
  if (typeof lat === 'number' && typeof lng === 'number' && Number.isFinite(lat) && Number.isFinite(lng)) {
    facts.gps = { lat, lng };
  }
  return facts;
};

/** A small JPEG for the cockpit (320 px on the long side, EXIF stripped: no GPS leaks through it). */
export const thumbnailOf = async (bytes: Uint8Array): Promise<Uint8Array> => {
  const { sharp } = await loadPhotoLibraries();
  try {
    return await sharp(bytes, { failOn: 'truncated' })
      .rotate()
      .resize(320, 320, { fit: 'inside', withoutEnlargement: true })
      .jpeg({ quality: 70 })
      .toBuffer();
  } catch (error) {
    throw new UndecodableImageError((error as Error).message);
  }
};

/** The photo tools the evidence check uses, backed by sharp and exifr. */
export const sharpPhotoTools = {
  read: readPhoto,
  thumbnail: thumbnailOf,
  isUndecodable: (error: unknown) => error instanceof UndecodableImageError,
};
