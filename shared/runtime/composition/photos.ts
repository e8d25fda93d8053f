import { sharpPhotoTools } from '../../adapters/image/photo-reader';
import type { PhotoTools } from '../../ports';

/** The photo checks (EXIF, thumbnails): sharp and exifr load with the first photo checked. */
export const photoToolsFromEnv = (): PhotoTools => sharpPhotoTools;
