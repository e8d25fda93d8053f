import type { Case } from '../domain/case';
import { lazySchema } from '../http/lazy-schema';
import * as z from '../validation/zod';
import { Open311Error } from './errors';
import { type Open311Status, open311StatusOf } from './requests';

const DAY_MS = 24 * 60 * 60 * 1000;
/** The spec: a search may not span more than 90 days; without dates it covers the most recent 90. */
export const MAX_RANGE_DAYS = 90;
export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 200;
/** service_request_id lists beyond this are refused rather than fanned out. */
export const MAX_REQUEST_IDS = 100;

/** An empty parameter counts as absent ("Optional Arguments" in the spec). */
const optional = <S extends z.ZodMiniType>(schema: S) =>
  z.pipe(
    z.transform((value) => (value === '' ? undefined : value)),
    z.optional(schema),
  );

const commaList = <T>(item: z.ZodMiniType<T, string>) =>
  optional(
    z.pipe(
      z.pipe(
        z.string(),
        z.transform((value) =>
          value
            .split(',')
            .map((part) => part.trim())
            .filter(Boolean),
        ),
      ),
      z.array(item).check(z.minLength(1)),
    ),
  );

/** Built on the first GET of requests, not at every cold start of the Open311 function. */
const RequestsQuery = /* @__PURE__ */ lazySchema(() =>
  z.object({
    jurisdiction_id: optional(z.string()),
    service_request_id: commaList(z.string().check(z.maxLength(64))),
    service_code: commaList(z.string().check(z.maxLength(80))),
    start_date: optional(z.iso.datetime({ offset: true })),
    end_date: optional(z.iso.datetime({ offset: true })),
    status: commaList(z.enum(['open', 'closed'])),
    page: optional(z.coerce.number().check(z.int(), z.gte(1), z.lte(1000))),
    page_size: optional(z.coerce.number().check(z.int(), z.gte(1), z.lte(MAX_PAGE_SIZE))),
  }),
);

export type RequestsFilter =
  | { kind: 'ids'; ids: string[] }
  | {
      kind: 'search';
      serviceCodes?: string[];
      statuses?: Open311Status[];
      /** ISO instants, inclusive. */
      start: string;
      end: string;
      page: number;
      pageSize: number;
    };

/** The GET requests arguments as a filter; a malformed one or a range over 90 days is a 400. */
export const requestsFilterOf = (
  query: Record<string, string | undefined>,
  now: string,
): RequestsFilter & { jurisdictionId?: string } => {
  const parsed = RequestsQuery().safeParse(query);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Open311Error(
      400,
      `${issue?.path.join('.') || 'query'}: ${issue?.message ?? 'invalid argument'}`,
    );
  }
  const q = parsed.data;
  const jurisdiction = q.jurisdiction_id === undefined ? {} : { jurisdictionId: q.jurisdiction_id };
  // "This overrides all other arguments."
  if (q.service_request_id) {
    if (q.service_request_id.length > MAX_REQUEST_IDS) {
      throw new Open311Error(400, `service_request_id: at most ${MAX_REQUEST_IDS} ids at once`);
    }
    return { kind: 'ids', ids: [...new Set(q.service_request_id)], ...jurisdiction };
  }
  const range = MAX_RANGE_DAYS * DAY_MS;
  const startMs = q.start_date === undefined ? undefined : Date.parse(q.start_date);
  const endMs =
    q.end_date === undefined
      ? startMs === undefined
        ? Date.parse(now)
        : Math.min(startMs + range, Date.parse(now))
      : Date.parse(q.end_date);
  const fromMs = startMs ?? endMs - range;
  if (fromMs > endMs) throw new Open311Error(400, 'start_date must not be after end_date');
  if (endMs - fromMs > range) {
    throw new Open311Error(400, `start_date and end_date may not be more than ${MAX_RANGE_DAYS} days apart`);
  }
  return {
    kind: 'search',
    ...(q.service_code && { serviceCodes: q.service_code }),
    ...(q.status && { statuses: q.status }),
    start: new Date(fromMs).toISOString(),
    end: new Date(endMs).toISOString(),
    page: q.page ?? 1,
    pageSize: q.page_size ?? DEFAULT_PAGE_SIZE,
    ...jurisdiction,
  };
};

/** Whether a case answers a search, the date range aside (the walk down the index handles that). */
export const matchesSearch = (c: Case, filter: Extract<RequestsFilter, { kind: 'search' }>): boolean =>
  (!filter.serviceCodes || (c.category !== undefined && filter.serviceCodes.includes(c.category))) &&
  (!filter.statuses || filter.statuses.includes(open311StatusOf(c.status)));
