import { PassThrough } from 'node:stream';
import type ExcelJS from 'exceljs';
import type { Actor, Case } from '../domain/case';
import { CSV_BOM, csvLine, EXPORT_COLUMNS, exportRow } from '../domain/case-export';
import type { DistrictIndex } from '../domain/district-index';
import { FIGURES, type FigureGroup, type FigureValue } from '../domain/evaluation';
import type { CaseListQuery, CaseStore, EvaluationAggregates, EvaluationScope } from '../ports';
import { evaluationReport, hotspotsReport } from './evaluation';

/**
 * exceljs is a quarter of the evaluation function's bundle and most of its cold start: loaded by the
 * XLSX exports that use it, not by every request the function serves (nor by every CSV export job).
 */
export const loadExcelJs = async (): Promise<typeof ExcelJS> => (await import('exceljs')).default;

/**
 * Exports for leaders and auditors: the case list as CSV and as a real spreadsheet, and the monthly
 * evaluation workbook. Answers go back in the HTTP reply while they are small; API Gateway takes at
 * most 10 MB and Lambda 6 MB (base64 of a binary reply: about 4.5 MB), so a bigger export is written
 * to the export store (S3) and answered with a short-lived download link.
 */

/** Rows answered in the reply itself: 5,000 rows are ~2 MB of CSV, well under Lambda's 6 MB. */
export const MAX_INLINE_ROWS = 5_000;
/** An export never holds more than this (a month of a busy district); narrow the filters beyond it. */
export const MAX_EXPORT_ROWS = 100_000;

export const CSV_TYPE = 'text/csv; charset=utf-8';
export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/**
 * The cases of a (scoped) list query, every page, up to `limit` rows (`truncated` when there were
 * more). With `until` (a performance.now() instant), reading stops there and says `outOfTime`.
 */
export const collectCases = async (
  store: CaseStore,
  query: Omit<CaseListQuery, 'limit' | 'cursor'>,
  limit: number,
  until = Number.POSITIVE_INFINITY,
): Promise<{ cases: Case[]; truncated: boolean; outOfTime?: boolean }> => {
  const cases: Case[] = [];
  let cursor: string | undefined;
  do {
    if (performance.now() > until) return { cases, truncated: true, outOfTime: true };
    // Pages as big as DynamoDB will answer (1 MB each, a few hundred cases): an export reads every
    // row anyway, so fewer round trips is all that page size changes.
    const page = await store.list({ ...query, limit: 1_000, ...(cursor && { cursor }) });
    cases.push(...page.items);
    cursor = page.cursor;
  } while (cursor && cases.length <= limit);
  return { cases: cases.slice(0, limit), truncated: cases.length > limit || cursor !== undefined };
};

export const casesCsv = (cases: Case[], district: DistrictIndex, reader: Actor, now: string): Buffer => {
  const lines = [CSV_BOM, csvLine(EXPORT_COLUMNS.map((c) => c.header))];
  for (const c of cases) lines.push(csvLine(exportRow(c, district, reader, now)));
  return Buffer.from(lines.join(''), 'utf8');
};

const headerStyle = (row: ExcelJS.Row) => {
  row.font = { bold: true };
  row.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFE8EEF7' } };
};

/**
 * 案件清单 as XLSX with the streaming writer: each row is committed as it comes instead of being held
 * as cell objects, about twice as fast and a fraction of the memory for a month's 50,000 rows. The
 * rows come in batches (one for an inline export, one per stored chunk for an export job).
 */
export const caseListXlsx = async (
  created: string,
  batches: Iterable<(string | number)[][]> | AsyncIterable<(string | number)[][]>,
): Promise<Buffer> => {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (chunk: Buffer) => chunks.push(chunk));
  const { stream } = await loadExcelJs();
  const workbook = new stream.xlsx.WorkbookWriter({
    stream: out,
    useStyles: true,
    useSharedStrings: false,
  });
  workbook.creator = 'xietong';
  workbook.created = new Date(created);
  const sheet = workbook.addWorksheet('案件清单', { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = EXPORT_COLUMNS.map((c) => ({ header: c.header, width: c.width }));
  const header = sheet.getRow(1);
  headerStyle(header);
  header.commit();
  for await (const rows of batches) for (const row of rows) sheet.addRow(row).commit();
  sheet.commit();
  await workbook.commit();
  return Buffer.concat(chunks);
};

export const casesXlsx = (
  cases: Case[],
  district: DistrictIndex,
  reader: Actor,
  now: string,
): Promise<Buffer> => caseListXlsx(now, [cases.map((c) => exportRow(c, district, reader, now))]);

const GROUP_SHEETS: Record<FigureGroup, string> = {
  volume: '案件数量',
  standard: '标准评价指标',
  coordination: '协同指标',
  satisfaction: '群众满意度',
};

const cellOf = (figure: FigureValue) => figure.value ?? '—';

/** The district's days of a month (YYYY-MM): from its first to its last day. */
export const monthDays = (month: string): { from: string; to: string } => {
  const [year, m] = month.split('-').map(Number) as [number, number];
  const last = new Date(Date.UTC(year, m, 0)).getUTCDate();
  return { from: `${month}-01`, to: `${month}-${String(last).padStart(2, '0')}` };
};

/**
 * 月度考评表: one sheet per figure group (volumes, the standard rates, the coordination figures, the
 * reporters' verdicts), a row per department and a total row, then the standard rates and the
 * verdicts per zone, and the hotspots. Rates are formatted as percentages, averages in minutes.
 */
export const evaluationWorkbook = async (
  deps: { aggregates: EvaluationAggregates; district: DistrictIndex },
  month: string,
  scope: EvaluationScope,
  now: string,
): Promise<Buffer> => {
  const { from, to } = monthDays(month);
  const [byDepartment, byZone, hotspots] = await Promise.all([
    evaluationReport(deps.aggregates, { from, to, groupBy: 'department', scope }),
    evaluationReport(deps.aggregates, { from, to, groupBy: 'zone', scope }),
    hotspotsReport(deps.aggregates, { from, to, scope, limit: 20 }),
  ]);
  const { Workbook } = await loadExcelJs();
  const workbook = new Workbook();
  workbook.creator = 'xietong';
  workbook.created = new Date(now);
  const departmentName = (id: string) =>
    deps.district.department(id)?.name.zh ?? (id === '-' ? '未分派' : id);
  const zoneName = (id: string) => deps.district.zone(id)?.name.zh ?? (id === '-' ? '未定位' : id);

  const addGroupSheet = (
    title: string,
    groups: readonly FigureGroup[],
    report: typeof byDepartment,
    label: string,
    nameOf: (id: string) => string,
  ) => {
    const figures = FIGURES.filter((f) => groups.includes(f.group));
    const sheet = workbook.addWorksheet(title, { views: [{ state: 'frozen', ySplit: 2, xSplit: 1 }] });
    sheet.addRow([`${deps.district.config.name.zh} ${month} ${title}`]);
    sheet.addRow([label, ...figures.map((f) => f.name.zh)]);
    headerStyle(sheet.getRow(2));
    const rowOf = (name: string, values: FigureValue[]) => {
      const byId = new Map(values.map((v) => [v.id, v]));
      return [name, ...figures.map((f) => cellOf(byId.get(f.id) ?? { id: f.id, numerator: 0, value: null }))];
    };
    for (const g of report.groups) sheet.addRow(rowOf(nameOf(g.key), g.figures));
    const total = sheet.addRow(rowOf('合计', report.total.figures));
    total.font = { bold: true };
    sheet.getColumn(1).width = 18;
    figures.forEach((f, i) => {
      const column = sheet.getColumn(i + 2);
      column.width = Math.max(12, f.name.zh.length * 2 + 2);
      if (f.kind === 'rate') column.numFmt = '0.0%';
      if (f.kind === 'average') column.numFmt = '0.0';
    });
    // The definitions under the table, so the sheet explains itself when printed.
    sheet.addRow([]);
    for (const f of figures) sheet.addRow([f.name.zh, f.rule.zh]);
  };

  for (const group of ['volume', 'standard', 'coordination', 'satisfaction'] as const) {
    addGroupSheet(GROUP_SHEETS[group], [group], byDepartment, '部门', departmentName);
  }
  addGroupSheet('按网格区域', ['standard', 'satisfaction'], byZone, '网格区域', zoneName);

  const hot = workbook.addWorksheet('热点');
  hot.addRow(['网格单元（geohash）', '上报数']);
  headerStyle(hot.getRow(1));
  for (const cell of hotspots.cells) hot.addRow([cell.id, cell.count]);
  hot.addRow([]);
  hot.addRow(['重复上报场所', '案件数']);
  headerStyle(hot.lastRow ?? hot.getRow(1));
  for (const premises of hotspots.repeatPremises) hot.addRow([premises.id, premises.count]);
  hot.getColumn(1).width = 30;
  return Buffer.from(await workbook.xlsx.writeBuffer());
};
