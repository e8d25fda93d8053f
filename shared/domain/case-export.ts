import type { Actor, Case, CaseStatus, Source } from './case';
import { isOverdue } from './deadlines';
import type { DistrictIndex } from './district-index';
import { maskPhonesInText, maskReporter, maySeePersonalData } from './personal-data';

/**
 * A case as one row of an export (cases.csv / cases.xlsx): Chinese headers, names instead of codes,
 * district-local times, and the reporter's personal data masked unless this reader may see it
 * (the same rule as the API, shared/domain/personal-data.ts).
 */

export const STATUS_ZH: Record<CaseStatus, string> = {
  reported: '上报',
  registered: '立案',
  dispatched: '派遣',
  accepted: '签收',
  handled: '处置',
  verified: '核查',
  closed: '结案',
  cancelled: '作废',
  merged: '已合并',
};

export const SOURCE_ZH: Record<Source, string> = {
  hotline: '热线',
  patrol: '巡查',
  citizen: '市民',
  camera: '视频',
  department: '部门',
  open311: 'Open311',
};

export interface ExportColumn {
  header: string;
  width: number;
  value: (c: Case, ctx: RowContext) => string | number;
}

interface RowContext {
  district: DistrictIndex;
  reader: Actor;
  now: string;
  masked: boolean;
}

const timeFormats = new Map<string, Intl.DateTimeFormat>();
const localTime = (iso: string | undefined, timeZone: string): string => {
  if (!iso) return '';
  // Built once per zone: a formatter per call costs a millisecond, 50,000 rows × 5 columns of them.
  let format = timeFormats.get(timeZone);
  if (!format) {
    // sv-SE formats as YYYY-MM-DD HH:mm:ss, which spreadsheets read as a date and time.
    format = new Intl.DateTimeFormat('sv-SE', {
      timeZone,
      hour12: false,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    timeFormats.set(timeZone, format);
  }
  return format.format(new Date(iso));
};

export const EXPORT_COLUMNS: readonly ExportColumn[] = [
  { header: '案件编号', width: 30, value: (c) => c.id },
  { header: '状态', width: 8, value: (c) => STATUS_ZH[c.status] },
  { header: '来源', width: 8, value: (c) => SOURCE_ZH[c.source] },
  {
    header: '类别',
    width: 16,
    value: (c, x) => (c.category ? (x.district.category(c.category)?.name.zh ?? c.category) : '待分类'),
  },
  {
    header: '问题描述',
    width: 40,
    value: (c, x) => (x.masked ? maskPhonesInText(c.description) : c.description),
  },
  { header: '地址', width: 24, value: (c) => c.location.address ?? '' },
  { header: '网格区域', width: 12, value: (c) => c.zone?.name.zh ?? '' },
  {
    header: '责任部门',
    width: 14,
    value: (c, x) => {
      const id = c.assignee ?? c.lead;
      return id ? (x.district.department(id)?.name.zh ?? id) : '';
    },
  },
  { header: '上报时间', width: 20, value: (c, x) => localTime(c.reportedAt, x.district.config.timezone) },
  { header: '派遣时间', width: 20, value: (c, x) => localTime(c.dispatchedAt, x.district.config.timezone) },
  { header: '处置时间', width: 20, value: (c, x) => localTime(c.handledAt, x.district.config.timezone) },
  { header: '结案时间', width: 20, value: (c, x) => localTime(c.closedAt, x.district.config.timezone) },
  {
    header: '处置时限',
    width: 20,
    value: (c, x) => localTime(c.deadlines?.handleBy, x.district.config.timezone),
  },
  { header: '是否超期', width: 8, value: (c, x) => (isOverdue(c, x.now) ? '是' : '否') },
  { header: '退回次数', width: 8, value: (c) => c.counters.returns },
  { header: '改派次数', width: 8, value: (c) => c.counters.reassigns },
  { header: '返工次数', width: 8, value: (c) => c.counters.reworks },
  {
    header: '上报人',
    width: 10,
    value: (c, x) => {
      const name = c.reporter?.name;
      if (!name) return '';
      return x.masked ? (maskReporter({ name }).name ?? '') : name;
    },
  },
  {
    header: '联系电话',
    width: 14,
    value: (c, x) => {
      const phone = c.reporter?.phone;
      if (!phone) return '';
      return x.masked ? (maskReporter({ phone }).phone ?? '') : phone;
    },
  },
];

export const exportRow = (
  c: Case,
  district: DistrictIndex,
  reader: Actor,
  now: string,
): (string | number)[] => {
  const ctx: RowContext = { district, reader, now, masked: !maySeePersonalData(reader, c) };
  return EXPORT_COLUMNS.map((column) => column.value(c, ctx));
};

/**
 * One CSV field (RFC 4180). A text cell starting with = + - @ (or a tab/CR) is prefixed with ' so a
 * spreadsheet shows it instead of running it as a formula (CSV injection: the text comes from citizens).
 */
export const csvField = (value: string | number): string => {
  if (typeof value === 'number') return String(value);
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
};

export const csvLine = (values: (string | number)[]): string => `${values.map(csvField).join(',')}\r\n`;

/** Excel opens UTF-8 CSV as UTF-8 (Chinese intact) only with a byte order mark. */
export const CSV_BOM = '\uFEFF';

/** The key prefix of big exports in the exports bucket (expired after a day by its lifecycle rule). */
export const EXPORTS_PREFIX = 'exports/';
