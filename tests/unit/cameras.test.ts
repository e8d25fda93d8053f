import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isStreamUrl } from '../../shared/district/camera-input';
import { findGeometryProblems } from '../../shared/district/geometry-checks';
import { parseDistrict } from '../../shared/district/load';
import {
  CAMERA_CELL_PRECISION,
  type Camera,
  NEAREST_RADIUS_METRES,
  nearestCameras,
  placeCamera,
} from '../../shared/domain/camera';
import {
  isPublicAddress,
  type SnapshotHostRule,
  snapshotSourceFor,
} from '../../shared/domain/camera-snapshot';
import type { Case } from '../../shared/domain/case';
import { scoreDuplicate } from '../../shared/domain/dedup';
import { InvalidInputError } from '../../shared/domain/errors';
import { distanceMetres } from '../../shared/domain/geo';
import { cellsWithin, geohash } from '../../shared/domain/geohash';
import { sandun } from '../support/cases-harness';

const NOW = '2026-11-30T01:00:00.000Z';

const camera = (id: string, lat: number, lng: number): Camera => ({
  id,
  name: id,
  location: { lat, lng },
  zone: 'zijingang',
  streamUrl: '/demo-hls/sandun.m3u8',
  owner: 'police',
  status: 'online',
  createdAt: NOW,
  updatedAt: NOW,
});

describe('stream links', () => {
  it.each([
    ['https://video.example.cn/live/1.m3u8', true],
    ['http://10.0.0.8:8080/hls/cam1/index.m3u8', true],
    ['/demo-hls/sandun.m3u8', true],
    ['rtsp://10.0.0.8:554/stream1', false],
    ['rtmp://live.example/app/cam', false],
    ['javascript:alert(1)', false],
    ['data:application/vnd.apple.mpegurl;base64,AAAA', false],
    ['//evil.example/x.m3u8', false],
    ['video.example.cn/live.m3u8', false],
    ['/demo hls/x.m3u8', false],
    ['https://', false],
  ])('%s → %s', (url, ok) => {
    expect(isStreamUrl(url)).toBe(ok);
  });
});

describe('placing a camera', () => {
  const input = {
    id: 'cam-1',
    name: '测试',
    location: { lat: 30.285, lng: 120.087 },
    streamUrl: 'https://v.example/1.m3u8',
    owner: 'police',
  };

  it('derives the zone from the location, online by default', () => {
    expect(placeCamera(sandun, input, NOW)).toMatchObject({
      zone: 'gudun',
      status: 'online',
      createdAt: NOW,
    });
  });

  it('keeps the creation time and status of the camera it replaces', () => {
    const existing = { ...placeCamera(sandun, input, NOW), status: 'maintenance' as const };
    const later = '2026-12-01T00:00:00.000Z';
    expect(
      placeCamera(sandun, { ...input, location: { lat: 30.315, lng: 120.105 } }, later, existing),
    ).toMatchObject({
      zone: 'xicheng-nianhua',
      status: 'maintenance',
      createdAt: NOW,
      updatedAt: later,
    });
  });

  it.each([
    [{ streamUrl: 'rtsp://10.0.0.8/1' }, 'streamUrl', 'http_url'],
    [{ owner: 'nobody' }, 'owner', 'unknown_department'],
    // Just outside the western border of the district, and far away.
    [{ location: { lat: 30.285, lng: 120.0595 } }, 'location', 'outside_district'],
    [{ location: { lat: 39.9, lng: 116.4 } }, 'location', 'outside_district'],
  ])('refuses %j', (override, field, rule) => {
    const attempt = () => placeCamera(sandun, { ...input, ...override }, NOW);
    expect(attempt).toThrow(InvalidInputError);
    try {
      attempt();
    } catch (error) {
      expect(error).toMatchObject({ field, rule });
    }
  });
});

describe('nearest cameras', () => {
  it('keeps those within the radius, nearest first, distances in whole metres', () => {
    const point = { lat: 30.285, lng: 120.069 };
    const found = nearestCameras(
      [camera('far', 30.3, 120.069), camera('b', 30.286, 120.069), camera('a', 30.2851, 120.069)],
      point,
      500,
    );
    expect(found.map((c) => c.camera.id)).toEqual(['a', 'b']);
    expect(found.map((c) => c.distanceMetres)).toEqual([11, 111]);
  });

  it('never misses a camera within the radius: the cells queried cover the whole circle', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 30.27, max: 30.33, noNaN: true }),
        fc.double({ min: 120.06, max: 120.13, noNaN: true }),
        fc.integer({ min: 1, max: NEAREST_RADIUS_METRES.max }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 2 * Math.PI, noNaN: true }),
        (lat, lng, radius, fraction, bearing) => {
          // A camera somewhere inside the circle.
          const d = radius * fraction;
          const cam = {
            lat: lat + (d * Math.cos(bearing)) / 111_195,
            lng: lng + (d * Math.sin(bearing)) / (111_195 * Math.cos((lat * Math.PI) / 180)),
          };
          if (distanceMetres({ lat, lng }, cam) > radius) return;
          const cells = cellsWithin({ lat, lng }, radius, CAMERA_CELL_PRECISION);
          expect(cells).toContain(geohash(cam, CAMERA_CELL_PRECISION));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('reads a bounded number of cells: about 6 for the default radius, at most ~50 for the maximum', () => {
    const point = { lat: 30.285, lng: 120.069 };
    expect(
      cellsWithin(point, NEAREST_RADIUS_METRES.default, CAMERA_CELL_PRECISION).length,
    ).toBeLessThanOrEqual(9);
    expect(cellsWithin(point, NEAREST_RADIUS_METRES.max, CAMERA_CELL_PRECISION).length).toBeLessThanOrEqual(
      50,
    );
  });
});

describe('camera alerts in dedup', () => {
  const report = (id: string, alertType: string, reportedAt: string): Case =>
    ({
      id,
      category: alertType === 'smoke' ? 'event.fire-smoke' : 'event.street-vending',
      location: { lat: 30.285, lng: 120.069, crs: 'wgs84' },
      reportedAt,
      description: alertType,
      camera: { cameraId: 'cam-1', alertType, alertAt: reportedAt },
    }) as unknown as Case;

  it('scores one camera’s alerts of one type within the window as the same event, another type as another', () => {
    const settings = sandun.config.dedup;
    const first = report('C1', 'smoke', '2026-11-30T01:00:00.000Z');
    expect(
      scoreDuplicate(report('C2', 'smoke', '2026-11-30T01:30:00.000Z'), first, sandun, settings).score,
    ).toBe(1);
    expect(
      scoreDuplicate(report('C3', 'vending', '2026-11-30T01:00:10.000Z'), first, sandun, settings).score,
    ).toBe(0);
    // Past the window the ordinary score decides.
    const later = scoreDuplicate(
      report('C4', 'smoke', '2026-11-30T03:30:00.000Z'),
      first,
      sandun,
      settings,
    ).score;
    expect(later).toBeLessThan(1);
  });
});

describe('cameras in the district file', () => {
  const document = () => JSON.parse(readFileSync('districts/sandun.json', 'utf8'));

  it('accepts the shipped demo cameras, every one inside a zone', () => {
    const district = parseDistrict(document(), 'districts/sandun.json');
    expect(district.cameras?.length).toBeGreaterThanOrEqual(10);
    expect(findGeometryProblems(district)).toEqual([]);
  });

  it('names duplicate ids, unknown owners, non-http(s) links and unknown alert categories', () => {
    const doc = document();
    doc.cameras[1].id = doc.cameras[0].id;
    doc.cameras[2].owner = 'water-bureau';
    doc.cameras[3].streamUrl = 'rtsp://10.0.0.8/1';
    doc.cameraAlerts.types.smoke = 'event.alien-landing';
    try {
      parseDistrict(doc, 'districts/sandun.json');
      throw new Error('expected a refusal');
    } catch (error) {
      const problems = (error as { problems: { path: string; message: string }[] }).problems;
      expect(problems.map((p) => p.path).sort()).toEqual(
        ['cameraAlerts.types.smoke', 'cameras.1', 'cameras.2.owner', 'cameras.3.streamUrl'].sort(),
      );
    }
  });

  it('names a camera standing outside every zone', () => {
    const district = parseDistrict(document(), 'districts/sandun.json');
    const outside = {
      ...district,
      cameras: [
        ...(district.cameras ?? []),
        { ...district.cameras![0]!, id: 'cam-out', location: { lat: 30.2, lng: 120.0 } },
      ],
    };
    expect(findGeometryProblems(outside)).toEqual([
      expect.objectContaining({
        path: `cameras.${outside.cameras.length - 1}.location`,
        rule: 'camera-outside-district',
      }),
    ]);
  });
});

describe('where a snapshot may be fetched from', () => {
  const rules: SnapshotHostRule[] = [
    { host: 'vision.example.cn', http: false, privateAddresses: false },
    { host: '*.cams.example.cn', http: false, privateAddresses: false },
    { host: '10.20.0.5', http: true, privateAddresses: true },
  ];
  const refusal = (url: string, list: SnapshotHostRule[] = rules) => {
    try {
      snapshotSourceFor(list, url);
    } catch (error) {
      if (error instanceof InvalidInputError) return { field: error.field, rule: error.rule };
      throw error;
    }
    return undefined;
  };

  it('takes https from a listed host or a subdomain of a listed pattern, http only where the host allows it', () => {
    expect(snapshotSourceFor(rules, 'https://vision.example.cn/s/1.jpg')).toMatchObject({
      allowPrivateAddresses: false,
    });
    expect(snapshotSourceFor(rules, 'https://nvr-7.cams.example.cn:8443/1.jpg').url.port).toBe('8443');
    expect(snapshotSourceFor(rules, 'http://10.20.0.5/snap.jpg')).toMatchObject({
      allowPrivateAddresses: true,
    });
    expect(snapshotSourceFor(rules, 'https://VISION.example.cn/1.jpg').url.hostname).toBe(
      'vision.example.cn',
    );
  });

  it.each([
    ['https://evil.example.cn/1.jpg', 'snapshot_host_not_allowed'],
    ['https://cams.example.cn/1.jpg', 'snapshot_host_not_allowed'],
    ['https://vision.example.cn.evil.example/1.jpg', 'snapshot_host_not_allowed'],
    ['https://169.254.169.254/latest/meta-data', 'snapshot_host_not_allowed'],
    ['http://vision.example.cn/1.jpg', 'https_required'],
    ['https://user:pw@vision.example.cn/1.jpg', 'no_credentials'],
  ])('refuses %s (%s), naming snapshotUrl', (url, rule) => {
    expect(refusal(url)).toEqual({ field: 'snapshotUrl', rule });
  });

  it('refuses every URL when the district lists no host', () => {
    expect(refusal('https://vision.example.cn/1.jpg', [])).toEqual({
      field: 'snapshotUrl',
      rule: 'snapshot_host_not_allowed',
    });
  });
});

describe('which addresses a snapshot fetch may reach', () => {
  it.each([
    '127.0.0.1',
    '10.1.2.3',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '224.0.0.1',
    '255.255.255.255',
    '::1',
    '::',
    'fe80::1',
    'fd00::1',
    '::ffff:127.0.0.1',
    '::ffff:a9fe:a9fe',
    '64:ff9b::a9fe:a9fe',
    '[::1]',
    'localhost',
    'not an address',
  ])('%s is not public', (address) => {
    expect(isPublicAddress(address)).toBe(false);
  });

  it.each(['8.8.8.8', '114.114.114.114', '172.32.0.1', '2400:3200::1', '::ffff:8.8.8.8'])(
    '%s is public',
    (address) => {
      expect(isPublicAddress(address)).toBe(true);
    },
  );
});

describe('snapshot settings in the district file', () => {
  const document = () => JSON.parse(readFileSync('districts/sandun.json', 'utf8'));

  it('reads a bare host as https to public addresses only, and fills the defaults', () => {
    const doc = document();
    doc.cameraAlerts.snapshots = { hosts: ['vision.example.cn', { host: '127.0.0.1', http: true }] };
    const district = parseDistrict(doc, 'districts/sandun.json');
    expect(district.cameraAlerts?.snapshots).toEqual({
      hosts: [
        { host: 'vision.example.cn', http: false, privateAddresses: false },
        { host: '127.0.0.1', http: true, privateAddresses: false },
      ],
      maxPerCase: 5,
    });
    delete doc.cameraAlerts.snapshots;
    expect(parseDistrict(doc, 'districts/sandun.json').cameraAlerts?.snapshots).toEqual({
      hosts: [],
      maxPerCase: 5,
    });
  });

  it('names bad hosts and settings', () => {
    const doc = document();
    doc.cameraAlerts.snapshots = {
      hosts: ['*.cn', 'https://vision.example.cn', 'Vision.example.cn', { host: 'ok.example', tls: false }],
      maxPerCase: 0,
    };
    try {
      parseDistrict(doc, 'districts/sandun.json');
      throw new Error('expected a refusal');
    } catch (error) {
      const problems = (error as { problems: { path: string }[] }).problems;
      expect(problems.map((p) => p.path).sort()).toEqual(
        [
          'cameraAlerts.snapshots.hosts.0',
          'cameraAlerts.snapshots.hosts.1',
          'cameraAlerts.snapshots.hosts.2',
          'cameraAlerts.snapshots.hosts.3',
          'cameraAlerts.snapshots.maxPerCase',
        ].sort(),
      );
    }
  });
});
