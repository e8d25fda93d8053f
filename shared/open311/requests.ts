import type { Case, CaseStatus } from '../domain/case';
import type { DistrictIndex } from '../domain/district-index';
import { maskPhonesInText } from '../domain/personal-data';
import type { XmlRecord } from './xml';

export type Open311Status = 'open' | 'closed';

/** Closed for the spec: finished or withdrawn. Everything else (a merged report: see its case) is open. */
export const CLOSED_STATUSES: readonly CaseStatus[] = ['closed', 'cancelled'];

export const open311StatusOf = (status: CaseStatus): Open311Status =>
  CLOSED_STATUSES.includes(status) ? 'closed' : 'open';

const STATUS_NOTES: Record<CaseStatus, [zh: string, en: string]> = {
  reported: ['已受理，等待分派', 'Received, being routed'],
  registered: ['已立案，等待派遣', 'Registered, waiting for dispatch'],
  dispatched: ['已派遣至责任部门', 'Dispatched to the responsible department'],
  accepted: ['责任部门已签收，正在处置', 'Accepted by the department, being handled'],
  handled: ['已处置，等待核查', 'Handled, waiting for verification'],
  verified: ['已核查，等待结案', 'Verified on site, waiting to be closed'],
  closed: ['已结案', 'Closed'],
  cancelled: ['已撤销', 'Cancelled'],
  merged: ['已并入同一事件', 'Merged into the case of the same event'],
};

/** The workflow status in words, Chinese then English; a merged report names the case it went into. */
export const statusNotesOf = (c: Case): string => {
  if (c.status === 'merged' && c.mergedInto) {
    return `已并入事件 ${c.mergedInto} / Merged into case ${c.mergedInto}`;
  }
  const [zh, en] = STATUS_NOTES[c.status];
  if (c.status === 'registered' && c.triage)
    return '已立案，等待分类 / Registered, waiting to be categorised';
  if (c.hold && !CLOSED_STATUSES.includes(c.status)) return `${zh}（挂起） / ${en} (on hold)`;
  return `${zh} / ${en}`;
};

/** Longest description a public reader sees; the full text stays with the case. */
export const PUBLIC_DESCRIPTION_CHARS = 500;

const publicText = (text: string, max: number): string => {
  const masked = maskPhonesInText(text);
  const characters = [...masked];
  return characters.length <= max ? masked : `${characters.slice(0, max - 1).join('')}…`;
};

/** `2026-11-30T01:00:00.000Z` → `2026-11-30T01:00:00Z`: the spec's w3 format. */
export const w3DateTime = (iso: string): string => new Date(iso).toISOString().replace(/\.\d{3}Z$/, 'Z');

/**
 * A case as the spec's public service request: no reporter, no submitter, no internal notes; the
 * description and address with phone numbers masked. The read endpoints need no key, so this is
 * what anyone on the internet sees.
 */
export const publicServiceRequest = (c: Case, district: DistrictIndex): XmlRecord => {
  const category = c.category ? district.category(c.category) : undefined;
  const agency = c.lead ?? c.assignee;
  const department = agency ? district.department(agency) : undefined;
  const closed = open311StatusOf(c.status) === 'closed';
  return {
    service_request_id: c.id,
    status: open311StatusOf(c.status),
    status_notes: statusNotesOf(c),
    service_name: category?.name.zh ?? null,
    service_code: c.category ?? null,
    description: publicText(c.description, PUBLIC_DESCRIPTION_CHARS),
    agency_responsible: department?.name.zh ?? null,
    service_notice:
      c.status === 'merged' && c.mergedInto
        ? `请关注事件 ${c.mergedInto} 的处理进度 / Follow case ${c.mergedInto} for progress`
        : null,
    requested_datetime: w3DateTime(c.reportedAt),
    updated_datetime: w3DateTime(closed && c.closedAt ? c.closedAt : c.updatedAt),
    expected_datetime: c.deadlines && !closed ? w3DateTime(c.deadlines.handleBy) : null,
    address: c.location.address === undefined ? null : publicText(c.location.address, 200),
    address_id: null,
    zipcode: null,
    lat: c.location.lat,
    long: c.location.lng,
    media_url: null,
  };
};
