import { DELETABLE_PARTITIONS } from '../adapters/aws/table-design';

/**
 * Every Lambda function of a district stack: its entry file, its HTTP routes and its other triggers
 * (Architect's manifest is the model). The CDK stack builds one function per entry, one API route
 * per route and one event source, rule or notification per trigger; the local cloud serves the same
 * routes and wires the same triggers to the same entry files (infra/local/wiring.ts). Adding a
 * function, a route or a schedule is one edit here.
 */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

/**
 * Who may call a non-public route: a user with a JWT (the default), or a machine client with an
 * integration key in the `x-api-key` header, checked by the function that `authorizes: 'apiKey'`.
 */
export type RouteAuth = 'jwt' | 'apiKey';

/** The header integration keys travel in (the key authorizer's identity source). */
export const API_KEY_HEADER = 'x-api-key';

export interface HttpRoute {
  method: HttpMethod;
  /** API Gateway path syntax: `{id}` for a path parameter. */
  path: string;
  /** Public routes skip every authorizer (health, OpenAPI document). */
  public?: boolean;
  auth?: RouteAuth;
}

/** The authorizer a route sits behind, `none` for public routes. */
export const authOf = (route: HttpRoute): RouteAuth | 'none' =>
  route.public ? 'none' : (route.auth ?? 'jwt');

/** The district's work queues a function may consume (infra/stack/queues.ts, infra/local/sqs.ts). */
export type QueueName = 'intake' | 'dueChecks' | 'notifications' | 'exportJobs';

/** Invoked with batches of a queue's messages; failures are reported per message. */
export interface QueueTrigger {
  kind: 'queue';
  queue: QueueName;
  batchSize: number;
  /** How long Lambda gathers a batch (standard queues only: a FIFO event source takes none). */
  maxBatchingWindowSeconds?: number;
  /** The most batches run at once on AWS. */
  maxConcurrency?: number;
}

/** Invoked on a timer: an EventBridge rule on AWS; locally as `local` says. */
export interface ScheduleTrigger {
  kind: 'schedule';
  everyMinutes: number;
  /**
   * What the local cloud does instead: run the function every `everySeconds` (and once at start,
   * with `startDetail` as the event's detail), or `startup`: the local cloud does the same job once
   * at start-up by itself (infra/local/deadlines.ts `rearm`) and never invokes the function.
   */
  local: { everySeconds: number; startDetail?: Record<string, unknown> } | 'startup';
}

/** Invoked by the bucket's ObjectCreated notifications. */
export interface ObjectCreatedTrigger {
  kind: 'objectCreated';
  bucket: 'evidence';
}

/** The HTTP API's Lambda authorizer for the routes with this `auth`. */
export interface AuthorizerTrigger {
  kind: 'authorizer';
  auth: 'apiKey';
}

/** The table's change stream, case items only, in batches applied whole (no partial failures). */
export interface CaseChangesTrigger {
  kind: 'caseChanges';
  batchSize: number;
  maxBatchingWindowSeconds: number;
  retryAttempts: number;
}

/** What invokes a function besides its HTTP routes. */
export type Trigger =
  | QueueTrigger
  | ScheduleTrigger
  | ObjectCreatedTrigger
  | AuthorizerTrigger
  | CaseChangesTrigger;

export interface FunctionSpec {
  /** Logical name, also the folder under `functions/`. */
  name: string;
  /** Entry file relative to the repository root; it exports `handler`. */
  entry: string;
  description: string;
  routes: HttpRoute[];
  /** What the function touches, so the stack grants exactly that. */
  access: {
    table: 'none' | 'read' | 'readWrite';
    /**
     * Partition key prefixes of the items the function deletes (registry entries, never cases):
     * DeleteItem is granted on those partitions only (`dynamodb:LeadingKeys`).
     */
    deletes?: readonly string[];
    /** Sending only: consuming comes with a `queue` trigger, whose event source grants it. */
    intakeQueue: 'none' | 'send';
    /** Deadline timers (Step Functions): start executions, or answer their due checks. */
    timers?: 'none' | 'start' | 'reply';
    /**
     * The notification queue (assignments, escalations, case events, subscription deliveries).
     * Its consumer (a `queue` trigger) is also granted sending to it (the fan-out of case events)
     * and changing visibility (backoff).
     */
    notifications?: 'none' | 'send';
    /**
     * The evidence bucket: `forms` presigns uploads of originals and downloads of verified
     * evidence; `check` reads new uploads, writes thumbnails and moves rejects to quarantine, places
     * arrived camera snapshots in their case, and is invoked by the bucket's ObjectCreated
     * notifications; `snapshots` stages camera snapshots (writes and presigns `snapshots/`);
     * `place` copies a staged snapshot to its case's attachment key.
     */
    evidence?: 'none' | 'forms' | 'check' | 'snapshots' | 'place';
    /**
     * The exports bucket: `write` puts big exports there and signs their download links; `sign`
     * only signs links to finished export jobs; `jobs` writes, reads and deletes the export jobs'
     * chunks and files.
     */
    exports?: 'none' | 'write' | 'sign' | 'jobs';
    /** The export job queue: the API sends new jobs; its consumer (a `queue` trigger) also queues a job again to continue. */
    exportJobs?: 'none' | 'send';
  };
  memoryMb?: number;
  timeoutSeconds?: number;
  /**
   * npm modules with native binaries (sharp): left out of the esbuild bundle and installed beside
   * it for Lambda's platform (linux-arm64) when CDK bundles the function.
   */
  nativeModules?: string[];
  /**
   * npm modules that one path loads with `import()` (exceljs, for XLSX exports): left out of the
   * bundle, since a cold start parses every byte of it even where the path never runs, and installed
   * beside it like native modules.
   */
  lazyModules?: string[];
  /** What invokes the function besides its routes; none: only its routes (or nothing). */
  triggers?: Trigger[];
}

/** The function's triggers of one kind. */
export const triggersOfKind = <K extends Trigger['kind']>(
  spec: Pick<FunctionSpec, 'triggers'>,
  kind: K,
): Extract<Trigger, { kind: K }>[] =>
  (spec.triggers ?? []).filter((trigger): trigger is Extract<Trigger, { kind: K }> => trigger.kind === kind);

/** The function's trigger on that queue, if it consumes it. */
export const queueTriggerOf = (
  spec: Pick<FunctionSpec, 'triggers'>,
  queue: QueueName,
): QueueTrigger | undefined => triggersOfKind(spec, 'queue').find((trigger) => trigger.queue === queue);

export const consumes = (spec: Pick<FunctionSpec, 'triggers'>, queue: QueueName): boolean =>
  queueTriggerOf(spec, queue) !== undefined;

/** The routes' `auth` the function is the Lambda authorizer of, if it is one. */
export const authorizerOf = (spec: Pick<FunctionSpec, 'triggers'>): RouteAuth | undefined =>
  triggersOfKind(spec, 'authorizer')[0]?.auth;

/** The EventBridge expression of a schedule: `rate(5 minutes)`, `rate(1 hour)`. */
export const rateExpression = ({ everyMinutes }: ScheduleTrigger): string => {
  const [value, unit] =
    everyMinutes % 1440 === 0
      ? [everyMinutes / 1440, 'day']
      : everyMinutes % 60 === 0
        ? [everyMinutes / 60, 'hour']
        : [everyMinutes, 'minute'];
  return `rate(${value} ${unit}${value === 1 ? '' : 's'})`;
};

/** What the bundle leaves out and the deploy installs beside it. */
export const unbundledModulesOf = (spec: Pick<FunctionSpec, 'nativeModules' | 'lazyModules'>): string[] => [
  ...(spec.nativeModules ?? []),
  ...(spec.lazyModules ?? []),
];

/**
 * How the case-change stream reaches its consumer, on AWS and locally. Big batches over a couple of
 * seconds: a burst's changes to one bucket become one write, and the figures lag by seconds.
 */
export const CASE_CHANGES_BATCH = {
  batchSize: 1000,
  maxBatchingWindowSeconds: 5,
  retryAttempts: 10,
} as const;

/**
 * The most batches the router runs at once on AWS. A FIFO event source runs one batch per active
 * message group (routing area) at most; this caps the burst of a city-wide storm (each batch holds
 * up to ten reports of one area) well below what the table's on-demand capacity takes at once.
 */
export const ROUTER_MAX_CONCURRENCY = 20;

/** How the standard work queues reach their consumers: batches of ten, gathered for up to a second. */
const WORK_QUEUE_BATCH = { batchSize: 10, maxBatchingWindowSeconds: 1 } as const;

/**
 * The notifier's batches: up to a hundred, gathered for up to a second. A burst's registrations each
 * send a case event and an assignment; each batch reads the subscriptions once, and its deliveries
 * run side by side.
 */
const NOTIFICATION_BATCH = { batchSize: 100, maxBatchingWindowSeconds: 1 } as const;

export const WORKFLOW_COMMANDS = [
  'dispatch',
  'accept',
  'return',
  'progress',
  'resolve',
  'verify',
  'close',
  'reopen',
  'cancel',
  'escalate',
  'hold',
  'resume',
] as const;

/** One event, one case: manual merge and its undo, and dismissing a possible-duplicate flag. */
export const DUPLICATE_COMMANDS = ['merge', 'unmerge', 'dismiss-duplicate'] as const;

/** Commands on a joint visit: POST /v1/joint-visits/{id}/<command>. */
export const JOINT_VISIT_COMMANDS = ['confirm', 'accept', 'resolve'] as const;

export const FUNCTIONS: FunctionSpec[] = [
  {
    name: 'intake',
    entry: 'functions/intake/handler.ts',
    description:
      'Accepts reports (POST /v1/cases; machine clients: POST /v1/integrations/reports, 12345 tickets), idempotently, and hands them to the intake queue',
    routes: [
      { method: 'POST', path: '/v1/cases' },
      { method: 'POST', path: '/v1/integrations/reports', auth: 'apiKey' },
      { method: 'POST', path: '/v1/integrations/hotline/tickets', auth: 'apiKey' },
    ],
    access: { table: 'readWrite', intakeQueue: 'send' },
  },
  {
    name: 'cases',
    entry: 'functions/cases/handler.ts',
    description:
      'Reads cases and runs the workflow commands; records the reporter’s verdict (回访), also from the 12345 platform’s callbacks',
    routes: [
      { method: 'GET', path: '/v1/cases' },
      { method: 'GET', path: '/v1/cases/{id}' },
      { method: 'GET', path: '/v1/cases/{id}/audit' },
      ...WORKFLOW_COMMANDS.map((command) => ({ method: 'POST' as const, path: `/v1/cases/{id}/${command}` })),
      ...DUPLICATE_COMMANDS.map((command) => ({
        method: 'POST' as const,
        path: `/v1/cases/{id}/${command}`,
      })),
      { method: 'POST', path: '/v1/cases/{id}/satisfaction' },
      // A verdict may reopen the case: the function that re-arms its timers takes the callbacks.
      { method: 'POST', path: '/v1/integrations/hotline/callbacks', auth: 'apiKey' },
    ],
    access: { table: 'readWrite', intakeQueue: 'none', timers: 'start', notifications: 'send' },
  },
  {
    name: 'joint-visits',
    entry: 'functions/joint-visits/handler.ts',
    description:
      'Joint visits (综合查一次): lists and figures; confirm, accept and resolve a visit, fanned out to every case it covers',
    routes: [
      { method: 'GET', path: '/v1/joint-visits' },
      { method: 'GET', path: '/v1/joint-visits/summary' },
      { method: 'GET', path: '/v1/joint-visits/{id}' },
      ...JOINT_VISIT_COMMANDS.map((command) => ({
        method: 'POST' as const,
        path: `/v1/joint-visits/{id}/${command}`,
      })),
    ],
    access: { table: 'readWrite', intakeQueue: 'none', timers: 'start', notifications: 'send' },
  },
  {
    name: 'premises',
    entry: 'functions/premises/handler.ts',
    description: 'Premises history (一户一档): every case and joint visit at one premises, newest first',
    routes: [{ method: 'GET', path: '/v1/premises/{id}' }],
    access: { table: 'read', intakeQueue: 'none' },
  },
  {
    name: 'open311',
    entry: 'functions/open311/handler.ts',
    description:
      'Open311 GeoReport v2 at /open311/v2 (XML and JSON): services from the district, request search and status, POST requests with an api_key',
    // `{file}` is `<resource>.<format>`: HTTP API paths can't put a parameter beside a literal.
    // Public at the gateway: the spec's reads need no key, and the POST's api_key travels in the
    // form body, where no authorizer can read it (the function checks it against the key store).
    routes: [
      { method: 'GET', path: '/open311/v2/{file}', public: true },
      { method: 'GET', path: '/open311/v2/services/{file}', public: true },
      { method: 'GET', path: '/open311/v2/requests/{file}', public: true },
      { method: 'GET', path: '/open311/v2/tokens/{file}', public: true },
      { method: 'POST', path: '/open311/v2/{file}', public: true },
    ],
    access: { table: 'readWrite', intakeQueue: 'send' },
  },
  {
    name: 'meta',
    entry: 'functions/meta/handler.ts',
    description: 'The district, health and the OpenAPI document',
    routes: [
      { method: 'GET', path: '/v1/district' },
      { method: 'GET', path: '/health', public: true },
      { method: 'GET', path: '/openapi.json', public: true },
    ],
    access: { table: 'read', intakeQueue: 'none' },
  },
  {
    name: 'evaluation',
    entry: 'functions/evaluation/handler.ts',
    description:
      'Evaluation (分析研判): figures and hotspots from the materialized aggregates, case exports (CSV, XLSX) and the monthly evaluation workbook',
    routes: [
      { method: 'GET', path: '/v1/metrics' },
      { method: 'GET', path: '/v1/metrics/hotspots' },
      { method: 'GET', path: '/v1/exports/cases.csv' },
      { method: 'GET', path: '/v1/exports/cases.xlsx' },
      { method: 'GET', path: '/v1/exports/evaluation.xlsx' },
    ],
    // Reads only: the aggregates are written by whoever saves a case. Big exports go to S3.
    access: { table: 'read', intakeQueue: 'none', exports: 'write' },
    // Building a 5,000-row workbook in memory.
    memoryMb: 1024,
    timeoutSeconds: 29,
    // A megabyte of bundle that only the XLSX exports use.
    lazyModules: ['exceljs'],
  },
  {
    name: 'export-jobs',
    entry: 'functions/export-jobs/handler.ts',
    description:
      'Exports as jobs: POST /v1/exports makes one (the case list as CSV or XLSX, or the monthly evaluation workbook) and answers 202; GET /v1/exports/{id} gives its progress and, once done, a short-lived link',
    routes: [
      { method: 'POST', path: '/v1/exports' },
      { method: 'GET', path: '/v1/exports/{id}' },
    ],
    access: { table: 'readWrite', intakeQueue: 'none', exports: 'sign', exportJobs: 'send' },
  },
  {
    name: 'export-worker',
    entry: 'functions/export-worker/handler.ts',
    description:
      'Consumes the export job queue: pages through the cases in steps (a chunk each, the cursor saved), composes the file in the exports bucket, queues the job again when its time runs short',
    routes: [],
    triggers: [{ kind: 'queue', queue: 'exportJobs', ...WORK_QUEUE_BATCH }],
    access: { table: 'readWrite', intakeQueue: 'none', exports: 'jobs', exportJobs: 'send' },
    // exceljs only for XLSX jobs: installed beside the bundle, loaded on first use (as evaluation does).
    lazyModules: ['exceljs'],
    // Composing 250,000 rows (the most a job holds) as XLSX in memory; more memory is also more CPU.
    memoryMb: 2048,
    // Long enough to compose the biggest file in one go; reading stops early and re-queues the job.
    timeoutSeconds: 120,
  },
  {
    name: 'cameras',
    entry: 'functions/cameras/handler.ts',
    description:
      'The camera registry (视频监控): administrators register, replace, remove and import cameras; the cameras nearest a case, from the geo index; signed camera alerts as reports',
    routes: [
      { method: 'GET', path: '/v1/cameras' },
      { method: 'POST', path: '/v1/cameras' },
      { method: 'POST', path: '/v1/cameras/import' },
      { method: 'PUT', path: '/v1/cameras/{id}' },
      { method: 'DELETE', path: '/v1/cameras/{id}' },
      { method: 'GET', path: '/v1/cases/{id}/cameras' },
      // Public at the gateway like department events: the HMAC signature (key action `alerts`) is
      // the credential, checked by the function; no secret travels with the request.
      { method: 'POST', path: '/v1/integrations/cameras/alerts', public: true },
    ],
    // Alerts' snapshots are staged under snapshots/ (fetched, or uploaded with a form) until the
    // router knows their case.
    access: {
      table: 'readWrite',
      deletes: [DELETABLE_PARTITIONS.camera],
      intakeQueue: 'send',
      evidence: 'snapshots',
    },
  },
  {
    name: 'integration-keys',
    entry: 'functions/integration-keys/handler.ts',
    description: 'Integration keys for machine clients: an administrator issues, lists and revokes them',
    routes: [
      { method: 'POST', path: '/v1/integration-keys' },
      { method: 'GET', path: '/v1/integration-keys' },
      { method: 'POST', path: '/v1/integration-keys/{id}/revoke' },
    ],
    access: { table: 'readWrite', intakeQueue: 'none' },
  },
  {
    name: 'key-authorizer',
    entry: 'functions/key-authorizer/handler.ts',
    description: 'Lambda authorizer of the integration routes: checks the x-api-key against the stored keys',
    routes: [],
    triggers: [{ kind: 'authorizer', auth: 'apiKey' }],
    access: { table: 'read', intakeQueue: 'none' },
    // API Gateway waits at most 10 s for an authorizer; a key check is one GetItem.
    timeoutSeconds: 5,
  },
  {
    name: 'attachments',
    entry: 'functions/attachments/handler.ts',
    description:
      'Evidence from the field: upload forms (S3 presigned POST) for photos, videos and documents on a case, and the list with short-lived links',
    routes: [
      { method: 'POST', path: '/v1/cases/{id}/attachments' },
      { method: 'GET', path: '/v1/cases/{id}/attachments' },
    ],
    access: { table: 'readWrite', intakeQueue: 'none', evidence: 'forms' },
  },
  {
    name: 'evidence',
    entry: 'functions/evidence/handler.ts',
    description:
      'S3 ObjectCreated on the evidence bucket: checks type, size, EXIF time and place (a camera snapshot: the camera and the alert time), makes a thumbnail, marks the attachment and appends to the case timeline; places arrived camera snapshots in their case',
    routes: [],
    triggers: [{ kind: 'objectCreated', bucket: 'evidence' }],
    access: { table: 'readWrite', intakeQueue: 'none', evidence: 'check' },
    // sharp decodes photos of up to 15 MB: more memory is also more CPU.
    memoryMb: 1536,
    timeoutSeconds: 60,
    nativeModules: ['sharp'],
  },
  {
    name: 'route-reports',
    entry: 'functions/route-reports/handler.ts',
    description:
      'Consumes the intake queue: registers each report and routes it (SQS, partial batch failures); copies a camera report’s snapshot to its case',
    routes: [],
    // FIFO: no batching window (Lambda refuses one), concurrency capped.
    triggers: [{ kind: 'queue', queue: 'intake', batchSize: 10, maxConcurrency: ROUTER_MAX_CONCURRENCY }],
    access: {
      table: 'readWrite',
      intakeQueue: 'none',
      timers: 'start',
      notifications: 'send',
      evidence: 'place',
    },
  },
  {
    name: 'aggregate-cases',
    entry: 'functions/aggregate-cases/handler.ts',
    description:
      'Keeps the evaluation aggregates (分析研判) from the table’s change stream: every saved change of a case, whoever wrote it',
    routes: [],
    triggers: [{ kind: 'caseChanges', ...CASE_CHANGES_BATCH }],
    access: { table: 'readWrite', intakeQueue: 'none' },
  },
  {
    name: 'sweep-unrouted',
    entry: 'functions/sweep-unrouted/handler.ts',
    description: 'Re-enqueues reports acknowledged but not yet routed (a crash between two steps)',
    routes: [],
    // Locally every 30 s, and at once at start-up with no grace: fauxqs keeps nothing across a
    // restart, so every report still unrouted then is orphaned, however young.
    triggers: [
      { kind: 'schedule', everyMinutes: 5, local: { everySeconds: 30, startDetail: { graceSeconds: 0 } } },
    ],
    access: { table: 'read', intakeQueue: 'send' },
  },
  {
    name: 'rearm-timers',
    entry: 'functions/rearm-timers/handler.ts',
    description:
      'Hourly: starts any missing deadline timer (a crash between saving a case and starting its timer)',
    routes: [],
    // Locally the re-arm runs once at every start-up instead (in-process, infra/local/deadlines.ts).
    triggers: [{ kind: 'schedule', everyMinutes: 60, local: 'startup' }],
    access: { table: 'read', intakeQueue: 'none', timers: 'start' },
  },
  {
    name: 'escalate',
    entry: 'functions/escalate/handler.ts',
    description:
      'Consumes the due checks of the deadline timers: escalates overdue cases up the ladder, tells the timer when to look next',
    routes: [],
    triggers: [{ kind: 'queue', queue: 'dueChecks', ...WORK_QUEUE_BATCH }],
    access: { table: 'readWrite', intakeQueue: 'none', timers: 'reply', notifications: 'send' },
  },
  {
    name: 'notify',
    entry: 'functions/notify/handler.ts',
    description:
      'Consumes the notification queue: assignments and escalations to the district webhooks, case events fanned out to the subscriptions, signed deliveries retried with backoff and recorded',
    routes: [],
    triggers: [{ kind: 'queue', queue: 'notifications', ...NOTIFICATION_BATCH }],
    access: { table: 'readWrite', intakeQueue: 'none' },
  },
  {
    name: 'department-events',
    entry: 'functions/department-events/handler.ts',
    description:
      'Department systems push HMAC-signed events: new reports, progress notes and results on the cases assigned to them',
    // Public at the gateway: the HMAC signature (over timestamp and body) is the credential, checked
    // by the function against the key's signing secret; no secret travels with the request.
    routes: [{ method: 'POST', path: '/v1/integrations/{system}/events', public: true }],
    access: { table: 'readWrite', intakeQueue: 'send', timers: 'start', notifications: 'send' },
  },
  {
    name: 'subscriptions',
    entry: 'functions/subscriptions/handler.ts',
    description:
      'Webhook subscriptions of department systems and the hotline platform (administrators): create, list, delete, and every delivery attempt',
    routes: [
      { method: 'POST', path: '/v1/subscriptions' },
      { method: 'GET', path: '/v1/subscriptions' },
      { method: 'DELETE', path: '/v1/subscriptions/{id}' },
      { method: 'GET', path: '/v1/subscriptions/{id}/deliveries' },
    ],
    access: { table: 'readWrite', deletes: [DELETABLE_PARTITIONS.subscription], intakeQueue: 'none' },
  },
];
