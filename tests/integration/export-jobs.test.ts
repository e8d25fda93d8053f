import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { DeleteMessageCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSRecord } from 'aws-lambda';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { makeHandler as makeApi } from '../../functions/export-jobs/app';
import { makeHandler as makeWorker } from '../../functions/export-worker/app';
import { toSqsRecord } from '../../infra/local/poller';
import { type LocalS3Server, startS3rver } from '../../infra/local/s3';
import { createIntakeQueues, type LocalQueues } from '../../infra/local/sqs';
import { MAX_RECEIVE_COUNT } from '../../infra/stack/queues';
import { DynamoCaseStore } from '../../shared/adapters/aws/dynamodb-case-store';
import { DynamoEvaluationAggregates } from '../../shared/adapters/aws/dynamodb-evaluation-aggregates';
import { DynamoExportJobStore } from '../../shared/adapters/aws/dynamodb-export-job-store';
import { S3ExportFiles } from '../../shared/adapters/aws/s3-export-files';
import { S3UrlSigner } from '../../shared/adapters/aws/s3-url-signer';
import { SqsExportJobQueue } from '../../shared/adapters/aws/sqs-export-job-queue';
import { SqsMessageVisibility } from '../../shared/adapters/aws/sqs-message-visibility';
import { type Actor, SYSTEM_ROUTER } from '../../shared/domain/case';
import { EXPORT_COLUMNS } from '../../shared/domain/case-export';
import { EXPORT_MAX_DELIVERIES, jobPrefix } from '../../shared/domain/export-job';
import { newReportedCase } from '../../shared/domain/report';
import { routeReport } from '../../shared/domain/routing';
import { registerReport, runCommand } from '../../shared/domain/workflow';
import type { ExportFiles } from '../../shared/ports';
import { apiEvent, lambdaContext } from '../support/api-event';
import { feedCaseChanges } from '../support/case-changes';
import { claimsFor, distinctPointsIn, sandun, TEST_ISSUER, testClock } from '../support/cases-harness';
import { type Emulators, startEmulators } from '../support/emulators';

/**
 * Export jobs against the emulators: the API function and the export worker wired to dynalite,
 * fauxqs and s3rver with the real adapters. The test plays the event source mapping itself
 * (receive, invoke, delete what succeeded) so it can redeliver a message on purpose.
 */

const CENTRE: Actor = { subject: 'cc-1', role: 'command_centre', department: 'command-centre' };
const CITIZEN: Actor = { subject: 'citizen-7', role: 'reporter' };
const zoneOf = (id: string) => {
  const zone = sandun.config.zones.find((z) => z.id === id);
  if (!zone) throw new Error(id);
  return zone;
};

const ZHENHUA_CASES = 5;
const GUDUN_CASES = 2;

let emulators: Emulators;
let s3: LocalS3Server;
let s3Client: S3Client;
let directory: string;
let queues: LocalQueues;
let jobs: DynamoExportJobStore;
let files: S3ExportFiles;
const clock = testClock('2026-11-30T06:00:00.000Z');

type Api = ReturnType<typeof makeApi>;
type Worker = ReturnType<typeof makeWorker>;
let api: Api;
let deps: Parameters<typeof makeWorker>[0];
let worker: Worker;

beforeAll(async () => {
  emulators = await startEmulators();
  directory = mkdtempSync(join(tmpdir(), 'xietong-export-jobs-'));
  const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
  s3 = await startS3rver({ directory, bucket: 'xietong-test-exports', credentials });
  s3Client = new S3Client({ endpoint: s3.endpoint, forcePathStyle: true, region: 'us-east-1', credentials });
  queues = await createIntakeQueues(emulators.sqs, emulators.queues.endpoint, {
    intake: 'xietong-test-export-jobs',
    deadLetter: 'xietong-test-export-jobs-dlq',
    visibilityTimeoutSeconds: 30,
    maxReceiveCount: EXPORT_MAX_DELIVERIES,
    fifo: false,
  });
  const aggregates = new DynamoEvaluationAggregates({
    client: emulators.documents,
    tableName: emulators.tableName,
    district: sandun.config,
  });
  // Every write returns once the change stream's aggregator has it.
  const store = feedCaseChanges(emulators, aggregates).caughtUp(
    new DynamoCaseStore({ client: emulators.documents, tableName: emulators.tableName }),
  );
  jobs = new DynamoExportJobStore({ client: emulators.documents, tableName: emulators.tableName });
  const signer = new S3UrlSigner({
    region: async () => 'us-east-1',
    credentials: async () => credentials,
    endpoint: s3.endpoint,
  });
  files = new S3ExportFiles({ client: s3Client, signer, bucket: s3.bucket });
  const queue = new SqsExportJobQueue({ client: emulators.sqs, queueUrl: queues.intakeQueueUrl });
  const identity = { issuer: TEST_ISSUER, claims: { role: 'role', department: 'department', zone: 'zone' } };
  api = makeApi({ jobs, queue, files, clock, district: sandun, identity });
  deps = {
    jobs,
    queue,
    files,
    store,
    aggregates,
    district: sandun,
    clock,
    visibility: new SqsMessageVisibility({ client: emulators.sqs, queueUrl: queues.intakeQueueUrl }),
    // Two rows a chunk: a job of seven cases takes four reading steps.
    chunkRows: 2,
    pageRows: 2,
  };
  worker = makeWorker(deps);

  // Seven registered cases (five in zhenhua, two in gudun), each reported by a citizen who left a
  // name and a phone number, the first of zhenhua dispatched and closed.
  for (const [zone, count] of [
    ['zhenhua', ZHENHUA_CASES],
    ['gudun', GUDUN_CASES],
  ] as const) {
    const points = distinctPointsIn(zoneOf(zone));
    for (let i = 0; i < count; i++) {
      let c = newReportedCase(
        {
          source: 'hotline',
          category: 'event.household-workshop',
          description: `${zone} ${i} 回电13812341234`,
          location: { ...points(), crs: 'wgs84', address: '振华路 8 号' },
          reporter: { name: '王秀英', phone: '13812341234' },
        },
        { id: `C-EXPORT-${zone}-${i}`, district: sandun, actor: CITIZEN, now: clock.now() },
      );
      await store.create(c, { requestHash: c.id });
      let previous = c.version;
      c = registerReport(c, routeReport(sandun, c), { actor: SYSTEM_ROUTER, now: clock.now() });
      await store.save({ case: c }, previous);
      if (zone === 'zhenhua' && i === 0) {
        for (const input of [{ command: 'dispatch' as const }]) {
          previous = c.version;
          c = runCommand(c, input, { district: sandun, actor: CENTRE, now: clock.now() });
          await store.save({ case: c }, previous);
        }
      }
    }
  }
}, 60_000);

afterAll(async () => {
  s3Client?.destroy();
  await s3?.stop();
  await emulators?.stop();
  if (directory) rmSync(directory, { recursive: true, force: true });
});

beforeEach(async () => {
  // Whatever a test left in the queue is not the next test's business.
  for (;;) {
    const { Messages } = await emulators.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queues.intakeQueueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 0,
      }),
    );
    if (!Messages?.length) break;
    for (const m of Messages) {
      await emulators.sqs.send(
        new DeleteMessageCommand({ QueueUrl: queues.intakeQueueUrl, ReceiptHandle: m.ReceiptHandle }),
      );
    }
  }
});

interface Reply {
  status: number;
  headers: Record<string, string>;
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON replies
  body: any;
}

const call = async (
  routeKey: string,
  claims: Record<string, string>,
  options: { body?: unknown; id?: string; headers?: Record<string, string> } = {},
): Promise<Reply> => {
  const result = (await api(
    apiEvent({
      routeKey,
      claims,
      ...(options.body !== undefined && { body: options.body }),
      ...(options.headers && { headers: options.headers }),
      ...(options.id && { pathParameters: { id: options.id } }),
    }) as never,
    lambdaContext() as never,
  )) as { statusCode: number; headers: Record<string, string>; body: string };
  return { status: result.statusCode, headers: result.headers, body: JSON.parse(result.body) };
};

const receive = async (): Promise<SQSRecord[]> => {
  const { Messages } = await emulators.sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: queues.intakeQueueUrl,
      MaxNumberOfMessages: 10,
      WaitTimeSeconds: 0,
      MessageSystemAttributeNames: ['All'],
    }),
  );
  return (Messages ?? []).map((m) => toSqsRecord(m, 'arn:aws:sqs:us-east-1:000000000000:export-jobs'));
};

/** An invocation with this much time left: 0 means each invocation takes exactly one step. */
const invoke = async (records: SQSRecord[], remainingMs = 0, fn: Worker = worker) => {
  const context = { ...lambdaContext(), getRemainingTimeInMillis: () => remainingMs + 15_000 };
  return (await fn({ Records: records } as never, context as never)) as SQSBatchResponse;
};

const settle = async (records: SQSRecord[], response: SQSBatchResponse) => {
  const failed = new Set(response.batchItemFailures.map((f) => f.itemIdentifier));
  for (const record of records) {
    if (failed.has(record.messageId)) continue;
    await emulators.sqs.send(
      new DeleteMessageCommand({ QueueUrl: queues.intakeQueueUrl, ReceiptHandle: record.receiptHandle }),
    );
  }
};

/** Plays the event source mapping until the queue is empty; returns how many invocations it took. */
const drain = async (remainingMs = 0, fn: Worker = worker): Promise<number> => {
  let invocations = 0;
  for (;;) {
    const records = await receive();
    if (records.length === 0) return invocations;
    invocations++;
    await settle(records, await invoke(records, remainingMs, fn));
    if (invocations > 50) throw new Error('the export job never settled');
  }
};

const download = async (url: string) => {
  const reply = await fetch(url);
  expect(reply.status).toBe(200);
  return { headers: reply.headers, body: Buffer.from(await reply.arrayBuffer()) };
};

const objectsUnder = async (prefix: string) => {
  const { Contents } = await s3Client.send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: prefix }));
  return (Contents ?? []).map((o) => o.Key ?? '');
};

describe('POST /v1/exports and GET /v1/exports/{id}', () => {
  it('answers 202 with a queued job; the worker pages in steps and the job ends done with a link', async () => {
    const posted = await call('POST /v1/exports', claimsFor.commandCentre(), {
      body: { kind: 'cases', format: 'csv' },
    });
    expect(posted.status).toBe(202);
    expect(posted.headers.location).toBe(`/v1/exports/${posted.body.id}`);
    expect(posted.body).toMatchObject({
      kind: 'cases',
      format: 'csv',
      status: 'queued',
      rows: 0,
      progress: 0,
      filename: 'cases-2026-11-30.csv',
    });
    expect(posted.body).not.toHaveProperty('reader');
    expect(posted.body).not.toHaveProperty('cursor');

    // One step per invocation: four reading steps of two rows, then the file.
    const invocations = await drain(0);
    expect(invocations).toBe(5);

    const status = await call('GET /v1/exports/{id}', claimsFor.commandCentre(), { id: posted.body.id });
    expect(status.status).toBe(200);
    expect(status.body).toMatchObject({
      status: 'done',
      phase: 'writing',
      rows: ZHENHUA_CASES + GUDUN_CASES,
      progress: 1,
    });
    expect(Date.parse(status.body.download.expiresAt)).toBeGreaterThan(Date.now());
    const file = await download(status.body.download.url);
    expect(file.headers.get('content-disposition')).toContain('cases-2026-11-30.csv');
    const text = file.body.toString('utf8');
    expect(text.startsWith('\uFEFF')).toBe(true);
    // (trim() takes the byte order mark with it.)
    const lines = text.trim().split('\r\n');
    expect(lines[0]).toBe(EXPORT_COLUMNS.map((c) => c.header).join(','));
    expect(lines).toHaveLength(1 + ZHENHUA_CASES + GUDUN_CASES);
    // Every case once: no step's rows twice, none lost.
    const ids = lines.slice(1).map((line) => line.split(',')[0]);
    expect(new Set(ids).size).toBe(ZHENHUA_CASES + GUDUN_CASES);
    // The command centre sees the reporters' personal data.
    expect(text).toContain('13812341234');
    expect(text).toContain('王秀英');
    // The chunks are gone: only the file is left under the job's prefix.
    expect(await objectsUnder(jobPrefix(posted.body.id))).toEqual([
      `${jobPrefix(posted.body.id)}cases-2026-11-30.csv`,
    ]);
  });

  it('runs a job to the end in one invocation when the time allows', async () => {
    const posted = await call('POST /v1/exports', claimsFor.commandCentre(), {
      body: { kind: 'cases', format: 'csv', filters: { zone: 'gudun' } },
    });
    expect(await drain(60_000)).toBe(1);
    const status = await call('GET /v1/exports/{id}', claimsFor.commandCentre(), { id: posted.body.id });
    expect(status.body).toMatchObject({ status: 'done', rows: GUDUN_CASES, filters: { zone: 'gudun' } });
  });

  it('masks personal data and keeps an area chief to their zone, as the list does (XLSX)', async () => {
    const chief = claimsFor.areaChief('zhenhua');
    const posted = await call('POST /v1/exports', chief, { body: { kind: 'cases', format: 'xlsx' } });
    expect(posted.status).toBe(202);
    await drain(0);
    const status = await call('GET /v1/exports/{id}', chief, { id: posted.body.id });
    expect(status.body).toMatchObject({ status: 'done', rows: ZHENHUA_CASES });
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load((await download(status.body.download.url)).body as never);
    const sheet = workbook.getWorksheet('案件清单');
    if (!sheet) throw new Error('no 案件清单 sheet');
    expect(sheet.rowCount).toBe(1 + ZHENHUA_CASES);
    const header = (sheet.getRow(1).values as string[]).slice(1);
    const name = header.indexOf('上报人') + 1;
    const phone = header.indexOf('联系电话') + 1;
    const description = header.indexOf('问题描述') + 1;
    for (let r = 2; r <= 1 + ZHENHUA_CASES; r++) {
      const row = sheet.getRow(r);
      expect(String(row.getCell(1).value)).toMatch(/^C-EXPORT-zhenhua-/);
      expect(row.getCell(name).value).toBe('王**');
      expect(row.getCell(phone).value).toBe('138****1234');
      expect(String(row.getCell(description).value)).not.toContain('13812341234');
    }
    // Asking for another zone is refused, not silently narrowed.
    const other = await call('POST /v1/exports', chief, {
      body: { kind: 'cases', format: 'csv', filters: { zone: 'gudun' } },
    });
    expect(other.status).toBe(403);
  });

  it('belongs to its requester: anyone else gets the 404 of a job that does not exist', async () => {
    const posted = await call('POST /v1/exports', claimsFor.commandCentre(), {
      body: { kind: 'cases', format: 'csv' },
    });
    const stranger = await call('GET /v1/exports/{id}', claimsFor.areaChief('zhenhua'), {
      id: posted.body.id,
    });
    expect(stranger.status).toBe(404);
    expect(stranger.body.errors).toEqual([
      { field: 'id', rule: 'export_job_not_found', message: `no export job ${posted.body.id}` },
    ]);
    const missing = await call('GET /v1/exports/{id}', claimsFor.commandCentre(), {
      id: 'X00000000000000000000000000',
    });
    expect(missing.status).toBe(404);
    expect(missing.body.errors[0].rule).toBe('export_job_not_found');
    // Nor does a stranger learn anything once it is done.
    await drain(60_000);
    expect(
      (await call('GET /v1/exports/{id}', claimsFor.staff('market-regulation'), { id: posted.body.id }))
        .status,
    ).toBe(404);
  });

  it('a redelivered step writes no second file: duplicates race, one records its chunk, the file has each row once', async () => {
    const posted = await call('POST /v1/exports', claimsFor.commandCentre(), {
      body: { kind: 'cases', format: 'csv' },
    });
    const id: string = posted.body.id;
    const [first] = await receive();
    if (!first) throw new Error('no message for the job');
    await settle([first], await invoke([first]));
    const [second] = await receive();
    if (!second) throw new Error('the first step queued no continuation');
    // The next step's message handed to two invocations at once (SQS delivers at least once): both
    // read the same rows, one records its chunk, the other removes its own.
    const responses = await Promise.all([invoke([second]), invoke([second])]);
    expect(responses.map((r) => r.batchItemFailures)).toEqual([[], []]);
    await settle([second], { batchItemFailures: [] });
    const afterRace = await jobs.get(id);
    expect(afterRace).toMatchObject({ step: 2, rows: 4 });
    expect((await objectsUnder(`${jobPrefix(id)}chunks/`)).sort()).toEqual(
      [...(afterRace?.chunks ?? [])].sort(),
    );
    // The first message again, long after (a visibility timeout that expired under a slow step):
    // it resumes the job where it stands.
    await invoke([first]);
    await drain(0);
    const status = await call('GET /v1/exports/{id}', claimsFor.commandCentre(), { id });
    expect(status.body).toMatchObject({ status: 'done', rows: ZHENHUA_CASES + GUDUN_CASES });
    const text = (await download(status.body.download.url)).body.toString('utf8');
    const ids = text
      .trim()
      .split('\r\n')
      .slice(1)
      .map((line) => line.split(',')[0]);
    expect(ids).toHaveLength(ZHENHUA_CASES + GUDUN_CASES);
    expect(new Set(ids).size).toBe(ids.length);
    expect(await objectsUnder(jobPrefix(id))).toEqual([`${jobPrefix(id)}cases-2026-11-30.csv`]);

    // A message for a job that is done is a no-op: the file stays the one file, unchanged.
    const before = (
      await s3Client.send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: jobPrefix(id) }))
    ).Contents?.[0]?.LastModified;
    await invoke([first]);
    const after = (
      await s3Client.send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: jobPrefix(id) }))
    ).Contents;
    expect(after).toHaveLength(1);
    expect(after?.[0]?.LastModified).toEqual(before);
  });

  it('shows a failure on the job with its reason once the retries are spent', async () => {
    const posted = await call('POST /v1/exports', claimsFor.commandCentre(), {
      body: { kind: 'cases', format: 'csv' },
    });
    const broken: ExportFiles = {
      ...files,
      get: (key) => files.get(key),
      remove: (keys) => files.remove(keys),
      link: (key, filename, seconds) => files.link(key, filename, seconds),
      put: async () => {
        throw new Error('SlowDown: please reduce your request rate');
      },
    };
    const failing = makeWorker({ ...deps, files: broken });
    const [record] = await receive();
    if (!record) throw new Error('no message for the job');
    // A failed delivery is reported for a retry, and the job says nothing about failing yet.
    const firstTry = await invoke([record], 0, failing);
    expect(firstTry.batchItemFailures).toEqual([{ itemIdentifier: record.messageId }]);
    expect(
      (await call('GET /v1/exports/{id}', claimsFor.commandCentre(), { id: posted.body.id })).body.status,
    ).toBe('running');
    // The last delivery the queue allows: the job fails with the reason, and the message is done.
    const last = {
      ...record,
      attributes: { ...record.attributes, ApproximateReceiveCount: String(EXPORT_MAX_DELIVERIES) },
    };
    expect((await invoke([last], 0, failing)).batchItemFailures).toEqual([]);
    const status = await call('GET /v1/exports/{id}', claimsFor.commandCentre(), { id: posted.body.id });
    expect(status.body).toMatchObject({
      status: 'failed',
      failure: { rule: 'worker_failed', reason: expect.stringContaining('SlowDown') },
    });
    expect(status.body).not.toHaveProperty('download');
    // The worker's last delivery is the queue's: the two numbers are one.
    expect(EXPORT_MAX_DELIVERIES).toBe(MAX_RECEIVE_COUNT);
  });

  it('fails at once, with the rule, a job over the most rows a job may hold', async () => {
    const posted = await call('POST /v1/exports', claimsFor.commandCentre(), {
      body: { kind: 'cases', format: 'csv' },
    });
    await drain(0, makeWorker({ ...deps, maxRows: 3 }));
    const status = await call('GET /v1/exports/{id}', claimsFor.commandCentre(), { id: posted.body.id });
    expect(status.body).toMatchObject({
      status: 'failed',
      failure: { rule: 'too_many_rows', reason: expect.stringContaining('more than 3 rows') },
    });
    expect(await objectsUnder(jobPrefix(posted.body.id))).toEqual([]);
  });

  it('builds the monthly evaluation workbook as a job in the requester’s scope', async () => {
    const posted = await call('POST /v1/exports', claimsFor.areaChief('zhenhua'), {
      body: { kind: 'evaluation', month: '2026-11' },
    });
    expect(posted.status).toBe(202);
    expect(posted.body).toMatchObject({ kind: 'evaluation', format: 'xlsx', month: '2026-11' });
    await drain(0);
    const status = await call('GET /v1/exports/{id}', claimsFor.areaChief('zhenhua'), { id: posted.body.id });
    expect(status.body).toMatchObject({ status: 'done', filename: 'evaluation-sandun-2026-11.xlsx' });
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load((await download(status.body.download.url)).body as never);
    expect(workbook.worksheets.map((s) => s.name)).toContain('标准评价指标');
    // Reporters hold no figures to export.
    expect(
      (
        await call('POST /v1/exports', claimsFor.reporter(), {
          body: { kind: 'evaluation', month: '2026-11' },
        })
      ).status,
    ).toBe(403);
  });

  it('lands a retry with the same Idempotency-Key on the same job, and refuses the key with another request', async () => {
    const headers = { 'idempotency-key': 'month-end-export-1' };
    const body = { kind: 'cases', format: 'xlsx', filters: { status: 'registered' } };
    const first = await call('POST /v1/exports', claimsFor.commandCentre(), { body, headers });
    const again = await call('POST /v1/exports', claimsFor.commandCentre(), { body, headers });
    expect(again.status).toBe(202);
    expect(again.body.id).toBe(first.body.id);
    const other = await call('POST /v1/exports', claimsFor.commandCentre(), {
      body: { ...body, format: 'csv' },
      headers,
    });
    expect(other.status).toBe(422);
    expect(other.body.errors[0].rule).toBe('idempotency_key_reused');
  });

  it('names the field and the rule of a bad request', async () => {
    const noFormat = await call('POST /v1/exports', claimsFor.commandCentre(), { body: { kind: 'cases' } });
    expect(noFormat.status).toBe(400);
    expect(noFormat.body.errors[0].field).toBe('format');
    const badMonth = await call('POST /v1/exports', claimsFor.commandCentre(), {
      body: { kind: 'evaluation', month: '2026-13' },
    });
    expect(badMonth.status).toBe(400);
    expect(badMonth.body.errors[0]).toMatchObject({ field: 'month' });
    const badId = await call('GET /v1/exports/{id}', claimsFor.commandCentre(), { id: 'nope' });
    expect(badId.status).toBe(400);
    expect(badId.body.errors[0].field).toBe('id');
    expect(
      (
        await call('POST /v1/exports', claimsFor.fieldWorker('market-regulation'), {
          body: { kind: 'cases', format: 'csv' },
        })
      ).status,
    ).toBe(403);
  });
});
