import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpSnapshotFetcher } from '../../shared/adapters/http/snapshot-fetcher';
import { SnapshotFetchError } from '../../shared/domain/camera-snapshot';
import { jpegWithExif } from '../support/evidence-harness';

/**
 * The snapshot fetcher against a real HTTP server on loopback (allowed here as a district would
 * allow it for a local demo): what it takes, and each way it refuses, by rule.
 */
let server: Server;
let port = 0;
let jpeg: Buffer;

beforeAll(async () => {
  jpeg = await jpegWithExif({ width: 64, height: 48 });
  server = createServer((req, res) => {
    switch (req.url) {
      case '/snap.jpg':
        res.writeHead(200, { 'content-type': 'image/jpeg' }).end(jpeg);
        return;
      case '/snap-jpg-alias':
        res.writeHead(200, { 'content-type': 'image/jpg; charset=binary' }).end(jpeg);
        return;
      case '/page':
        res.writeHead(200, { 'content-type': 'text/html' }).end('<html></html>');
        return;
      case '/gone':
        res.writeHead(404).end();
        return;
      case '/redirect':
        res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data' }).end();
        return;
      case '/big':
        // No content-length: the cap must hold while streaming.
        res.writeHead(200, { 'content-type': 'image/jpeg' });
        res.write(Buffer.alloc(64 * 1024));
        res.end(Buffer.alloc(64 * 1024));
        return;
      case '/slow':
        res.writeHead(200, { 'content-type': 'image/jpeg' });
        res.write(jpeg.subarray(0, 100));
        return; // never ends
      default:
        res.writeHead(500).end();
    }
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((done) => server.close(done));
});

const fetcher = new HttpSnapshotFetcher();
const request = (path: string, overrides: Partial<Parameters<typeof fetcher.fetch>[0]> = {}) => ({
  url: new URL(`http://127.0.0.1:${port}${path}`),
  allowPrivateAddresses: true,
  maxBytes: 100 * 1024,
  timeoutMs: 2_000,
  ...overrides,
});
const ruleOf = async (promise: Promise<unknown>) => {
  try {
    await promise;
  } catch (error) {
    if (error instanceof SnapshotFetchError) return error.rule;
    throw error;
  }
  return 'fetched';
};

describe('fetching a camera snapshot', () => {
  it('takes a JPEG (image/jpg is a JPEG too)', async () => {
    const fetched = await fetcher.fetch(request('/snap.jpg'));
    expect(fetched.contentType).toBe('image/jpeg');
    expect(Buffer.from(fetched.bytes).equals(jpeg)).toBe(true);
    expect((await fetcher.fetch(request('/snap-jpg-alias'))).contentType).toBe('image/jpeg');
  });

  it.each([
    ['/gone', 'http_status'],
    ['/redirect', 'http_status'],
    ['/page', 'unsupported_type'],
    ['/big', 'too_large'],
  ])('refuses %s: %s', async (path, rule) => {
    expect(await ruleOf(fetcher.fetch(request(path)))).toBe(rule);
  });

  it('gives up after the deadline', async () => {
    const started = Date.now();
    expect(await ruleOf(fetcher.fetch(request('/slow', { timeoutMs: 300 })))).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('refuses loopback, private and link-local addresses unless the district allows them for the host', async () => {
    expect(await ruleOf(fetcher.fetch(request('/snap.jpg', { allowPrivateAddresses: false })))).toBe(
      'address_refused',
    );
    // A public-looking name that resolves to the metadata service (or a rebinding DNS answer).
    const rebinding = new HttpSnapshotFetcher({
      resolve: async () => [
        { address: '203.0.114.7', family: 4 },
        { address: '169.254.169.254', family: 4 },
      ],
    });
    expect(
      await ruleOf(
        rebinding.fetch(
          request('/snap.jpg', {
            url: new URL('https://vision.example/s.jpg'),
            allowPrivateAddresses: false,
          }),
        ),
      ),
    ).toBe('address_refused');
  });

  it('connects to the address it checked, not to a second lookup', async () => {
    // The name resolves (once, here) to the test server: the request goes there.
    const pinned = new HttpSnapshotFetcher({ resolve: async () => [{ address: '127.0.0.1', family: 4 }] });
    const fetched = await pinned.fetch(
      request('/snap.jpg', { url: new URL(`http://snapshots.invalid:${port}/snap.jpg`) }),
    );
    expect(fetched.bytes.length).toBe(jpeg.length);
  });

  it('says a name that does not resolve is unreachable', async () => {
    const nowhere = new HttpSnapshotFetcher({
      resolve: async () => {
        throw Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' });
      },
    });
    expect(
      await ruleOf(nowhere.fetch(request('/x', { url: new URL('https://vision.sandun.example/x.jpg') }))),
    ).toBe('unreachable');
  });
});
