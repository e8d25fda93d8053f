/**
 * What a camera's own fields may say, wherever the camera comes from: the district file's registry
 * and the cameras API check the same rules, and the domain's camera reuses them.
 */
export const CAMERA_STATUSES = ['online', 'offline', 'maintenance'] as const;
export type CameraStatus = (typeof CAMERA_STATUSES)[number];

export const CAMERA_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/**
 * Stream links a browser may open: absolute http(s) URLs, or a root-relative path served by this
 * platform (`/demo-hls/…`). rtsp://, javascript:, data: and protocol-relative `//host` are refused.
 */
export const isStreamUrl = (value: string): boolean => {
  if (value.startsWith('/')) return !value.startsWith('//') && !/[\s\\]/.test(value);
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
};

export const STREAM_URL_RULE = 'http_url';
export const STREAM_URL_MESSAGE =
  'must be an http(s) URL (HLS for browsers) or a path on this platform beginning with "/"';
