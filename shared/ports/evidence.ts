import type { Attachment, AttachmentStatus } from '../domain/evidence';

// Attachments of cases and the evidence bucket behind them.

export type CreateAttachmentResult = { created: true } | { created: false; existing: Attachment };

/** Attachments (evidence) of a case, stored beside it. Writes are conditional, like the case's. */
export interface AttachmentStore {
  /** Writes the attachment unless its id exists; then returns what is stored instead. */
  create(attachment: Attachment): Promise<CreateAttachmentResult>;
  get(caseId: string, attachmentId: string): Promise<Attachment | undefined>;
  /** Every attachment of the case, oldest first. */
  list(caseId: string): Promise<Attachment[]>;
  /** Replaces the attachment if it is still in `expectedStatus`; false when it is not (someone decided first). */
  replace(next: Attachment, expectedStatus: AttachmentStatus): Promise<boolean>;
}

/** A browser form that uploads one object straight to the bucket (S3 presigned POST). */
export interface UploadForm {
  url: string;
  fields: Record<string, string>;
  expiresAt: string;
}

export interface StoredObject {
  bytes: number;
  lastModified?: string;
}

/** The evidence bucket: forms for the devices, reads for the check, short-lived links for readers. */
export interface EvidenceBucket {
  uploadForm(request: {
    key: string;
    contentType: string;
    maxBytes: number;
    expiresInSeconds: number;
  }): Promise<UploadForm>;
  head(key: string): Promise<StoredObject | undefined>;
  /** The whole object (callers check the size first). */
  read(key: string): Promise<Uint8Array>;
  /** The first `length` bytes (a video's magic number without downloading it). */
  readStart(key: string, length: number): Promise<Uint8Array>;
  put(key: string, body: Uint8Array, contentType: string): Promise<void>;
  /** Copies the object to another key (a camera snapshot to its case's attachment key). */
  copy(from: string, to: string): Promise<void>;
  /** Moves the object out of the case's prefix (copy, then delete). */
  move(from: string, to: string): Promise<void>;
  downloadUrl(key: string, expiresInSeconds: number): Promise<string>;
}

/** Reads a photo's EXIF and pixels and makes its thumbnail (sharp + exifr in production). */
export interface PhotoTools {
  read(
    bytes: Uint8Array,
    timeZone: string,
  ): Promise<{ takenAt?: string; gps?: { lat: number; lng: number }; width?: number; height?: number }>;
  thumbnail(bytes: Uint8Array): Promise<Uint8Array>;
  /** The error `read`/`thumbnail` throw for bytes that are no image. */
  isUndecodable(error: unknown): boolean;
}
