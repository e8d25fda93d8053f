/**
 * Every Lambda function of a district stack, with its entry file and the HTTP routes it serves.
 * CDK builds one NodejsFunction per entry and one API route per route; the local gateway serves
 * the same routes by importing the same entry files. Keep both in step by editing only this list.
 */
export type HttpMethod = 'GET' | 'POST';

export interface HttpRoute {
  method: HttpMethod;
  /** API Gateway path syntax: `{id}` for a path parameter. */
  path: string;
  /** Public routes skip the JWT authorizer (health, OpenAPI document). */
  public?: boolean;
}

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
    intakeQueue: 'none' | 'send' | 'consume';
  };
  memoryMb?: number;
  timeoutSeconds?: number;
}

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
] as const;

export const FUNCTIONS: FunctionSpec[] = [
  {
    name: 'intake',
    entry: 'functions/intake/handler.ts',
    description: 'Accepts reports (POST /v1/cases), idempotently, and hands them to the intake queue',
    routes: [{ method: 'POST', path: '/v1/cases' }],
    access: { table: 'readWrite', intakeQueue: 'send' },
  },
  {
    name: 'cases',
    entry: 'functions/cases/handler.ts',
    description: 'Reads cases and runs the workflow commands',
    routes: [
      { method: 'GET', path: '/v1/cases' },
      { method: 'GET', path: '/v1/cases/{id}' },
      { method: 'GET', path: '/v1/cases/{id}/audit' },
      ...WORKFLOW_COMMANDS.map((command) => ({ method: 'POST' as const, path: `/v1/cases/{id}/${command}` })),
    ],
    access: { table: 'readWrite', intakeQueue: 'none' },
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
    name: 'route-reports',
    entry: 'functions/route-reports/handler.ts',
    description:
      'Consumes the intake queue: registers each report and routes it (SQS, partial batch failures)',
    routes: [],
    access: { table: 'readWrite', intakeQueue: 'consume' },
  },
  {
    name: 'sweep-unrouted',
    entry: 'functions/sweep-unrouted/handler.ts',
    description: 'Re-enqueues reports acknowledged but not yet routed (a crash between two steps)',
    routes: [],
    access: { table: 'read', intakeQueue: 'send' },
  },
];
