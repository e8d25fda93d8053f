/**
 * The HTTP API as the pages use it: the signed-in user's token on every call, problem+json
 * errors as `ApiError`, cursor paging, and workflow commands that survive a flaky network.
 */

import type { DistrictConfig } from '../../shared/district/schema';
import type { Camera } from '../../shared/domain/camera';
import type { CaseStatus } from '../../shared/domain/case';
import type { FigureValue } from '../../shared/domain/evaluation-figures';
import type { CaseSummary, CaseView } from '../../shared/http/case-view';
import type { UiCommand } from './permissions';

export type { CaseView, DistrictConfig };

export interface Problem {
  title?: string;
  detail?: string;
  status?: number;
  errors?: { field: string; rule: string; message: string }[];
  /** API Gateway's own refusals (no route, bad token) are `{"message": ...}`, not problem+json. */
  message?: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem,
  ) {
    super(problem.detail ?? problem.title ?? problem.message ?? `HTTP ${status}`);
    this.name = 'ApiError';
  }
}

/** The request never got an answer (offline, reset, timeout): safe to retry idempotent calls. */
export class NetworkError extends Error {
  override readonly name = 'NetworkError';
}

export interface ListQuery {
  status?: CaseStatus;
  department?: string;
  zone?: string;
  overdue?: boolean;
  /** Only cases changed after this ISO instant, oldest change first. */
  changedSince?: string;
  limit?: number;
}

/**
 * `GET /v1/metrics` as the pages read it (shared/usecases/evaluation.ts `EvaluationReport`, which the
 * page can't import: the use case layer pulls in Node modules).
 */
export interface EvaluationReply {
  from: string;
  to: string;
  groupBy?: GroupBy;
  total: { figures: FigureValue[]; counters: Record<string, number> };
  groups: { key: string; figures: FigureValue[]; counters: Record<string, number> }[];
}

export type GroupBy = 'department' | 'zone' | 'category' | 'day';

/** `GET /v1/metrics/hotspots`: geohash-7 cells by reports, premises by repeated cases, most first. */
export interface HotspotsReply {
  cells: { id: string; count: number }[];
  repeatPremises: { id: string; count: number }[];
}

export interface FiguresQuery {
  /** District days, YYYY-MM-DD. */
  from: string;
  to: string;
  groupBy?: GroupBy;
}

/**
 * An export as the API delivers it: the file itself, or — when it is too big for one reply — a
 * link to it in S3 (already signed: no token needed to follow it).
 */
export type Download =
  | { kind: 'file'; blob: Blob; filename: string }
  | { kind: 'link'; url: string; rows: number };

/** What POST /v1/exports makes: the case list (CSV/XLSX, with the list's filters) or the monthly workbook. */
export type ExportJobRequest =
  | {
      kind: 'cases';
      format: 'csv' | 'xlsx';
      filters?: { status?: string; department?: string; zone?: string; overdue?: boolean };
    }
  | { kind: 'evaluation'; month: string };

/** An export job as `GET /v1/exports/{id}` shows it (shared/domain/export-job.ts ExportJobView). */
export interface ExportJob {
  id: string;
  kind: 'cases' | 'evaluation';
  format: 'csv' | 'xlsx';
  status: 'queued' | 'running' | 'done' | 'failed';
  phase: 'reading' | 'writing';
  rows: number;
  /** 0 to 1. */
  progress: number;
  filename: string;
  size?: number;
  failure?: { rule: string; reason: string };
  /** Once done: a signed link (no token needed), valid for minutes. */
  download?: { url: string; expiresAt: string };
}

export interface Api {
  district(): Promise<DistrictConfig>;
  /** The evaluation figures of a period in the caller's scope (分析研判). */
  metrics(query: FiguresQuery): Promise<EvaluationReply>;
  hotspots(query: { from: string; to: string; limit?: number }): Promise<HotspotsReply>;
  /**
   * An authenticated download (`/v1/exports/...`): fetched with the token, since a plain link
   * can't carry the Authorization header. `saveDownload` (download.ts) hands it to the browser.
   */
  download(path: string): Promise<Download>;
  /** Starts an export job (202); follow it with `exportJob`. */
  startExport(request: ExportJobRequest): Promise<ExportJob>;
  /** The job's progress; once done, with a fresh download link. */
  exportJob(id: string): Promise<ExportJob>;
  list(query: ListQuery, cursor?: string): Promise<{ items: CaseView[]; cursor?: string }>;
  /**
   * Follows the cursor up to `maxPages`, or until `stop` says the rest is not needed; `complete`
   * is false when pages were left unread (the screen then says "1,000+", not "1,000").
   */
  listAll(
    query: ListQuery,
    options?: { maxPages?: number; stop?: (page: CaseView[]) => boolean },
  ): Promise<{ items: CaseView[]; complete: boolean }>;
  /** `listAll` of summaries (`view=summary`, pages of 1,000 unless `limit` says otherwise): for boards. */
  listSummaries(
    query: ListQuery,
    options?: { maxPages?: number; stop?: (page: CaseSummary[]) => boolean },
  ): Promise<{ items: CaseSummary[]; complete: boolean }>;
  get(id: string): Promise<CaseView>;
  /** The cameras within `radius` metres of the case (default 500), nearest first. */
  camerasNear(id: string, radius?: number): Promise<{ items: (Camera & { distanceMetres: number })[] }>;
  /** The camera registry in the user's scope (an area chief: their zone's). */
  cameras(zone?: string): Promise<{ items: Camera[] }>;
  /** The case's evidence, oldest first; links only on verified attachments. */
  attachments(id: string): Promise<{ items: AttachmentView[] }>;
  /** An upload form for one piece of evidence; the same `idempotencyKey` names the same attachment. */
  requestUpload(
    id: string,
    body: { kind: 'photo' | 'video' | 'document'; contentType: string; size: number; sha256?: string },
    idempotencyKey: string,
  ): Promise<UploadGrant>;
  /** `POST /v1/cases`: a new report; the same `idempotencyKey` (made on the phone) names the same case. */
  report(body: NewReport, idempotencyKey: string): Promise<CaseView>;
  /** `POST /v1/cases/{id}/satisfaction`: the reporter's verdict on their closed case. */
  satisfaction(id: string, body: SatisfactionBody): Promise<CaseView>;
  command(
    id: string,
    command: UiCommand,
    body: Record<string, unknown>,
    expectedVersion: number,
    onRetry?: () => void,
  ): Promise<CaseView>;
}

/** A report as `POST /v1/cases` takes it (shared/http/schemas.ts ReportBody). */
export interface NewReport {
  source: 'patrol' | 'citizen';
  category?: string;
  description: string;
  location: { lat: number; lng: number; crs: 'wgs84'; address?: string };
  occurredAt?: string;
}

export type SatisfactionRating = 'satisfied' | 'basically_satisfied' | 'dissatisfied';

/** The reporter's verdict on a closed case (满意 / 基本满意 / 不满意, an optional comment). */
export interface SatisfactionBody {
  rating: SatisfactionRating;
  comment?: string;
  expectedVersion?: number;
}

/** What a case view carries once its reporter has given a verdict. */
export interface Satisfaction {
  rating: SatisfactionRating;
  comment?: string;
  at: string;
  channel: string;
}

/** An attachment as `GET …/attachments` shows it (shared/http/openapi-attachments.ts). */
export interface AttachmentView {
  id: string;
  /** `camera`: a camera alert's snapshot (time = the alert, place = the camera's). Absent means field. */
  origin?: 'field' | 'camera';
  camera?: { cameraId: string; alertAt: string; reportId: string };
  kind: 'photo' | 'video' | 'document';
  contentType: string;
  size: number;
  status: 'pending' | 'verified' | 'rejected';
  requestedAt: string;
  checkedAt?: string;
  rule?: string;
  reason?: string;
  facts?: {
    takenAt?: string;
    distanceMetres?: number;
    takenAfterDispatch?: boolean;
    width?: number;
    height?: number;
  };
  downloadUrl?: string;
  thumbnailUrl?: string;
}

/** The S3 presigned POST: every field, then the file last. */
export interface UploadForm {
  url: string;
  fields: Record<string, string>;
  expiresAt: string;
}

/** No `upload` when a retry finds the object already uploaded. */
export interface UploadGrant {
  attachment: AttachmentView;
  upload?: UploadForm;
}

/** Never a cached answer (typed apart: Node's RequestInit, which the tests compile against, lacks `cache`). */
const NO_STORE = { cache: 'no-store' } as RequestInit;

const REQUEST_TIMEOUT_MS = 15_000;
const COMMAND_ATTEMPTS = 4;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** An export's name from `Content-Disposition` (RFC 6266: the UTF-8 `filename*` first). */
export const filenameOf = (disposition: string | null, fallback: string): string => {
  if (!disposition) return fallback;
  const utf8 = /filename\*\s*=\s*UTF-8''([^;]+)/i.exec(disposition)?.[1];
  if (utf8) {
    try {
      return decodeURIComponent(utf8.trim());
    } catch {
      // A malformed escape: the plain name below will do.
    }
  }
  return /filename\s*=\s*"?([^";]+)"?/i.exec(disposition)?.[1]?.trim() || fallback;
};

/** Exports are built on the server from every page of the list: they get longer than a page read. */
const DOWNLOAD_TIMEOUT_MS = 120_000;

/** A reply body as JSON; text that isn't JSON (a proxy's error page) becomes a problem's detail. */
const bodyOf = (text: string): unknown => {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return { detail: text.slice(0, 200) };
  }
};

export const createApi = (baseUrl: string, token: () => string | undefined): Api => {
  const send = async (
    path: string,
    init: { method?: string; body?: unknown; headers?: Record<string, string>; timeoutMs?: number },
  ): Promise<Response> => {
    const headers: Record<string, string> = { accept: 'application/json', ...init.headers };
    const bearer = token();
    if (bearer) headers.authorization = `Bearer ${bearer}`;
    if (init.body !== undefined) headers['content-type'] = 'application/json';
    try {
      return await fetch(`${baseUrl}${path}`, {
        method: init.method ?? 'GET',
        headers,
        ...NO_STORE,
        signal: AbortSignal.timeout(init.timeoutMs ?? REQUEST_TIMEOUT_MS),
        ...(init.body !== undefined && { body: JSON.stringify(init.body) }),
      });
    } catch (error) {
      throw new NetworkError((error as Error).message);
    }
  };

  const call = async <T>(
    path: string,
    init: { method?: string; body?: unknown; headers?: Record<string, string> } = {},
  ): Promise<T> => {
    const response = await send(path, init);
    const text = await response.text();
    if (!response.ok) throw new ApiError(response.status, (bodyOf(text) ?? {}) as Problem);
    return bodyOf(text) as T;
  };

  const queryString = (query: ListQuery, cursor?: string, view?: 'summary') => {
    const params = new URLSearchParams();
    if (query.status) params.set('status', query.status);
    if (query.department) params.set('department', query.department);
    if (query.zone) params.set('zone', query.zone);
    if (query.overdue !== undefined) params.set('overdue', String(query.overdue));
    if (query.changedSince) params.set('changedSince', query.changedSince);
    params.set('limit', String(query.limit ?? (view === 'summary' ? 1000 : 100)));
    if (view) params.set('view', view);
    if (cursor) params.set('cursor', cursor);
    return params.toString();
  };

  /** Follows the cursor up to `maxPages` (50), or until `stop` says the rest is not needed. */
  const pages = async <T>(
    page: (cursor?: string) => Promise<{ items: T[]; cursor?: string }>,
    options: { maxPages?: number; stop?: (items: T[]) => boolean },
  ): Promise<{ items: T[]; complete: boolean }> => {
    const items: T[] = [];
    let cursor: string | undefined;
    for (let read = 0; read < (options.maxPages ?? 50); read++) {
      const result = await page(cursor);
      items.push(...result.items);
      cursor = result.cursor;
      if (!cursor || options.stop?.(result.items)) return { items, complete: true };
    }
    return { items, complete: false };
  };

  const api: Api = {
    district: () => call<DistrictConfig>('/v1/district'),
    metrics: (query) => {
      const params = new URLSearchParams({ from: query.from, to: query.to });
      if (query.groupBy) params.set('groupBy', query.groupBy);
      return call(`/v1/metrics?${params}`);
    },
    hotspots: (query) => {
      const params = new URLSearchParams({ from: query.from, to: query.to });
      if (query.limit !== undefined) params.set('limit', String(query.limit));
      return call(`/v1/metrics/hotspots?${params}`);
    },
    async download(path) {
      const response = await send(path, { headers: { accept: '*/*' }, timeoutMs: DOWNLOAD_TIMEOUT_MS });
      if (!response.ok) throw new ApiError(response.status, (bodyOf(await response.text()) ?? {}) as Problem);
      // Too big for one reply: the API put the file in S3 and answers with a signed link.
      if ((response.headers.get('content-type') ?? '').includes('application/json')) {
        const link = (await response.json()) as { url: string; rows: number };
        return { kind: 'link', url: link.url, rows: link.rows };
      }
      const fallback = path.split('?')[0]?.split('/').pop() ?? 'export';
      return {
        kind: 'file',
        blob: await response.blob(),
        filename: filenameOf(response.headers.get('content-disposition'), fallback),
      };
    },
    startExport: (request) => call('/v1/exports', { method: 'POST', body: request }),
    exportJob: (id) => call(`/v1/exports/${encodeURIComponent(id)}`),
    list: (query, cursor) => call(`/v1/cases?${queryString(query, cursor)}`),
    listAll: (query, options = {}) => pages((cursor) => api.list(query, cursor), options),
    listSummaries: (query, options = {}) =>
      pages(
        (cursor) =>
          call<{ items: CaseSummary[]; cursor?: string }>(
            `/v1/cases?${queryString(query, cursor, 'summary')}`,
          ),
        options,
      ),
    get: (id) => call<CaseView>(`/v1/cases/${encodeURIComponent(id)}`),
    camerasNear: (id, radius) =>
      call(`/v1/cases/${encodeURIComponent(id)}/cameras${radius === undefined ? '' : `?radius=${radius}`}`),
    attachments: (id) => call(`/v1/cases/${encodeURIComponent(id)}/attachments`),
    requestUpload: (id, body, idempotencyKey) =>
      call(`/v1/cases/${encodeURIComponent(id)}/attachments`, {
        method: 'POST',
        body,
        headers: { 'idempotency-key': idempotencyKey },
      }),
    report: (body, idempotencyKey) =>
      call('/v1/cases', { method: 'POST', body, headers: { 'idempotency-key': idempotencyKey } }),
    satisfaction: (id, body) =>
      call(`/v1/cases/${encodeURIComponent(id)}/satisfaction`, { method: 'POST', body }),
    cameras: (zone) => call(`/v1/cameras${zone ? `?zone=${encodeURIComponent(zone)}` : ''}`),
    /**
     * A command is sent with the version the user saw, so a retry after a lost answer can't apply
     * twice: the second attempt gets 409. If the case then shows our own step right after that
     * version, the first attempt did land and that is the answer.
     */
    async command(id, command, body, expectedVersion, onRetry) {
      const path = `/v1/cases/${encodeURIComponent(id)}/${command}`;
      let retried = false;
      for (let attempt = 1; ; attempt++) {
        try {
          return await call<CaseView>(path, { method: 'POST', body: { ...body, expectedVersion } });
        } catch (error) {
          if (retried && error instanceof ApiError && error.status === 409) {
            const now = await api.get(id);
            const step = now.timeline.find((entry) => entry.seq === expectedVersion + 1);
            if (step && step.actor.subject === subjectOf(token())) return now;
          }
          if (!(error instanceof NetworkError) || attempt >= COMMAND_ATTEMPTS) throw error;
          retried = true;
          onRetry?.();
          await sleep(500 * 2 ** (attempt - 1));
        }
      }
    },
  };
  return api;
};

/** The token's subject, read (not verified: the API does that) to recognise one's own steps. */
const subjectOf = (token: string | undefined): string | undefined => {
  const payload = token?.split('.')[1];
  if (!payload) return undefined;
  try {
    const json = atob(payload.replace(/-/g, '+').replace(/_/g, '/'));
    return (JSON.parse(json) as { sub?: string }).sub;
  } catch {
    return undefined;
  }
};
