/**
 * Hands an authenticated download to the browser. The API needs the token in a header, which a
 * plain `<a href>` can't send, so the file is fetched first (`Api.download`) and saved from a blob
 * URL; a big export arrives as a signed S3 link, which needs no token and is followed as is.
 */
import type { Download } from './api';

/** Long enough for the browser to start writing the file; the blob is freed after. */
const REVOKE_AFTER_MS = 60_000;

export const saveDownload = (download: Download): void => {
  const link = document.createElement('a');
  if (download.kind === 'file') {
    const url = URL.createObjectURL(download.blob);
    link.href = url;
    link.download = download.filename;
    setTimeout(() => URL.revokeObjectURL(url), REVOKE_AFTER_MS);
  } else {
    link.href = download.url;
    link.rel = 'noopener';
  }
  link.style.display = 'none';
  document.body.append(link);
  link.click();
  link.remove();
};
