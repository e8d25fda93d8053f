import { CASE_STATUSES, RATINGS, SOURCES } from '../domain/case';
import { INTEGRATION_ACTIONS, KEY_ID_PATTERN, RATE_LIMIT_PER_MINUTE } from '../domain/integration-key';
import { HOTLINE_RATINGS } from '../domain/satisfaction';
import { SUBSCRIPTION_EVENTS } from '../domain/subscriptions';
import type { CaseFilters } from '../usecases/read-scope';
import * as z from '../validation/zod';
import { lazySchema } from './lazy-schema';

/**
 * Request schemas: they validate every request and generate the OpenAPI document, so the two
 * can't disagree. Objects are strict: an unknown field is named in the 400 rather than ignored.
 */

const text = (max: number) => z.string().check(z.trim(), z.minLength(1), z.maxLength(max));

/** Who to call back: a reporter's or a 12345 caller's name and phone (personal data, masked when shown). */
const contact = () =>
  z.strictObject({
    name: z.optional(text(60)),
    phone: z.optional(
      z
        .string()
        .check(
          z.regex(/^\+?[0-9][0-9 -]{4,19}$/, 'a phone number: digits, spaces or dashes, optional leading +'),
        ),
    ),
  });

export const Location = /* @__PURE__ */ lazySchema(() =>
  z.strictObject({
    lat: z.number().check(z.gte(-90), z.lte(90), z.describe('Latitude in degrees')),
    lng: z.number().check(z.gte(-180), z.lte(180), z.describe('Longitude in degrees')),
    crs: z
      ._default(z.enum(['wgs84', 'gcj02']), 'wgs84')
      .check(z.describe('wgs84 (GPS) or gcj02 (Chinese map apps)')),
    address: z.optional(text(200)),
  }),
);

export const ReportBody = /* @__PURE__ */ lazySchema(() =>
  z.strictObject({
    source: z.enum(SOURCES),
    category: z
      .optional(z.string().check(z.minLength(1), z.maxLength(80)))
      .check(z.describe('A category code from GET /v1/district; without it the case goes to triage')),
    description: text(2000),
    location: Location(),
    occurredAt: z.optional(z.iso.datetime({ offset: true })),
    reporter: z.optional(contact()),
    externalRef: z
      .optional(
        z.strictObject({
          system: z
            .string()
            .check(z.regex(/^[A-Za-z0-9._-]{1,40}$/, 'letters, digits, dot, dash, underscore (≤ 40)')),
          id: text(100),
        }),
      )
      .check(z.describe('The ticket in the sending system; a ticket already seen returns its case')),
  }),
);

const expectedVersion = /* @__PURE__ */ lazySchema(() =>
  z
    .optional(z.number().check(z.int(), z.positive()))
    .check(z.describe('Stale versions are refused with 409')),
);
const reason = /* @__PURE__ */ lazySchema(() => text(1000));
const note = /* @__PURE__ */ lazySchema(() => text(2000));

export const COMMAND_BODIES = {
  dispatch: /* @__PURE__ */ lazySchema(() =>
    z.strictObject({
      department: z
        .optional(z.string().check(z.minLength(1), z.maxLength(60)))
        .check(z.describe('Defaults to the lead department; a change is a reassignment')),
      category: z
        .optional(z.string().check(z.minLength(1), z.maxLength(80)))
        .check(z.describe('Required for a case in triage; re-routes the case')),
      reason: z.optional(reason()).check(z.describe('Required when reassigning a dispatched case')),
      expectedVersion: expectedVersion(),
    }),
  ),
  accept: /* @__PURE__ */ lazySchema(() =>
    z.strictObject({ note: z.optional(note()), expectedVersion: expectedVersion() }),
  ),
  return: /* @__PURE__ */ lazySchema(() =>
    z.strictObject({ reason: reason(), expectedVersion: expectedVersion() }),
  ),
  progress: /* @__PURE__ */ lazySchema(() =>
    z.strictObject({ note: note(), expectedVersion: expectedVersion() }),
  ),
  resolve: /* @__PURE__ */ lazySchema(() =>
    z.strictObject({ result: note(), expectedVersion: expectedVersion() }),
  ),
  verify: /* @__PURE__ */ lazySchema(() =>
    z.strictObject({ passed: z.boolean(), note: z.optional(note()), expectedVersion: expectedVersion() }),
  ),
  close: /* @__PURE__ */ lazySchema(() =>
    z.strictObject({ note: z.optional(note()), expectedVersion: expectedVersion() }),
  ),
  reopen: /* @__PURE__ */ lazySchema(() =>
    z.strictObject({ reason: reason(), expectedVersion: expectedVersion() }),
  ),
  cancel: /* @__PURE__ */ lazySchema(() =>
    z.strictObject({ reason: reason(), expectedVersion: expectedVersion() }),
  ),
  escalate: /* @__PURE__ */ lazySchema(() =>
    z
      .strictObject({ reason: reason(), expectedVersion: expectedVersion() })
      .check(
        z.describe(
          '督办 by hand: the next level of the escalation ladder now (a reminder at the last level)',
        ),
      ),
  ),
  hold: /* @__PURE__ */ lazySchema(() =>
    z
      .strictObject({ reason: reason(), expectedVersion: expectedVersion() })
      .check(z.describe('Suspends the running deadline, e.g. while waiting for the reporter')),
  ),
  resume: /* @__PURE__ */ lazySchema(() =>
    z.strictObject({ note: z.optional(note()), expectedVersion: expectedVersion() }),
  ),
} as const;

export type CommandName = keyof typeof COMMAND_BODIES;

/** The longest verdict comment (回访意见). */
export const VERDICT_COMMENT_MAX = 500;
const verdictComment = /* @__PURE__ */ lazySchema(() =>
  z.optional(text(VERDICT_COMMENT_MAX)).check(z.describe('The reporter’s own words about the result')),
);

/** The reporter's verdict on a closed case (POST /v1/cases/{id}/satisfaction). */
export const SatisfactionBody = /* @__PURE__ */ lazySchema(() =>
  z.strictObject({
    rating: z
      .enum(RATINGS)
      .check(
        z.describe('满意 satisfied, 基本满意 basically_satisfied, 不满意 dissatisfied (may reopen the case)'),
      ),
    comment: verdictComment(),
    expectedVersion: expectedVersion(),
  }),
);

export const DUPLICATE_BODIES = {
  merge: /* @__PURE__ */ lazySchema(() =>
    z.strictObject({
      into: z.string().check(z.regex(/^C[A-Za-z0-9_-]{20,30}$/, 'a case id')),
      reason: z.optional(reason()),
      expectedVersion: expectedVersion(),
    }),
  ),
  unmerge: /* @__PURE__ */ lazySchema(() =>
    z.strictObject({ reason: reason(), expectedVersion: expectedVersion() }),
  ),
  'dismiss-duplicate': /* @__PURE__ */ lazySchema(() =>
    z.strictObject({ reason: reason(), expectedVersion: expectedVersion() }),
  ),
} as const;

/** The largest page of cases per view: full cases are heavy, summaries a tenth of that. */
export const LIST_LIMIT = { full: 100, summary: 1000 } as const;
const LIST_LIMIT_RULE = 'an integer from 1 to 100 (1,000 with view=summary)';

export const ListQuery = /* @__PURE__ */ lazySchema(() =>
  z
    .strictObject({
      status: z.optional(z.enum(CASE_STATUSES)),
      department: z.optional(z.string().check(z.minLength(1), z.maxLength(60))),
      zone: z.optional(z.string().check(z.minLength(1), z.maxLength(60))),
      overdue: z.optional(z.enum(['true', 'false'])),
      /** The review queue: cases flagged as possible duplicates. */
      possibleDuplicate: z.optional(z.literal('true')),
      /** The incremental refresh: only cases changed after this instant, oldest change first. */
      changedSince: z.optional(
        z.pipe(
          z.iso.datetime({ offset: true }),
          z.transform((instant) => new Date(instant).toISOString()),
        ),
      ),
      limit: z.optional(
        z.pipe(
          z.pipe(z.string().check(z.regex(/^[0-9]{1,4}$/, LIST_LIMIT_RULE)), z.transform(Number)),
          z.number().check(z.int(), z.gte(1), z.lte(LIST_LIMIT.summary)),
        ),
      ),
      cursor: z.optional(z.string().check(z.minLength(1), z.maxLength(2000))),
      /** `summary`: each case as a board needs it (`caseSummaryOf`), in pages of up to 1,000. */
      view: z.optional(z.enum(['full', 'summary'])),
    })
    .check(
      z.refine((query) => (query.limit ?? 0) <= LIST_LIMIT[query.view ?? 'full'], {
        path: ['limit'],
        message: LIST_LIMIT_RULE,
      }),
    ),
);

/** A list or export query's yes/no flags as the case filters the use cases take (`overdue=false` filters too). */
export const caseFiltersOf = <Q extends { overdue?: 'true' | 'false'; possibleDuplicate?: 'true' }>({
  overdue,
  possibleDuplicate,
  ...rest
}: Q): Omit<Q, 'overdue' | 'possibleDuplicate'> & Pick<CaseFilters, 'overdue' | 'possibleDuplicate'> => ({
  ...rest,
  ...(overdue !== undefined && { overdue: overdue === 'true' }),
  ...(possibleDuplicate !== undefined && { possibleDuplicate: true }),
});

export const CaseId = /* @__PURE__ */ lazySchema(() =>
  z.string().check(z.regex(/^C[A-Za-z0-9_-]{20,30}$/, 'a case id as returned by POST /v1/cases')),
);

export const IdempotencyKey = /* @__PURE__ */ lazySchema(() =>
  z.string().check(z.regex(/^[\x21-\x7e]{1,255}$/, '1–255 visible ASCII characters')),
);

export const IntegrationKeyBody = /* @__PURE__ */ lazySchema(() =>
  z
    .strictObject({
      name: text(80).check(z.describe('Who holds the key, e.g. "12345 热线平台"')),
      source: z.enum(SOURCES).check(z.describe('The only source the key may report as')),
      actions: z
        ._default(z.array(z.enum(INTEGRATION_ACTIONS)).check(z.minLength(1)), ['report'])
        .check(
          z.describe(
            'What the key may do: "report" (create cases), "events" (signed department-system events), "alerts" (signed camera alerts, source camera); with "events" or "alerts" the reply shows a signingSecret once',
          ),
        ),
      rateLimitPerMinute: z
        ._default(
          z.number().check(z.int(), z.gte(RATE_LIMIT_PER_MINUTE.min), z.lte(RATE_LIMIT_PER_MINUTE.max)),
          RATE_LIMIT_PER_MINUTE.default,
        )
        .check(z.describe('Requests a minute the key may make; more are refused with 429')),
      department: z
        .optional(z.string().check(z.regex(/^[a-z][a-z0-9-]{1,40}$/)))
        .check(z.describe('The department a department system acts for (required with "events")')),
    })
    .check(
      z.superRefine((body, ctx) => {
        // Runs even when `actions` failed its own check (zod 4's non-fatal issues): look before using it.
        if (Array.isArray(body.actions) && body.actions.includes('events') && body.department === undefined) {
          ctx.addIssue({
            code: 'custom',
            path: ['department'],
            message: 'a key with "events" acts for a department: name it',
          });
        }
        // Camera alerts become reports of source `camera`: a key that sends them can report as nothing else.
        if (body.actions.includes('alerts') && body.source !== 'camera') {
          ctx.addIssue({
            code: 'custom',
            path: ['source'],
            message: 'a key with "alerts" sends camera alerts: its source is "camera"',
          });
        }
      }),
    ),
);

export const IntegrationKeyId = /* @__PURE__ */ lazySchema(() =>
  z.string().check(z.regex(KEY_ID_PATTERN, 'an integration key id as returned by POST /v1/integration-keys')),
);

/** Revoking takes no fields; an unknown one is refused rather than ignored. */
export const RevokeBody = /* @__PURE__ */ lazySchema(() => z.strictObject({}));

/** A 12345 hotline ticket (POST /v1/integrations/hotline/tickets). */
export const HotlineTicketBody = /* @__PURE__ */ lazySchema(() =>
  z
    .strictObject({
      ticketNo: z
        .string()
        .check(
          z.regex(
            /^[A-Za-z0-9._-]{1,60}$/,
            'the platform’s ticket number: letters, digits, dot, dash, underscore',
          ),
          z.describe('The ticket number (工单号); the same ticket again returns its case'),
        ),
      caller: z.optional(contact()),
      content: text(1900).check(z.describe('What the caller reported (诉求内容)')),
      address: text(200).check(z.describe('The address the caller gave')),
      categoryText: z
        .optional(text(80))
        .check(
          z.describe(
            'The platform’s own category (mapped by the district’s hotline table; unmapped → triage)',
          ),
        ),
      receivedAt: z.iso.datetime({ offset: true }).check(z.describe('When the call came in')),
      lat: z.optional(z.number().check(z.gte(-90), z.lte(90))),
      lng: z.optional(z.number().check(z.gte(-180), z.lte(180))),
      crs: z.optional(z.enum(['wgs84', 'gcj02'])),
    })
    .check(
      z.superRefine((body, ctx) => {
        if ((body.lat === undefined) !== (body.lng === undefined)) {
          ctx.addIssue({
            code: 'custom',
            path: [body.lat === undefined ? 'lat' : 'lng'],
            message: 'lat and lng come together',
          });
        }
      }),
    ),
);

/** The 12345 platform's callback result for one of its tickets (POST /v1/integrations/hotline/callbacks). */
export const HotlineCallbackBody = /* @__PURE__ */ lazySchema(() =>
  z.strictObject({
    ticketNo: z
      .string()
      .check(
        z.regex(
          /^[A-Za-z0-9._-]{1,60}$/,
          'the platform’s ticket number: letters, digits, dot, dash, underscore',
        ),
        z.describe('The ticket (工单号) the platform filed with POST /v1/integrations/hotline/tickets'),
      ),
    result: z
      .enum(
        Object.keys(HOTLINE_RATINGS) as [keyof typeof HOTLINE_RATINGS, ...(keyof typeof HOTLINE_RATINGS)[]],
      )
      .check(z.describe('回访结果 in the platform’s words: 满意, 基本满意 or 不满意')),
    comment: verdictComment(),
    calledBackAt: z.iso
      .datetime({ offset: true })
      .check(
        z.describe('When the caller was called back; with ticketNo, it makes a resent callback the same one'),
      ),
  }),
);

const eventId = /* @__PURE__ */ lazySchema(() =>
  z
    .string()
    .check(
      z.regex(/^[A-Za-z0-9._:-]{1,100}$/, 'the event’s id in the sending system: letters, digits, . _ : -'),
      z.describe('The event’s id in the department system; the same event again changes nothing'),
    ),
);

/** An event a department system pushes (POST /v1/integrations/{system}/events), signed. */
export const DepartmentEventBody = /* @__PURE__ */ lazySchema(() =>
  z.discriminatedUnion('type', [
    z.strictObject({
      type: z.literal('report'),
      eventId: eventId(),
      report: z.omit(ReportBody(), { source: true, externalRef: true }),
    }),
    z.strictObject({
      type: z.literal('progress'),
      eventId: eventId(),
      caseId: z.string().check(z.minLength(1), z.maxLength(60)),
      note: note(),
    }),
    z.strictObject({
      type: z.literal('result'),
      eventId: eventId(),
      caseId: z.string().check(z.minLength(1), z.maxLength(60)),
      result: note(),
    }),
    z
      .strictObject({
        type: z.literal('satisfaction'),
        eventId: eventId(),
        caseId: z.string().check(z.minLength(1), z.maxLength(60)),
        rating: z.enum(RATINGS),
        comment: verdictComment(),
      })
      .check(
        z.describe(
          'The reporter’s verdict from the department’s own callback, on a closed case it led or handled',
        ),
      ),
  ]),
);

export const SystemName = /* @__PURE__ */ lazySchema(() =>
  z
    .string()
    .check(z.regex(/^[a-z][a-z0-9-]{1,40}$/, 'a department id of the district, e.g. urban-management')),
);

/** A webhook subscription (POST /v1/subscriptions): whose cases, which events, where to. */
export const SubscriptionBody = /* @__PURE__ */ lazySchema(() =>
  z
    .strictObject({
      name: text(80).check(z.describe('Who receives, e.g. "城管执法系统"')),
      url: z
        .url({ protocol: /^https?$/ })
        .check(
          z.maxLength(500),
          z.describe('Where deliveries are POSTed: https, or http to this machine (local runs)'),
        ),
      department: z
        .optional(z.string().check(z.regex(/^[a-z][a-z0-9-]{1,40}$/)))
        .check(z.describe('Follow the cases this department is assigned or leads')),
      source: z
        .optional(z.enum(SOURCES))
        .check(z.describe('Follow every case of this source (the hotline platform: hotline)')),
      events: z
        .array(z.enum(SUBSCRIPTION_EVENTS))
        .check(z.minLength(1), z.describe('case.assigned, case.escalated, case.closed, case.status_changed')),
    })
    .check(
      z.superRefine((body, ctx) => {
        if ((body.department === undefined) === (body.source === undefined)) {
          ctx.addIssue({
            code: 'custom',
            path: ['department'],
            message: 'name exactly one of department or source',
          });
        }
        // Zod 4 still runs this refinement when a field failed (non-fatal issues), so the url may be
        // anything here; its own check has already reported it.
        if (typeof body.url !== 'string' || !URL.canParse(body.url)) return;
        const url = new URL(body.url);
        const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
        if (url.protocol === 'http:' && !loopback) {
          ctx.addIssue({
            code: 'custom',
            path: ['url'],
            message: 'deliveries leave the platform over https only',
          });
        }
      }),
    ),
);

export const SubscriptionId = /* @__PURE__ */ lazySchema(() =>
  z.string().check(z.regex(KEY_ID_PATTERN, 'a subscription id as returned by POST /v1/subscriptions')),
);

export const DeliveriesQuery = /* @__PURE__ */ lazySchema(() =>
  z.strictObject({
    limit: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(200)), 50),
    cursor: z.optional(z.string().check(z.minLength(1), z.maxLength(2000))),
  }),
);

/** POST /v1/cases/{id}/attachments: what the device is about to upload. */
export const AttachmentRequestBody = /* @__PURE__ */ lazySchema(() =>
  z.strictObject({
    kind: z.enum(['photo', 'video', 'document']),
    contentType: z
      .string()
      .check(
        z.regex(/^[a-z]+\/[a-z0-9.+-]+$/, 'a media type such as image/jpeg'),
        z.describe(
          'image/jpeg, image/png, image/webp, image/heic; video/mp4, video/quicktime; application/pdf',
        ),
      ),
    size: z
      .number()
      .check(z.int(), z.positive(), z.describe('Bytes; photos ≤ 15 MB, videos ≤ 200 MB, documents ≤ 20 MB')),
    sha256: z
      .optional(z.string().check(z.regex(/^[0-9a-f]{64}$/, '64 lowercase hex digits')))
      .check(
        z.describe(
          'Of the content: checked after upload, and a second request with it names the same attachment',
        ),
      ),
    takenAt: z
      .optional(z.iso.datetime({ offset: true }))
      .check(z.describe('What the device says; EXIF decides')),
  }),
);
