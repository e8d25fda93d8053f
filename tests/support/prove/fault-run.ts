import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { FaultStats } from '../../../infra/local/faults/injector';
import { FAULTS_FILE } from '../../../infra/local/faults/start';
import { REPO_ROOT } from '../../../infra/local/paths';
import { spawnLocalCloud } from '../../../infra/local/spawn';
import { DynamoCaseStore } from '../../../shared/adapters/aws/dynamodb-case-store';
import { loadDistrict } from '../../../shared/district/load';
import type { Case } from '../../../shared/domain/case';
import { jpegWithExif, uploadWithForm } from '../evidence-harness';
import { pointInZone, sleep } from '../matrix-client';
import { CITIZEN_LIMITS_OFF } from './citizen-limits';
import { type Acknowledged, type CrashOutcome, checkPromises, type Post } from './crash-run';

/**
 * The fault run: the local cloud with AWS's failures injected into every function's service calls
 * (`--faults`), a burst of reports from concurrent clients that retry as the API documents (the
 * same Idempotency-Key on a 5xx; a command's 409 after a lost answer means "look at the case"),
 * some cases dispatched, accepted and given a photo. Then the promises: every acknowledged report
 * routed exactly once, every upload checked exactly once, every running deadline armed, every
 * timeline chain whole, and no 5xx left to a client that retried.
 */

export interface FaultRunOptions {
  dataDir: string;
  reports: number;
  clients: number;
  /** `--faults` of the local cloud, e.g. `*=0.05`. */
  faults: string;
  seed: number;
  /** Every n-th report (from the second) is dispatched by the command centre; every m-th goes through dispatch, accept and a photo. */
  dispatchEvery?: number;
  uploadEvery?: number;
  settleTimeoutMs?: number;
  log?: (line: string) => void;
}

export interface FaultOutcome extends CrashOutcome {
  /** HTTP requests the clients made (retries included) and how many answers were 5xx. */
  requests: number;
  answered5xx: number;
  /** Requests still failing with a 5xx after every documented retry: the promise is zero. */
  unrecovered5xx: number;
  dispatched: number;
  uploads: number;
  uploadsUnchecked: number;
  uploadsCheckedTwice: number;
  routedTwice: number;
  faults: FaultStats;
}

interface DemoUser {
  role: string;
  department: string | null;
  zone: string | null;
  token: string;
}

const district = loadDistrict(join(REPO_ROOT, 'districts/sandun.json'));
const AUTO_DISPATCHED = district.categories.filter((c) => c.autoDispatch).map((c) => c.code);
const OTHERS = district.categories
  .filter((c) => !c.autoDispatch && c.code.startsWith('event.'))
  .map((c) => c.code);
/** The evidence e2e's case: market regulation leads, a zone chief dispatches. */
const UPLOAD_CATEGORY = 'event.household-workshop';
const MAX_ATTEMPTS = 6;

export const runFaults = async (options: FaultRunOptions): Promise<FaultOutcome> => {
  const log = options.log ?? (() => {});
  const cloud = await spawnLocalCloud({
    env: CITIZEN_LIMITS_OFF,
    dataDir: options.dataDir,
    args: ['--faults', options.faults, '--faults-seed', String(options.seed)],
  });
  const counts = { requests: 0, answered5xx: 0, unrecovered5xx: 0 };

  /** One API call as a documented client makes it: a 5xx or a lost answer is retried, same body, same key. */
  const call = async (
    method: string,
    path: string,
    token: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; body: Record<string, unknown> }> => {
    let last = { status: 0, body: {} as Record<string, unknown> };
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      if (attempt > 0) await sleep(Math.min(2_000, 100 * 2 ** attempt));
      counts.requests++;
      try {
        const response = await fetch(`${cloud.info.url}${path}`, {
          method,
          headers: {
            authorization: `Bearer ${token}`,
            ...(body !== undefined && { 'content-type': 'application/json' }),
            ...headers,
          },
          ...(body !== undefined && { body: JSON.stringify(body) }),
          signal: AbortSignal.timeout(30_000),
        });
        const text = await response.text();
        last = { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
      } catch {
        last = { status: 0, body: {} };
      }
      if (last.status >= 500) counts.answered5xx++;
      if (last.status !== 0 && last.status < 500) return last;
    }
    counts.unrecovered5xx++;
    return last;
  };
  const repost: Post = async (_url, token, body, key) => {
    const reply = await call('POST', '/v1/cases', token, body, key ? { 'idempotency-key': key } : {});
    return { status: reply.status, body: reply.body as { id?: string; status?: string } };
  };

  const users = ((await (await fetch(`${cloud.info.url}/local/tokens`)).json()) as { users: DemoUser[] })
    .users;
  const user = (role: string, match: Partial<DemoUser> = {}) => {
    const found = users.find(
      (u) => u.role === role && Object.entries(match).every(([k, v]) => u[k as keyof DemoUser] === v),
    );
    if (!found) throw new Error(`no demo user ${role} ${JSON.stringify(match)}`);
    return found.token;
  };

  const dynamodb = new DynamoDBClient({
    region: 'us-east-1',
    endpoint: cloud.info.dynamodbEndpoint,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const store = new DynamoCaseStore({
    client: DynamoDBDocumentClient.from(dynamodb, { marshallOptions: { removeUndefinedValues: true } }),
    tableName: cloud.info.tableName,
  });
  /** The case once the router has decided it (not `reported` any more), read from the table. */
  const routed = async (id: string): Promise<Case | undefined> => {
    for (let i = 0; i < 300; i++) {
      const stored = await store.get(id);
      if (stored && stored.case.status !== 'reported') return stored.case;
      await sleep(100);
    }
    return undefined;
  };

  /** A workflow command with its documented retry: after a lost answer, 409 means it may have landed. */
  const command = async (id: string, name: string, token: string, landed: (c: Case) => boolean) => {
    const reply = await call('POST', `/v1/cases/${id}/${name}`, token, {});
    if (reply.status === 200) return true;
    const stored = await store.get(id);
    return reply.status === 409 && stored !== undefined && landed(stored.case);
  };

  const acknowledged: Acknowledged[] = [];
  const uploads: { caseId: string }[] = [];
  let dispatched = 0;
  let next = 0;
  const dispatchEvery = options.dispatchEvery ?? 3;
  const uploadEvery = options.uploadEvery ?? 5;

  const uploadFlow = async (id: string) => {
    const c = await routed(id);
    if (c?.status !== 'registered' || !c.zone) return;
    const chief = user('area_chief', { zone: c.zone.id });
    if (!(await command(id, 'dispatch', chief, (now) => now.status !== 'registered'))) return;
    dispatched++;
    const after = await store.get(id);
    const department = after?.case.assignee;
    if (!department) return;
    const staff = user('department_staff', { department });
    if (!(await command(id, 'accept', staff, (now) => now.status === 'accepted'))) return;
    const location = c.location;
    const photo = await jpegWithExif({
      takenAt: new Date(Date.now() + 1500).toISOString(),
      gps: { lat: location.lat + 0.0003, lng: location.lng },
    });
    const form = await call(
      'POST',
      `/v1/cases/${id}/attachments`,
      user('field_worker', { department }),
      { kind: 'photo', contentType: 'image/jpeg', size: photo.length },
      { 'idempotency-key': `photo-${id}` },
    );
    const upload = form.body.upload as { url: string; fields: Record<string, string> } | undefined;
    if ((form.status !== 201 && form.status !== 200) || !upload) {
      log(`no upload form for ${id}: ${form.status} ${JSON.stringify(form.body)}`);
      return;
    }
    // Straight to the bucket, retried like the field page retries what never got an answer.
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const response = await uploadWithForm(upload, photo).catch(() => undefined);
      if (response && response.status < 300) {
        uploads.push({ caseId: id });
        return;
      }
      await sleep(200);
    }
  };

  const client = async (c: number) => {
    while (next < options.reports) {
      const i = next++;
      const zone = district.zones[i % district.zones.length]!;
      const forUpload = i % uploadEvery === 0;
      const categories = i % 3 === 0 ? AUTO_DISPATCHED : OTHERS;
      const centre = pointInZone(zone);
      // Spread apart (about 130 m a step) so most reports are events of their own.
      const body = {
        source: 'hotline',
        category: forUpload ? UPLOAD_CATEGORY : categories[i % categories.length],
        description: `故障注入测试 ${randomUUID()}`,
        location: { lat: centre.lat + ((i % 7) - 3) * 0.0012, lng: centre.lng + ((i % 11) - 5) * 0.0012 },
      };
      const key = `faults-${c}-${i}-${randomUUID()}`;
      const reply = await repost('', user('reporter'), body, key);
      if (reply.status !== 202 || !reply.body.id) {
        log(`report ${i} not acknowledged: ${reply.status} ${JSON.stringify(reply.body)}`);
        continue;
      }
      const id = reply.body.id;
      acknowledged.push({ id, key, body });
      if (forUpload) await uploadFlow(id);
      // Offset by one: every third report is of an auto-dispatched category, not one to dispatch.
      else if (i % dispatchEvery === 1) {
        const routedCase = await routed(id);
        if (
          routedCase?.status === 'registered' &&
          (await command(id, 'dispatch', user('command_centre'), (now) => now.status !== 'registered'))
        ) {
          dispatched++;
        }
      }
    }
  };

  try {
    const startedAt = Date.now();
    await Promise.all(Array.from({ length: options.clients }, (_, c) => client(c)));
    log(
      `${acknowledged.length} reports acknowledged, ${dispatched} dispatched, ${uploads.length} photos uploaded in ${Date.now() - startedAt} ms`,
    );

    // Every upload decided (verified or rejected), and decided once: one evidence entry per photo.
    let uploadsUnchecked = 0;
    let uploadsCheckedTwice = 0;
    const uploadDeadline = Date.now() + (options.settleTimeoutMs ?? 60_000);
    for (const { caseId } of uploads) {
      let decisions = 0;
      for (;;) {
        const stored = await store.get(caseId);
        decisions =
          stored?.case.timeline.filter(
            (e) => e.action === 'evidence-verified' || e.action === 'evidence-rejected',
          ).length ?? 0;
        if (decisions > 0 || Date.now() > uploadDeadline) break;
        await sleep(200);
      }
      if (decisions === 0) uploadsUnchecked++;
      if (decisions > 1) uploadsCheckedTwice++;
    }

    const outcome = await checkPromises(
      cloud,
      acknowledged,
      (role) => user(role),
      { settleTimeoutMs: options.settleTimeoutMs ?? 60_000 },
      log,
      repost,
    );
    // Routed exactly once: one routing decision (registered, or merged into another case) each.
    let routedTwice = 0;
    for (const { id } of acknowledged) {
      const stored = await store.get(id);
      const decisions =
        stored?.case.timeline.filter((e) => e.action === 'registered' || e.action === 'merged').length ?? 0;
      if (decisions > 1) {
        routedTwice++;
        outcome.problems.push(`${id} was routed ${decisions} times`);
      }
    }
    // A clean stop writes the final counts.
    await cloud.kill('SIGTERM');
    const faults = JSON.parse(readFileSync(join(options.dataDir, FAULTS_FILE), 'utf8')) as FaultStats;
    return {
      ...outcome,
      ...counts,
      dispatched,
      uploads: uploads.length,
      uploadsUnchecked,
      uploadsCheckedTwice,
      routedTwice,
      faults,
    };
  } finally {
    dynamodb.destroy();
    await cloud.kill('SIGTERM');
  }
};
