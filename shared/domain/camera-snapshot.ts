import { createHash } from 'node:crypto';
import { BlockList, isIP } from 'node:net';
import type { CameraSnapshot, SnapshotContentType, SnapshotFetchFailure } from './camera-alert';
import { InvalidInputError } from './errors';
import { snapshotKeyOf } from './evidence';

/**
 * A camera alert's snapshot on its way to becoming evidence (the record's shape is in camera.ts). At alert time the platform takes the
 * bytes into the evidence bucket under a report-scoped key (the case is not known yet): either the
 * analytics system uploads them with a form, or the platform fetches the URL it sent. Once the
 * router has placed the report in a case, the snapshot is copied to an attachment of that case and
 * checked like any photo.
 */

/** How long the platform waits for a snapshot URL, connection to last byte. */
export const SNAPSHOT_FETCH_TIMEOUT_MS = 5_000;

export class SnapshotFetchError extends Error {
  override readonly name = 'SnapshotFetchError';
  constructor(
    readonly rule: SnapshotFetchFailure,
    message: string,
  ) {
    super(message);
  }
}

/** A host the district lets the platform fetch snapshots from (`cameraAlerts.snapshots.hosts`). */
export interface SnapshotHostRule {
  /** A host name (`vision.example.cn`), a subdomain pattern (`*.vision.example.cn`) or an IP literal. */
  host: string;
  /** Plain http to this host (a camera platform on the district's own network). */
  http: boolean;
  /** The host may resolve to a private, loopback or link-local address (a local demo only). */
  privateAddresses: boolean;
}

export interface SnapshotSource {
  url: URL;
  allowPrivateAddresses: boolean;
}

const hostMatches = (pattern: string, hostname: string) =>
  pattern.startsWith('*.') ? hostname.endsWith(pattern.slice(1)) : hostname === pattern;

/**
 * Whether the platform may fetch this snapshot URL at all, decided before any network call: https
 * (http only where the district says so for that host), and a host on the district's list. Anything
 * else is the sender's mistake, refused at once (422 naming `snapshotUrl`) rather than recorded.
 */
export const snapshotSourceFor = (rules: readonly SnapshotHostRule[], text: string): SnapshotSource => {
  const url = new URL(text);
  const hostname = url.hostname.toLowerCase();
  const rule = rules.find((r) => hostMatches(r.host, hostname));
  if (!rule) {
    throw new InvalidInputError(
      'snapshotUrl',
      'snapshot_host_not_allowed',
      rules.length === 0
        ? 'this district fetches snapshots from no host (cameraAlerts.snapshots.hosts): upload it with `snapshot` instead'
        : `the platform fetches snapshots only from this district's hosts (cameraAlerts.snapshots.hosts), not ${hostname}`,
    );
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && rule.http)) {
    throw new InvalidInputError(
      'snapshotUrl',
      'https_required',
      `snapshots from ${hostname} are fetched over https only`,
    );
  }
  if (url.username || url.password) {
    throw new InvalidInputError(
      'snapshotUrl',
      'no_credentials',
      'a snapshot URL carries no user name or password: put a token in the path or query',
    );
  }
  return { url, allowPrivateAddresses: rule.privateAddresses };
};

/**
 * Addresses no fetch may reach unless the district allows it for the host: loopback (the Lambda
 * runtime API listens there), private networks, link-local (the instance metadata service),
 * carrier-grade NAT, multicast, reserved and unspecified ranges, for IPv4 and IPv6.
 */
const NOT_PUBLIC = (() => {
  const list = new BlockList();
  for (const [network, prefix] of [
    ['0.0.0.0', 8],
    ['10.0.0.0', 8],
    ['100.64.0.0', 10],
    ['127.0.0.0', 8],
    ['169.254.0.0', 16],
    ['172.16.0.0', 12],
    ['192.0.0.0', 24],
    ['192.0.2.0', 24],
    ['192.168.0.0', 16],
    ['198.18.0.0', 15],
    ['198.51.100.0', 24],
    ['203.0.113.0', 24],
    ['224.0.0.0', 4],
    ['240.0.0.0', 4],
  ] as const) {
    list.addSubnet(network, prefix, 'ipv4');
  }
  for (const [network, prefix] of [
    ['::', 128],
    ['::1', 128],
    ['64:ff9b::', 96],
    ['100::', 64],
    ['2001:db8::', 32],
    ['fc00::', 7],
    ['fe80::', 10],
    ['fec0::', 10],
    ['ff00::', 8],
  ] as const) {
    list.addSubnet(network, prefix, 'ipv6');
  }
  return list;
})();

/** The IPv4 address inside an IPv4-mapped IPv6 one (`::ffff:10.0.0.1`, `::ffff:a00:1`), if it is one. */
const mappedIpv4 = (address: string): string | undefined => {
  const match = /^::ffff:(?:0:)?(.+)$/i.exec(address);
  if (!match?.[1]) return undefined;
  if (isIP(match[1]) === 4) return match[1];
  const hex = /^([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(match[1]);
  if (!hex?.[1] || !hex[2]) return undefined;
  const [high, low] = [Number.parseInt(hex[1], 16), Number.parseInt(hex[2], 16)];
  return [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.');
};

/** Whether an IP address is on the public internet (false for anything not an IP address). */
export const isPublicAddress = (address: string): boolean => {
  const bare = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  const family = isIP(bare);
  if (family === 0) return false;
  if (family === 4) return !NOT_PUBLIC.check(bare, 'ipv4');
  const v4 = mappedIpv4(bare);
  if (v4) return !NOT_PUBLIC.check(v4, 'ipv4');
  return !NOT_PUBLIC.check(bare, 'ipv6');
};

/** The attachment a report's snapshot becomes: one per report, whichever case it lands in, however often placed. */
export const snapshotAttachmentId = (reportId: string): string =>
  `A${createHash('sha256').update(`camera-snapshot\u0000${reportId}`).digest().subarray(0, 16).toString('base64url')}`;

/** The snapshot as the alert declared it, waiting for the system's upload. */
export const declaredSnapshot = (
  reportId: string,
  declared: { contentType: SnapshotContentType; size: number; sha256: string },
): CameraSnapshot => ({
  via: 'upload',
  objectKey: snapshotKeyOf(reportId),
  contentType: declared.contentType,
  bytes: declared.size,
  sha256: declared.sha256,
});
