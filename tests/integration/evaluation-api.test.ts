import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EvaluationDeps, makeHandler } from '../../functions/evaluation/app';
import { type LocalS3Server, startS3rver } from '../../infra/local/s3';
import { DynamoCaseStore } from '../../shared/adapters/aws/dynamodb-case-store';
import { DynamoEvaluationAggregates } from '../../shared/adapters/aws/dynamodb-evaluation-aggregates';
import { S3ExportStore } from '../../shared/adapters/aws/s3-export-store';
import { type Actor, type Case, SYSTEM_ROUTER } from '../../shared/domain/case';
import { EXPORT_COLUMNS } from '../../shared/domain/case-export';
import { newReportedCase } from '../../shared/domain/report';
import { routeReport } from '../../shared/domain/routing';
import { type CommandInput, registerReport, runCommand } from '../../shared/domain/workflow';
import { apiEvent, lambdaContext } from '../support/api-event';
import { feedCaseChanges } from '../support/case-changes';
import { claimsFor, distinctPointsIn, sandun, TEST_ISSUER, testClock } from '../support/cases-harness';
import { type Emulators, startEmulators } from '../support/emulators';
import { asFunction } from '../support/iam';

const CENTRE: Actor = { subject: 'cc-1', role: 'command_centre', department: 'command-centre' };
const CITIZEN: Actor = { subject: 'citizen-7', role: 'reporter' };
const MR = 'market-regulation';
const TP = 'traffic-police';
const staff = (department: string): Actor => ({
  subject: `s-${department}`,
  role: 'department_staff',
  department,
});
const zoneOf = (id: string) => {
  const zone = sandun.config.zones.find((z) => z.id === id);
  if (!zone) throw new Error(id);
  return zone;
};

let emulators: Emulators;
let handler: ReturnType<typeof makeHandler>;
let deps: EvaluationDeps;
const clock = testClock('2026-11-30T06:00:00.000Z');
const stored: Case[] = [];

/** Shanghai 2026-11-02 (Monday) 09:00 = 01:00 UTC. */
const at = (minutes: number) =>
  new Date(Date.parse('2026-11-02T01:00:00.000Z') + minutes * 60_000).toISOString();

beforeAll(async () => {
  emulators = await startEmulators();
  const aggregates = new DynamoEvaluationAggregates({
    client: emulators.documents,
    tableName: emulators.tableName,
    district: sandun.config,
  });
  // Every write returns once the change stream's aggregator has it.
  const store = feedCaseChanges(emulators, aggregates).caughtUp(
    new DynamoCaseStore({ client: emulators.documents, tableName: emulators.tableName }),
  );
  const identity = { issuer: TEST_ISSUER, claims: { role: 'role', department: 'department', zone: 'zone' } };
  deps = { store, aggregates, district: sandun, clock, identity };
  handler = asFunction('evaluation', makeHandler(deps));

  // Four cases: two household workshops in zhenhua (one closed on time after a rework, one returned
  // then cancelled), an illegal parking in gudun handled late, and a duplicate merged into the first.
  const points = { zhenhua: distinctPointsIn(zoneOf('zhenhua')), gudun: distinctPointsIn(zoneOf('gudun')) };
  const make = async (
    id: string,
    zone: 'zhenhua' | 'gudun',
    category: string,
    steps: [number, Actor, CommandInput][],
  ): Promise<Case> => {
    let c = newReportedCase(
      {
        source: 'hotline',
        category,
        description: `${id} 回电13812341234`,
        location: { ...points[zone](), crs: 'wgs84', address: '振华路 8 号' },
        reporter: { name: '王秀英', phone: '13812341234' },
      },
      { id, district: sandun, actor: CITIZEN, now: at(0) },
    );
    await store.create(c, { requestHash: id });
    let previous = c.version;
    c = registerReport(c, routeReport(sandun, c), { actor: SYSTEM_ROUTER, now: at(1) });
    await store.save({ case: c }, previous);
    for (const [minutes, actor, input] of steps) {
      previous = c.version;
      c = runCommand(c, input, { district: sandun, actor, now: at(minutes) });
      await store.save({ case: c }, previous);
    }
    return c;
  };
  stored.push(
    await make('C-EVAL-1', 'zhenhua', 'event.household-workshop', [
      [2, CENTRE, { command: 'dispatch' }],
      [10, staff(MR), { command: 'accept' }],
      [60, staff(MR), { command: 'resolve', result: '已取缔' }],
      [70, CENTRE, { command: 'verify', passed: false, note: '仍在生产' }],
      [120, staff(MR), { command: 'resolve', result: '设备查封' }],
      [130, CENTRE, { command: 'verify', passed: true }],
      [140, CENTRE, { command: 'close' }],
    ]),
    await make('C-EVAL-2', 'zhenhua', 'event.household-workshop', [
      [2, CENTRE, { command: 'dispatch' }],
      [20, staff(MR), { command: 'return', reason: '不属于本部门' }],
      [40, CENTRE, { command: 'cancel', reason: '重复来电' }],
    ]),
    await make('C-EVAL-3', 'gudun', 'event.illegal-parking', [
      [90, CENTRE, { command: 'dispatch' }],
      [100, staff(TP), { command: 'accept' }],
      [400, staff(TP), { command: 'resolve', result: '已拖离' }],
    ]),
  );
}, 60_000);

afterAll(async () => {
  await emulators?.stop();
});

/** One request to the evaluation function (`fn`: one built with other deps for a test). */
const call = async (
  routeKey: string,
  query: Record<string, string>,
  claims: Record<string, string>,
  fn: ReturnType<typeof makeHandler> = handler,
) => {
  const result = await fn(apiEvent({ routeKey, query, claims }) as never, lambdaContext() as never);
  return result as {
    statusCode: number;
    headers: Record<string, string>;
    body: string;
    isBase64Encoded?: boolean;
  };
};

const figure = (body: { total: { figures: { id: string; value: number | null }[] } }, id: string) =>
  body.total.figures.find((f) => f.id === id)?.value;

const NOVEMBER = { from: '2026-11-01', to: '2026-11-30' };

describe('GET /v1/metrics', () => {
  it('gives the command centre the whole district, matching the hand-computed figures', async () => {
    const reply = await call('GET /v1/metrics', NOVEMBER, claimsFor.commandCentre());
    expect(reply.statusCode).toBe(200);
    const body = JSON.parse(reply.body);
    expect(body.total.counters).toMatchObject({ reported: 3, cancelled: 1, returns: 1, closed: 1 });
    // Case 1: dispatched 1 minute after registration; case 3: 89 minutes after (late).
    expect(figure(body, 'onTimeDispatchRate')).toBe(0.5);
    // Case 1 handled 118 minutes after dispatch (on time), case 3 after 310 (deadline 240): late.
    expect(figure(body, 'onTimeHandlingRate')).toBe(0.5);
    expect(figure(body, 'averageHandlingMinutes')).toBe(214);
    // Both are due in November; only case 1 closed on time.
    expect(figure(body, 'onTimeClosureRate')).toBe(0.5);
    expect(figure(body, 'reworkRate')).toBe(0.5);
    expect(figure(body, 'returns')).toBe(1);
    // It read aggregate buckets, a handful, not cases.
    expect(body.itemsRead).toBeLessThan(20);
  });

  it('groups by department and narrows area chiefs to their zone and staff to their department', async () => {
    const grouped = JSON.parse(
      (await call('GET /v1/metrics', { ...NOVEMBER, groupBy: 'department' }, claimsFor.commandCentre())).body,
    );
    expect(grouped.groups.map((g: { key: string }) => g.key)).toEqual([MR, TP]);

    const chief = JSON.parse((await call('GET /v1/metrics', NOVEMBER, claimsFor.areaChief('gudun'))).body);
    expect(chief.total.counters).toMatchObject({ reported: 1, handled: 1 });
    expect(chief.total.counters.returns).toBeUndefined();

    const mr = JSON.parse((await call('GET /v1/metrics', NOVEMBER, claimsFor.staff(MR))).body);
    expect(mr.total.counters).toMatchObject({ reported: 2, returns: 1, reworks: 1 });
  });

  it('refuses roles without the grant and names the bad field', async () => {
    expect((await call('GET /v1/metrics', NOVEMBER, claimsFor.fieldWorker(MR))).statusCode).toBe(403);
    expect((await call('GET /v1/metrics', NOVEMBER, claimsFor.reporter())).statusCode).toBe(403);
    const bad = await call(
      'GET /v1/metrics',
      { from: '2026-11-31', to: '2026-11-01' },
      claimsFor.commandCentre(),
    );
    expect(bad.statusCode).toBe(400);
    expect(JSON.parse(bad.body).errors[0].field).toContain('from');
    const backwards = await call(
      'GET /v1/metrics',
      { from: '2026-11-30', to: '2026-11-01' },
      claimsFor.commandCentre(),
    );
    expect(JSON.parse(backwards.body).errors[0].field).toContain('to');
  });

  it('lists hotspots: the cells with the most reports', async () => {
    const reply = JSON.parse(
      (await call('GET /v1/metrics/hotspots', NOVEMBER, claimsFor.commandCentre())).body,
    );
    expect(reply.cells.reduce((sum: number, c: { count: number }) => sum + c.count, 0)).toBe(3);
    expect(reply.cells[0].id).toMatch(/^[0-9a-z]{7}$/);
  });
});

const openXlsx = async (base64: string) => {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(Buffer.from(base64, 'base64') as never);
  return workbook;
};

describe('exports', () => {
  it('cases.xlsx opens with Chinese headers, one row per case, personal data masked for an area chief', async () => {
    const reply = await call('GET /v1/exports/cases.xlsx', {}, claimsFor.areaChief('zhenhua'));
    expect(reply.statusCode).toBe(200);
    expect(reply.isBase64Encoded).toBe(true);
    expect(reply.headers['content-type']).toContain('spreadsheetml');
    const sheet = (await openXlsx(reply.body)).getWorksheet('案件清单');
    if (!sheet) throw new Error('no sheet');
    const header = (sheet.getRow(1).values as unknown[]).slice(1);
    expect(header).toEqual(EXPORT_COLUMNS.map((c) => c.header));
    expect(header.slice(0, 4)).toEqual(['案件编号', '状态', '来源', '类别']);
    expect(sheet.rowCount).toBe(3); // the zone's two cases
    const col = (name: string) => EXPORT_COLUMNS.findIndex((c) => c.header === name) + 1;
    const row =
      sheet.getRow(2).getCell(col('案件编号')).value === 'C-EVAL-2' ? sheet.getRow(2) : sheet.getRow(3);
    expect(row.getCell(col('案件编号')).value).toBe('C-EVAL-2');
    expect(row.getCell(col('状态')).value).toBe('作废');
    expect(row.getCell(col('来源')).value).toBe('热线');
    expect(row.getCell(col('类别')).value).toBe(sandun.category('event.household-workshop')?.name.zh);
    expect(row.getCell(col('网格区域')).value).toBe(zoneOf('zhenhua').name.zh);
    expect(row.getCell(col('上报人')).value).toBe('王**');
    expect(row.getCell(col('联系电话')).value).toBe('138****1234');
    expect(row.getCell(col('问题描述')).value).toBe('C-EVAL-2 回电138****1234');
    expect(row.getCell(col('退回次数')).value).toBe(1);
    expect(row.getCell(col('上报时间')).value).toBe('2026-11-02 09:00:00');
  });

  it('cases.csv: UTF-8 with BOM; the command centre sees personal data; staff only their department', async () => {
    const reply = await call('GET /v1/exports/cases.csv', { status: 'closed' }, claimsFor.commandCentre());
    const text = Buffer.from(reply.body, 'base64').toString('utf8');
    expect(text.startsWith('\uFEFF案件编号,状态,来源,类别,')).toBe(true);
    const lines = text.trim().split('\r\n');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain('王秀英');
    expect(lines[1]).toContain('13812341234');

    const tp = await call('GET /v1/exports/cases.csv', {}, claimsFor.staff(TP));
    const tpLines = Buffer.from(tp.body, 'base64').toString('utf8').trim().split('\r\n');
    expect(tpLines).toHaveLength(2);
    expect(tpLines[1]?.startsWith('C-EVAL-3,')).toBe(true);
    // Assigned to traffic police: they may see the reporter.
    expect(tpLines[1]).toContain('王秀英');

    expect(
      (await call('GET /v1/exports/cases.csv', { zone: 'gudun' }, claimsFor.areaChief('zhenhua'))).statusCode,
    ).toBe(403);
    expect((await call('GET /v1/exports/cases.csv', {}, claimsFor.fieldWorker(MR))).statusCode).toBe(403);
  });

  describe('an export bigger than one reply', () => {
    // The inline limit (5,000 rows) is lowered to 2 so the four fixture cases are "big".
    let s3: LocalS3Server;
    let directory: string;
    beforeAll(async () => {
      directory = mkdtempSync(join(tmpdir(), 'xietong-exports-'));
      s3 = await startS3rver({
        directory,
        bucket: 'xietong-test-exports',
        credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      });
    });
    afterAll(async () => {
      await s3?.stop();
      rmSync(directory, { recursive: true, force: true });
    });

    it('goes to the exports bucket and answers a download link that expires', async () => {
      const client = new S3Client({
        endpoint: s3.endpoint,
        forcePathStyle: true,
        region: 'us-east-1',
        credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      });
      emulators.iam.guard.extend(client);
      emulators.iam.name({ exportsBucket: s3.bucket });
      const exports = new S3ExportStore({ client, bucket: s3.bucket, linkSeconds: 300 });
      const big = asFunction('evaluation', makeHandler({ ...deps, exports, maxInlineRows: 2 }));
      const result = await call('GET /v1/exports/cases.csv', {}, claimsFor.commandCentre(), big);
      expect(result.statusCode).toBe(200);
      const link = JSON.parse(result.body) as { rows: number; url: string; expiresAt: string };
      expect(link.rows).toBe(stored.length);
      expect(new URL(link.url).pathname).toMatch(
        /^\/xietong-test-exports\/exports\/2026-11-30\/[0-9a-f-]{36}\/cases-2026-11-30\.csv$/,
      );
      expect(new URL(link.url).searchParams.get('X-Amz-Expires')).toBe('300');
      expect(Date.parse(link.expiresAt) - Date.now()).toBeGreaterThan(250_000);
      const download = await fetch(link.url);
      expect(download.status).toBe(200);
      const lines = (await download.text()).trim().split('\r\n');
      expect(lines[0]?.replace(/^\uFEFF/, '').startsWith('案件编号,状态,来源,类别,')).toBe(true);
      expect(lines).toHaveLength(stored.length + 1);
      client.destroy();
    });

    it('is refused with 413 naming the read time when reading would outlast the API', async () => {
      const slow = asFunction('evaluation', makeHandler({ ...deps, exportReadBudgetMs: -1 }));
      const result = await call('GET /v1/exports/cases.csv', {}, claimsFor.commandCentre(), slow);
      expect(result.statusCode).toBe(413);
      expect(JSON.parse(result.body)).toMatchObject({
        status: 413,
        errors: [{ field: 'query', rule: 'read_time' }],
      });
    });

    it('is refused with 413 naming the limit when no exports bucket is configured', async () => {
      const small = asFunction('evaluation', makeHandler({ ...deps, maxInlineRows: 2 }));
      const result = await call('GET /v1/exports/cases.csv', {}, claimsFor.commandCentre(), small);
      expect(result.statusCode).toBe(413);
      expect(JSON.parse(result.body)).toMatchObject({
        status: 413,
        errors: [{ field: 'query', rule: 'max_rows' }],
      });
    });
  });

  it('evaluation.xlsx: one sheet per figure group, a row per department and a total', async () => {
    const reply = await call(
      'GET /v1/exports/evaluation.xlsx',
      { month: '2026-11' },
      claimsFor.commandCentre(),
    );
    expect(reply.statusCode).toBe(200);
    const workbook = await openXlsx(reply.body);
    expect(workbook.worksheets.map((s) => s.name)).toEqual([
      '案件数量',
      '标准评价指标',
      '协同指标',
      '群众满意度',
      '按网格区域',
      '热点',
    ]);
    const standard = workbook.getWorksheet('标准评价指标');
    if (!standard) throw new Error('no sheet');
    expect((standard.getRow(2).values as unknown[]).slice(1, 4)).toEqual([
      '部门',
      '按时派遣率',
      '按时处置率',
    ]);
    const rows = [3, 4, 5].map((n) => (standard.getRow(n).values as unknown[]).slice(1));
    expect(rows.map((r) => r[0])).toEqual([
      sandun.department(MR)?.name.zh,
      sandun.department(TP)?.name.zh,
      '合计',
    ]);
    // The reporters' verdicts have a sheet of their own: 满意率 and 回访率 by department.
    const verdicts = workbook.getWorksheet('群众满意度');
    if (!verdicts) throw new Error('no 群众满意度 sheet');
    expect((verdicts.getRow(2).values as unknown[]).slice(1)).toEqual(['部门', '满意率', '回访率']);
    // 按期结案率 of the total row: 1 of 2.
    const closureColumn = (standard.getRow(2).values as unknown[]).indexOf('按期结案率');
    expect(standard.getRow(5).getCell(closureColumn).value).toBe(0.5);
    expect(standard.getColumn(closureColumn).numFmt).toBe('0.0%');
    expect(
      (await call('GET /v1/exports/evaluation.xlsx', { month: '2026-13' }, claimsFor.commandCentre()))
        .statusCode,
    ).toBe(400);
  });
});
