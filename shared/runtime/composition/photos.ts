import { sharpPhotoTools } from '../../adapters/image/photo-reader';
import type { PhotoTools } from '../../usecases/check-evidence';

/** The photo checks (EXIF, thumbnails): sharp and exifr load with the first photo checked. */
export const photoToolsFromEnv = (): PhotoTools => sharpPhotoTools;
