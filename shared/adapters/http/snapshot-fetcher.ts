import { lookup } from 'node:dns/promises';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { SNAPSHOT_CONTENT_TYPES, type SnapshotContentType } from '../../domain/camera-alert';
import { isPublicAddress, SnapshotFetchError } from '../../domain/camera-snapshot';
import type { FetchedSnapshot, SnapshotFetcher, SnapshotFetchRequest } from '../../ports';

interface ResolvedAddress {
  address: string;
  family: number;
}

export interface HttpSnapshotFetcherOptions {
  /** Name resolution (default: the system resolver, every address). */
  resolve?: (hostname: string) => Promise<ResolvedAddress[]>;
}

const systemResolve = (hostname: string) => lookup(hostname, { all: true, verbatim: true });

/** `image/jpeg; charset=…` → `image/jpeg`; the `image/jpg` some cameras send is a JPEG too. */
const mediaTypeOf = (header: string | undefined): SnapshotContentType | undefined => {
  const type = header?.split(';')[0]?.trim().toLowerCase();
  const normalised = type === 'image/jpg' || type === 'image/pjpeg' ? 'image/jpeg' : type;
  return (SNAPSHOT_CONTENT_TYPES as readonly string[]).includes(normalised ?? '')
    ? (normalised as SnapshotContentType)
    : undefined;
};

const within = <T>(promise: Promise<T>, signal: AbortSignal): Promise<T> =>
  new Promise((resolve, reject) => {
    const onAbort = () => reject(new SnapshotFetchError('timeout', 'no answer in time'));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });

/**
 * Fetches a camera snapshot without letting the URL reach where it must not (SSRF): the host is
 * resolved first and every address checked (loopback, private, link-local and the like are refused
 * unless the district allows them for this host); the connection then goes to the address that was
 * checked, never to a second lookup a rebinding DNS could answer differently. No redirect is
 * followed, one deadline covers resolving to the last byte, and the body stops at the size cap.
 */
export class HttpSnapshotFetcher implements SnapshotFetcher {
  constructor(private readonly options: HttpSnapshotFetcherOptions = {}) {}

  async fetch(request: SnapshotFetchRequest): Promise<FetchedSnapshot> {
    const { url, maxBytes } = request;
    const deadline = AbortSignal.timeout(request.timeoutMs);
    const hostname = url.hostname.replace(/^\[|\]$/g, '');
    let addresses: ResolvedAddress[];
    if (isIP(hostname)) addresses = [{ address: hostname, family: isIP(hostname) }];
    else {
      try {
        addresses = await within((this.options.resolve ?? systemResolve)(hostname), deadline);
      } catch (error) {
        if (error instanceof SnapshotFetchError) throw error;
        throw new SnapshotFetchError(
          'unreachable',
          `${hostname} does not resolve (${(error as Error).message})`,
        );
      }
    }
    const refused = addresses.filter((a) => !isPublicAddress(a.address));
    if (addresses.length === 0 || (!request.allowPrivateAddresses && refused.length > 0)) {
      throw new SnapshotFetchError(
        'address_refused',
        `${hostname} resolves to ${refused.map((a) => a.address).join(', ') || 'nothing'}: not a public address`,
      );
    }
    const [pinned] = addresses as [ResolvedAddress, ...ResolvedAddress[]];
    const pinnedLookup: LookupFunction = (_host, options, callback) => {
      if (options.all) callback(null, [pinned]);
      else callback(null, pinned.address, pinned.family);
    };

    return new Promise<FetchedSnapshot>((resolve, reject) => {
      const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
      const fail = (error: SnapshotFetchError) => {
        req.destroy();
        reject(error);
      };
      const req = send(
        url,
        {
          method: 'GET',
          headers: { accept: SNAPSHOT_CONTENT_TYPES.join(', '), 'user-agent': 'xietong-snapshots' },
          lookup: pinnedLookup,
          signal: deadline,
        },
        (response: IncomingMessage) => {
          const status = response.statusCode ?? 0;
          if (status !== 200) {
            response.resume();
            return fail(
              new SnapshotFetchError(
                'http_status',
                status >= 300 && status < 400
                  ? `answered ${status} (a redirect, which the platform does not follow)`
                  : `answered ${status}`,
              ),
            );
          }
          const contentType = mediaTypeOf(response.headers['content-type']);
          if (!contentType) {
            response.resume();
            return fail(
              new SnapshotFetchError(
                'unsupported_type',
                `sent ${response.headers['content-type'] ?? 'no content type'}, not ${SNAPSHOT_CONTENT_TYPES.join(' or ')}`,
              ),
            );
          }
          const tooLarge = () =>
            new SnapshotFetchError('too_large', `larger than ${maxBytes / 1024 / 1024} MB, the photo limit`);
          if (Number(response.headers['content-length'] ?? 0) > maxBytes) return fail(tooLarge());
          const chunks: Buffer[] = [];
          let received = 0;
          response.on('data', (chunk: Buffer) => {
            received += chunk.length;
            if (received > maxBytes) fail(tooLarge());
            else chunks.push(chunk);
          });
          response.on('end', () => {
            if (received <= maxBytes) resolve({ bytes: new Uint8Array(Buffer.concat(chunks)), contentType });
          });
          response.on('error', (error) => reject(this.failureOf(error, deadline, hostname)));
        },
      );
      req.on('error', (error) => reject(this.failureOf(error, deadline, hostname)));
      req.end();
    });
  }

  private failureOf(error: Error, deadline: AbortSignal, hostname: string): SnapshotFetchError {
    if (error instanceof SnapshotFetchError) return error;
    if (deadline.aborted) return new SnapshotFetchError('timeout', `${hostname} did not answer in time`);
    return new SnapshotFetchError('unreachable', `${hostname}: ${error.message}`);
  }
}
