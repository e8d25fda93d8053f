/**
 * Photo evidence from the phone, without the page: hash the file, ask the API for a form (the
 * Idempotency-Key comes from the sha256, so a retry on a weak network names the same attachment),
 * then POST the file straight to S3 with that form. Uses only fetch, FormData and WebCrypto, so the
 * same code runs in Node against the local cloud (tests/e2e/field-upload.test.ts).
 */
import { type Api, type AttachmentView, NetworkError, type UploadForm } from './api';

export type UploadStage = 'hashing' | 'requesting' | 'uploading' | 'retrying';

/** S3 answered the form with an error (403: the form expired; 400: the policy refused it). */
export class UploadRefused extends Error {
  override readonly name = 'UploadRefused';
  constructor(
    readonly status: number,
    detail: string,
  ) {
    super(`S3 ${status}${detail ? `: ${detail}` : ''}`);
  }
}

const ATTEMPTS = 5;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Lowercase hex sha256, or undefined where WebCrypto is missing (a page not served over HTTPS). */
export const sha256Hex = async (file: Blob): Promise<string | undefined> => {
  if (!globalThis.crypto?.subtle) return undefined;
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', await file.arrayBuffer()));
  return Array.from(digest, (byte) => byte.toString(16).padStart(2, '0')).join('');
};

/** Repeats what never got an answer (offline, reset), backing off; anything answered is final. */
const withRetries = async <T>(work: () => Promise<T>, onRetry: () => void): Promise<T> => {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (!(error instanceof NetworkError) || attempt >= ATTEMPTS) throw error;
      onRetry();
      await sleep(500 * 2 ** (attempt - 1));
    }
  }
};

/** The presigned POST: every field, then the file last (S3 ignores fields after the file). */
const postForm = async (form: UploadForm, file: File) => {
  const body = new FormData();
  for (const [name, value] of Object.entries(form.fields)) body.append(name, value);
  body.append('file', file);
  let response: Response;
  try {
    response = await fetch(form.url, { method: 'POST', body });
  } catch (error) {
    throw new NetworkError((error as Error).message);
  }
  if (!response.ok) throw new UploadRefused(response.status, (await response.text()).slice(0, 200));
};

/** Uploads one photo and answers its attachment (pending until the check has judged it). */
export const uploadPhoto = async (
  api: Pick<Api, 'requestUpload'>,
  caseId: string,
  file: File,
  onStage: (stage: UploadStage) => void,
): Promise<AttachmentView> => {
  onStage('hashing');
  const sha256 = await sha256Hex(file);
  const idempotencyKey = sha256 ? `photo-${sha256}` : `photo-${file.size}-${file.lastModified}`;
  const contentType = file.type || 'image/jpeg';
  const retry = () => onStage('retrying');
  for (let round = 1; ; round++) {
    onStage('requesting');
    const grant = await withRetries(
      () =>
        api.requestUpload(
          caseId,
          { kind: 'photo', contentType, size: file.size, ...(sha256 && { sha256 }) },
          idempotencyKey,
        ),
      retry,
    );
    const form = grant.upload;
    // A retry that finds the photo already uploaded gets no form: only the verdict is left.
    if (!form) return grant.attachment;
    onStage('uploading');
    try {
      await withRetries(() => postForm(form, file), retry);
      return grant.attachment;
    } catch (error) {
      // The form expired while the phone was offline: the same key gets a fresh one, once.
      if (error instanceof UploadRefused && error.status === 403 && round < 2) continue;
      throw error;
    }
  }
};
