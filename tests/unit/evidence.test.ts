import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { exifTimeToIso } from '../../shared/adapters/image/photo-reader';
import { loadDistrict } from '../../shared/district/load';
import { districtSchemas } from '../../shared/district/schema';
import { type Actor, type Case, SYSTEM_ROUTER } from '../../shared/domain/case';
import { indexDistrict } from '../../shared/domain/district-index';
import { InvalidInputError } from '../../shared/domain/errors';
import {
  type Attachment,
  type CameraStill,
  DEFAULT_EVIDENCE_POLICY,
  inspectEvidence,
  jpegLooksComplete,
  type ObjectFindings,
  parseObjectKey,
  sniffContentType,
} from '../../shared/domain/evidence';
import { hasEvidenceEntry, recordEvidence } from '../../shared/domain/evidence-timeline';
import { newReportedCase } from '../../shared/domain/report';
import { routeReport } from '../../shared/domain/routing';
import { verifyTimeline } from '../../shared/domain/timeline';
import { registerReport, runCommand } from '../../shared/domain/workflow';

const { DistrictConfig } = districtSchemas();

const sandunFile = fileURLToPath(new URL('../../districts/sandun.json', import.meta.url));
const sandun = indexDistrict(loadDistrict(sandunFile));
const T0 = '2026-11-30T01:00:00.000Z';
const at = (minutes: number) => new Date(Date.parse(T0) + minutes * 60_000).toISOString();
const HERE = { lat: 30.28525, lng: 120.0688 };

const attachment = (overrides: Partial<Attachment> = {}): Attachment => ({
  id: 'A1',
  caseId: 'C1',
  kind: 'photo',
  contentType: 'image/jpeg',
  size: 1000,
  status: 'pending',
  objectKey: 'cases/C1/A1',
  requestedBy: { subject: 'worker-mr', role: 'field_worker', department: 'market-regulation' },
  requestedAt: at(10),
  uploadExpiresAt: at(20),
  requestHash: 'x',
  ...overrides,
});
const JPEG_HEAD = Uint8Array.from([0xff, 0xd8, 0xff, 0xe1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
const found = (overrides: Partial<ObjectFindings> = {}): ObjectFindings => ({
  bytes: 1000,
  head: JPEG_HEAD,
  complete: true,
  arrivedAt: at(11),
  ...overrides,
});
const theCase = {
  location: { ...HERE, crs: 'wgs84' as const, reported: { ...HERE, crs: 'wgs84' as const } },
  dispatchedAt: at(5),
};
const judge = (a: Partial<Attachment>, f: Partial<ObjectFindings>, now = at(12)) =>
  inspectEvidence(attachment(a), theCase, found(f), DEFAULT_EVIDENCE_POLICY, now);

describe('the real type, by its first bytes', () => {
  const bytes = (...values: (number | string)[]) =>
    Uint8Array.from(
      values.flatMap((v) => (typeof v === 'string' ? [...v].map((c) => c.charCodeAt(0)) : [v])),
    );
  it.each([
    ['JPEG', bytes(0xff, 0xd8, 0xff, 0xe0), 'image/jpeg'],
    ['PNG', bytes(0x89, 'PNG\r\n', 0x1a, '\n'), 'image/png'],
    ['WebP', bytes('RIFF', 0, 0, 0, 0, 'WEBP'), 'image/webp'],
    ['PDF', bytes('%PDF-1.7'), 'application/pdf'],
    ['HEIC', bytes(0, 0, 0, 24, 'ftypheic'), 'image/heic'],
    ['QuickTime', bytes(0, 0, 0, 20, 'ftypqt  '), 'video/quicktime'],
    ['MP4', bytes(0, 0, 0, 24, 'ftypisom'), 'video/mp4'],
  ])('%s', (_name, head, type) => expect(sniffContentType(head)).toBe(type));

  it('a shell script or an HTML page named .jpg is no accepted type', () => {
    expect(sniffContentType(bytes('#!/bin/sh\n'))).toBeUndefined();
    expect(sniffContentType(bytes('<html><script>'))).toBeUndefined();
    expect(sniffContentType(new Uint8Array())).toBeUndefined();
  });

  it('a JPEG is complete when its end-of-image marker is there (a trailer after it is fine)', () => {
    expect(jpegLooksComplete(Uint8Array.from([0xff, 0xd8, 0xff, 1, 2, 0xff, 0xd9]))).toBe(true);
    expect(jpegLooksComplete(Uint8Array.from([0xff, 0xd8, 0xff, 1, 2, 0xff, 0xd9, 9, 9, 9]))).toBe(true);
    expect(jpegLooksComplete(Uint8Array.from([0xff, 0xd8, 0xff, 1, 2, 3, 4]))).toBe(false);
  });

  it('only keys of uploads name an attachment', () => {
    expect(parseObjectKey('cases/C123/A456')).toEqual({ caseId: 'C123', attachmentId: 'A456' });
    expect(parseObjectKey('thumbnails/C123/A456.jpg')).toBeUndefined();
    expect(parseObjectKey('cases/C123/../A456')).toBeUndefined();
  });
});

describe('the verdict', () => {
  it('verifies a photo taken near the case after dispatch, with the facts', () => {
    const verdict = judge({}, { takenAt: at(8), gps: { lat: HERE.lat + 0.0003, lng: HERE.lng }, width: 10 });
    expect(verdict).toEqual({
      status: 'verified',
      facts: {
        bytes: 1000,
        detectedType: 'image/jpeg',
        takenAt: at(8),
        gps: { lat: HERE.lat + 0.0003, lng: HERE.lng },
        distanceMetres: 33,
        takenAfterDispatch: true,
        width: 10,
      },
    });
  });

  it.each([
    ['zero_bytes', {}, { bytes: 0 }],
    ['too_large', {}, { bytes: 15 * 1024 * 1024 + 1 }],
    ['form_expired', {}, { arrivedAt: at(21) }],
    ['content_type_mismatch', {}, { head: Uint8Array.from([0x23, 0x21, 0x2f]) }],
    ['content_type_mismatch', { contentType: 'image/png' }, {}],
    ['truncated_image', {}, { complete: false }],
    ['sha256_mismatch', { sha256: 'a'.repeat(64) }, { sha256: 'b'.repeat(64) }],
    ['taken_in_future', {}, { takenAt: at(60) }],
    ['too_far_from_case', {}, { gps: { lat: HERE.lat + 0.02, lng: HERE.lng } }],
  ] as const)('rejects %s', (rule, a, f) => {
    const verdict = judge(a as Partial<Attachment>, f as Partial<ObjectFindings>);
    expect(verdict).toMatchObject({ status: 'rejected', rule });
    expect(verdict.status === 'rejected' && verdict.reason.length).toBeGreaterThan(10);
  });

  it('a video may be 200 MB; its EXIF is not read', () => {
    const head = Uint8Array.from([0, 0, 0, 24, ...[...'ftypisom'].map((c) => c.charCodeAt(0)), 0, 0, 0, 0]);
    expect(
      judge({ kind: 'video', contentType: 'video/mp4' }, { bytes: 150 * 1024 * 1024, head }),
    ).toMatchObject({ status: 'verified' });
  });

  it('a photo without EXIF time counts from its arrival for "after dispatch"', () => {
    expect(judge({}, {})).toMatchObject({ status: 'verified', facts: { takenAfterDispatch: true } });
  });
});

describe('a camera still (origin camera)', () => {
  // The camera stands 66 m north of the case; the alert came 2 minutes before its report arrived.
  const CAMERA = { lat: HERE.lat + 0.0006, lng: HERE.lng };
  const still = (overrides: Partial<CameraStill> = {}): Partial<Attachment> => ({
    origin: 'camera',
    camera: {
      cameraId: 'cam-zjg-03',
      location: CAMERA,
      alertAt: at(-2),
      reportId: 'C-report',
      reportedAt: at(0),
      ...overrides,
    },
  });

  it('is judged by the registered camera’s place and the alert’s time, not EXIF, and never counts as after dispatch', () => {
    // The EXIF a camera might write (its own clock, no GPS or a wrong one) is not what counts.
    const verdict = judge(still(), { takenAt: at(600), gps: { lat: 31, lng: 121 }, width: 640 });
    expect(verdict).toEqual({
      status: 'verified',
      facts: {
        bytes: 1000,
        detectedType: 'image/jpeg',
        width: 640,
        cameraId: 'cam-zjg-03',
        takenAt: at(-2),
        gps: CAMERA,
        distanceMetres: 67,
      },
    });
    // Taken before dispatch by nature: no "after photo" for the resolve rule.
    expect(verdict.status === 'verified' && verdict.facts.takenAfterDispatch).toBeUndefined();
  });

  it.each([
    ['taken_in_future', { alertAt: at(11) }],
    ['taken_long_before_report', { alertAt: at(-31) }],
    ['too_far_from_case', { location: { lat: HERE.lat + 0.02, lng: HERE.lng } }],
  ] as const)('rejects %s', (rule, overrides) => {
    const verdict = judge(still(overrides), {});
    expect(verdict).toMatchObject({ status: 'rejected', rule });
    expect(verdict.status === 'rejected' && verdict.reason.length).toBeGreaterThan(10);
  });

  it('judges time against when the report arrived, so a check retried hours later decides the same', () => {
    expect(judge(still({ alertAt: at(-29) }), {}, at(24 * 60))).toMatchObject({ status: 'verified' });
    expect(judge(still({ alertAt: at(9) }), {}, at(-60))).toMatchObject({ status: 'verified' });
  });

  it.each([
    ['content_type_mismatch', {}, { head: Uint8Array.from([0x3c, 0x68, 0x74]) }],
    ['truncated_image', {}, { complete: false }],
    ['sha256_mismatch', { sha256: 'a'.repeat(64) }, { sha256: 'b'.repeat(64) }],
    ['too_large', {}, { bytes: 15 * 1024 * 1024 + 1 }],
    ['zero_bytes', {}, { bytes: 0 }],
  ] as const)('still applies the integrity checks of every photo: %s', (rule, a, f) => {
    const verdict = judge({ ...still(), ...a } as Partial<Attachment>, f as Partial<ObjectFindings>);
    expect(verdict).toMatchObject({ status: 'rejected', rule });
  });

  it('follows the district’s snapshotMaxAgeMinutes', () => {
    const strict = { ...DEFAULT_EVIDENCE_POLICY, snapshotMaxAgeMinutes: 1 };
    expect(inspectEvidence(attachment(still()), theCase, found(), strict, at(12))).toMatchObject({
      status: 'rejected',
      rule: 'taken_long_before_report',
    });
  });
});

describe('EXIF time', () => {
  it('is read in the district zone unless the camera wrote its offset', () => {
    expect(exifTimeToIso('2026:11:30 09:10:00', undefined, 'Asia/Shanghai')).toBe('2026-11-30T01:10:00.000Z');
    expect(exifTimeToIso('2026:11:30 09:10:00', '+01:00', 'Asia/Shanghai')).toBe('2026-11-30T08:10:00.000Z');
    expect(exifTimeToIso('2026:07:01 12:00:00', undefined, 'Europe/Berlin')).toBe('2026-07-01T10:00:00.000Z');
    expect(exifTimeToIso('not a time', undefined, 'Asia/Shanghai')).toBeUndefined();
  });
});

describe('evidence on the case', () => {
  const CENTRE: Actor = { subject: 'cc-1', role: 'command_centre', department: 'command-centre' };
  const MR: Actor = { subject: 'staff-mr', role: 'department_staff', department: 'market-regulation' };
  const accepted = (district = sandun): Case => {
    const reported = newReportedCase(
      {
        source: 'hotline',
        category: 'event.household-workshop',
        description: '作坊',
        location: { ...HERE, crs: 'wgs84' },
      },
      { id: 'C1', district, actor: CENTRE, now: T0 },
    );
    const registered = registerReport(reported, routeReport(district, reported), {
      actor: SYSTEM_ROUTER,
      now: at(1),
    });
    const dispatched = runCommand(
      registered,
      { command: 'dispatch' },
      { district, actor: CENTRE, now: at(2) },
    );
    return runCommand(dispatched, { command: 'accept' }, { district, actor: MR, now: at(3) });
  };

  it('one timeline entry per verdict, chained, the status unchanged, counted once', () => {
    const c = accepted();
    const verdict = judge({}, { takenAt: at(8), gps: HERE });
    const next = recordEvidence(c, attachment(), verdict, { now: at(12) });
    expect(next.version).toBe(c.version + 1);
    expect(next.status).toBe(c.status);
    expect(next.timeline.at(-1)).toMatchObject({
      action: 'evidence-verified',
      details: { attachmentId: 'A1', distanceMetres: 0 },
    });
    expect(verifyTimeline(next.timeline)).toEqual({ intact: true });
    expect(next.evidence).toEqual({ verified: 1, rejected: 0, afterPhotos: 1 });
    expect(hasEvidenceEntry(next, 'A1')).toBe(true);
    expect(hasEvidenceEntry(c, 'A1')).toBe(false);
  });

  it('a verified camera still is evidence on the case, but no after photo for the resolve rule', () => {
    const camera: Partial<Attachment> = {
      origin: 'camera',
      camera: { cameraId: 'cam-1', location: HERE, alertAt: at(-2), reportId: 'C1', reportedAt: at(0) },
    };
    const next = recordEvidence(accepted(), attachment(camera), judge(camera, {}), { now: at(12) });
    expect(next.evidence).toEqual({ verified: 1, rejected: 0, afterPhotos: 0 });
    expect(next.timeline.at(-1)).toMatchObject({ action: 'evidence-verified', details: { takenAt: at(-2) } });
  });

  it('resolve needs a verified after photo where the district says so (Sandun: not required)', () => {
    const strict = indexDistrict(
      DistrictConfig.parse({ ...loadDistrict(sandunFile), evidence: { requireAfterPhotoToResolve: true } }),
    );
    const ctx = { district: strict, actor: MR, now: at(30) };
    const refused = (() => {
      try {
        runCommand(accepted(strict), { command: 'resolve', result: '已整改' }, ctx);
      } catch (error) {
        return error;
      }
    })();
    expect(refused).toBeInstanceOf(InvalidInputError);
    expect(refused).toMatchObject({ field: 'evidence', rule: 'after_photo_required' });
    const withPhoto = recordEvidence(accepted(strict), attachment(), judge({}, { takenAt: at(8) }), {
      now: at(12),
    });
    expect(runCommand(withPhoto, { command: 'resolve', result: '已整改' }, ctx).status).toBe('handled');
    expect(
      runCommand(accepted(), { command: 'resolve', result: '已整改' }, { ...ctx, district: sandun }).status,
    ).toBe('handled');
  });

  it('the district schema checks the evidence settings and fills the defaults', () => {
    const base = loadDistrict(sandunFile);
    expect(sandun.config.evidence).toEqual({
      maxDistanceMetres: 1000,
      futureToleranceMinutes: 10,
      requireAfterPhotoToResolve: false,
      uploadFormMinutes: 10,
      snapshotMaxAgeMinutes: 30,
    });
    const { evidence: _omitted, ...without } = base;
    expect(DistrictConfig.parse(without).evidence.requireAfterPhotoToResolve).toBe(false);
    const bad = DistrictConfig.safeParse({ ...base, evidence: { maxDistanceMetres: 10 } });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.path).toEqual(['evidence', 'maxDistanceMetres']);
  });
});
