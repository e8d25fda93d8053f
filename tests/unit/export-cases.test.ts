import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadDistrict } from '../../shared/district/load';
import type { Actor, Case } from '../../shared/domain/case';
import { indexDistrict } from '../../shared/domain/district-index';
import { ExportTooLargeError, ForbiddenActionError } from '../../shared/domain/errors';
import { newReportedCase } from '../../shared/domain/report';
import { toProblem } from '../../shared/http/problem';
import type { CaseListQuery, CaseStore, ExportStore } from '../../shared/ports';
import { type CaseExportDeps, exportCases } from '../../shared/usecases/export-cases';
import { CSV_TYPE, MAX_EXPORT_ROWS } from '../../shared/usecases/exports';

const district = indexDistrict(
  loadDistrict(fileURLToPath(new URL('../../districts/sandun.json', import.meta.url))),
);
const NOW = '2026-11-30T02:00:00.000Z';
const CENTRE: Actor = { subject: 'cc-1', role: 'command_centre', department: 'command-centre' };
const WORKER: Actor = { subject: 'fw-1', role: 'field_worker', department: 'market-regulation' };

const idOf = (n: number) => `C01HZXTESTCASE${String(n).padStart(12, '0')}`;

const reported = (n: number): Case =>
  newReportedCase(
    {
      source: 'hotline',
      category: 'event.household-workshop',
      description: '出租房内有人加工服装，堆满布料',
      location: { lat: 30.28525, lng: 120.0688, crs: 'wgs84', address: '紫金港路 88 号' },
    },
    { id: idOf(n), district, actor: CENTRE, now: NOW },
  );

/** `count` cases, paged as the store pages them (a cursor is the next offset). */
const storeOf = (count: number): CaseStore => {
  const one = reported(0);
  return {
    list: async (query: CaseListQuery) => {
      const from = Number(query.cursor ?? 0);
      const to = Math.min(from + (query.limit ?? 100), count);
      return {
        items: Array.from({ length: to - from }, (_, i) => ({ ...one, id: idOf(from + i) })),
        ...(to < count && { cursor: String(to) }),
      };
    },
  } as unknown as CaseStore;
};

/** An export store that remembers what was put. */
const exportStore = () => {
  const put: { key: string; contentType: string }[] = [];
  const store: ExportStore = {
    put: async (key, _body, contentType) => {
      put.push({ key, contentType });
      return { url: `https://exports.example/${key}`, expiresAt: '2026-11-30T02:05:00.000Z' };
    },
  };
  return { store, put };
};

const deps = (count: number, overrides: Partial<CaseExportDeps> = {}): CaseExportDeps => ({
  store: storeOf(count),
  district,
  clock: { now: () => NOW },
  maxInlineRows: 3,
  ...overrides,
});

describe('exportCases: inline or a link', () => {
  it('answers an export that fits the reply inline, as a named file', async () => {
    // Act
    const result = await exportCases(deps(3), { actor: CENTRE, filters: {}, format: 'csv' });

    // Assess
    expect(result.delivery).toBe('inline');
    if (result.delivery !== 'inline') return;
    expect(result.file).toMatchObject({ contentType: CSV_TYPE, filename: 'cases-2026-11-30.csv' });
    expect(result.file.body.toString('utf8').trim().split('\r\n')).toHaveLength(4);
  });

  it('stores a bigger one and answers its rows and a link under exports/<day>/', async () => {
    // Prepare
    const exports = exportStore();

    // Act
    const result = await exportCases(deps(4, { exports: exports.store }), {
      actor: CENTRE,
      filters: {},
      format: 'csv',
    });

    // Assess
    expect(result).toMatchObject({ delivery: 'link', rows: 4 });
    expect(exports.put).toEqual([
      {
        key: expect.stringMatching(/^exports\/2026-11-30\/[0-9a-f-]{36}\/cases-2026-11-30\.csv$/),
        contentType: CSV_TYPE,
      },
    ]);
  });

  it('refuses a bigger one without an export store (max_rows), and one beyond any export’s size', async () => {
    // Act
    const noStore = exportCases(deps(4), { actor: CENTRE, filters: {}, format: 'csv' });
    const huge = exportCases(deps(MAX_EXPORT_ROWS + 1, { exports: exportStore().store }), {
      actor: CENTRE,
      filters: {},
      format: 'csv',
    });

    // Assess
    await expect(noStore).rejects.toMatchObject({
      rule: 'max_rows',
      message:
        '4 rows is more than 3 in one reply: POST /v1/exports builds it as a job, or narrow the filters (status, department, zone)',
    });
    await expect(huge).rejects.toMatchObject({
      rule: 'max_rows',
      message: `more than ${MAX_EXPORT_ROWS} rows in one request: POST /v1/exports builds it as a job, or narrow the filters`,
    });
  });

  it('refuses when reading would outlast the API (read_time), and a role without the export grant', async () => {
    // Act
    const slow = exportCases(deps(3, { exportReadBudgetMs: -1 }), {
      actor: CENTRE,
      filters: {},
      format: 'csv',
    });
    const worker = exportCases(deps(3), { actor: WORKER, filters: {}, format: 'csv' });

    // Assess
    await expect(slow).rejects.toMatchObject({ rule: 'read_time' });
    await expect(worker).rejects.toThrow(ForbiddenActionError);
  });

  it('is the same 413 problem the handler answered before the use case was shared', () => {
    // Act
    const problem = toProblem(new ExportTooLargeError('max_rows', '4 rows is more than 3 in one reply'));

    // Assess
    expect(problem).toEqual({
      type: 'urn:xietong:problem:export-too-large',
      title: 'Export too large',
      status: 413,
      detail: 'query: 4 rows is more than 3 in one reply',
      errors: [{ field: 'query', rule: 'max_rows', message: '4 rows is more than 3 in one reply' }],
    });
  });
});
