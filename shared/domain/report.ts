import type { Priority } from '../district/schema';
import type { CameraAlertFacts } from './camera-alert';
import type { Actor, Case, CaseLocation, ExternalRef, Reporter, Source } from './case';
import type { DistrictIndex } from './district-index';
import { InvalidInputError } from './errors';
import { gcj02ToWgs84 } from './geo';
import { premisesIdOf } from './premises';
import { isWithinDistrict } from './routing';
import { appendToTimeline } from './timeline';

/** A report as it arrives, already schema-validated. */
export interface ReportInput {
  source: Source;
  category?: string;
  description: string;
  location: { lat: number; lng: number; crs: 'wgs84' | 'gcj02'; address?: string };
  occurredAt?: string;
  reporter?: Reporter;
  externalRef?: ExternalRef;
  /** A premises id from a department's own register (e.g. a licence number), when it has one. */
  premisesId?: string;
  /** A camera alert's facts (set by the alerts intake, never by a client's report body). */
  camera?: CameraAlertFacts;
}

export interface NewCaseContext {
  id: string;
  district: DistrictIndex;
  actor: Actor;
  now: string;
  correlationId?: string;
}

/**
 * Checks what the schema can't (known category, inside the district, not in the future) and
 * creates the case in `reported`, with its first timeline entry.
 */
export const newReportedCase = (input: ReportInput, ctx: NewCaseContext): Case => {
  const category = input.category === undefined ? undefined : ctx.district.category(input.category);
  if (input.category !== undefined && !category) {
    throw new InvalidInputError(
      'category',
      'unknown_category',
      `no category "${input.category}" in this district`,
    );
  }
  const point =
    input.location.crs === 'gcj02'
      ? gcj02ToWgs84(input.location)
      : { lat: input.location.lat, lng: input.location.lng };
  if (!isWithinDistrict(ctx.district, point)) {
    throw new InvalidInputError(
      'location',
      'outside_district',
      `(${input.location.lat}, ${input.location.lng}) is more than ${ctx.district.config.maxDistanceFromZonesKm} km from every zone of ${ctx.district.config.name.en}`,
    );
  }
  const occurredAt = input.occurredAt === undefined ? undefined : new Date(input.occurredAt).toISOString();
  // A device clock a little fast is normal; a report from tomorrow is a bug.
  if (occurredAt && Date.parse(occurredAt) > Date.parse(ctx.now) + 10 * 60_000) {
    throw new InvalidInputError('occurredAt', 'not_in_future', 'occurredAt lies in the future');
  }
  const location: CaseLocation = {
    lat: point.lat,
    lng: point.lng,
    crs: 'wgs84',
    ...(input.location.address !== undefined && { address: input.location.address }),
    reported: { lat: input.location.lat, lng: input.location.lng, crs: input.location.crs },
  };
  const priority: Priority = category?.priority ?? 'normal';
  return {
    id: ctx.id,
    district: ctx.district.config.id,
    status: 'reported',
    version: 1,
    source: input.source,
    ...(category && { category: category.code }),
    priority,
    description: input.description,
    location,
    ...(occurredAt && { occurredAt }),
    reportedAt: ctx.now,
    updatedAt: ctx.now,
    ...(input.reporter && { reporter: input.reporter }),
    submittedBy: ctx.actor,
    ...(input.externalRef && { externalRef: input.externalRef }),
    ...(input.camera && { camera: input.camera }),
    triage: !category,
    cooperating: [],
    linkedReports: [],
    premisesId: premisesIdOf({ ...input, location: { ...input.location, ...point } }),
    counters: { returns: 0, reassigns: 0, reworks: 0, reopens: 0 },
    timeline: appendToTimeline([], {
      at: ctx.now,
      action: 'reported',
      actor: ctx.actor,
      to: 'reported',
      details: { source: input.source, ...(category && { category: category.code }) },
      ...(ctx.correlationId !== undefined && { correlationId: ctx.correlationId }),
    }),
  };
};
